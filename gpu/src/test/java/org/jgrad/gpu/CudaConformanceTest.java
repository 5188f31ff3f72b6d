package org.jgrad.gpu;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend against the reference backend: every primitive and fused kernel on random shapes
 * and layouts ({@link BackendAgreement}). Needs a CUDA device: skipped with the probe's reason
 * where there is none, failed instead with {@code -Djgrad.gpu.required=true}.
 */
class CudaConformanceTest {
  private static BackendAgreement checks;

  @BeforeAll
  static void device() {
    GpuTestSupport.requireCuda();
    checks = new BackendAgreement(CudaBackend.of(0), 60, true);
  }

  @Test
  void copiesFillsAndTransfers() {
    checks.copiesFillsAndTransfers();
  }

  @Test
  void unary() {
    checks.unary();
  }

  @Test
  void binary() {
    checks.binary();
  }

  @Test
  void where() {
    checks.where();
  }

  @Test
  void reductions() {
    checks.reductions();
  }

  @Test
  void matmul() {
    checks.matmul();
  }

  @Test
  void gatherAndScatterAdd() {
    checks.gatherAndScatterAdd();
  }

  @Test
  void convolutions() {
    checks.convolutions();
  }

  @Test
  void pooling() {
    checks.pooling();
  }

  @Test
  void logSoftmaxNll() {
    checks.logSoftmaxNll();
  }

  @Test
  void batchNorm() {
    checks.batchNorm();
  }

  @Test
  void optimizerUpdates() {
    checks.optimizerUpdates();
  }
}
