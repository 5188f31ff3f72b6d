package org.jgrad.gpu;

import org.jgrad.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link BackendAgreement} (the checks {@link CudaConformanceTest} runs on a GPU) on the CPU
 * backend, with few trials, so that the checks and their generators are exercised, and their
 * tolerances known to accept a correct backend, on every machine.
 */
class BackendAgreementSelfTest {
  @Test
  void theCudaConformanceChecksPassOnTheCpuBackend() {
    new BackendAgreement(CpuBackend.INSTANCE, 12, false).all();
  }
}
