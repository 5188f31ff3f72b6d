package org.jgrad.benchmarks;

import java.util.List;

/**
 * The shapes every benchmark uses, in one place ({@code compare_pytorch.py} repeats them; the
 * report shows a dash wherever the two sides' case names disagree).
 *
 * <pre>{@code
 * for (Workloads.Conv c : Workloads.CONV) System.out.println(c.name());
 * }</pre>
 */
public final class Workloads {
  private Workloads() {}

  /** Square GEMM sizes of the PyTorch comparison (JMH goes from 64 to 2048). */
  public static final int[] GEMM_SQUARE = {256, 512, 1024, 2048};

  /** {@code [m x k] @ [k x n]}, float32, row-major, both operands contiguous. */
  public record Gemm(String name, int m, int k, int n) {
    public double flops() {
      return 2.0 * m * k * n;
    }
  }

  /** GEMMs that the three training workloads run (per batch of 64). */
  public static final List<Gemm> GEMM_TRAINING =
      List.of(
          new Gemm("64x784@784x256", 64, 784, 256), // MLP fc1 forward
          new Gemm("256x64@64x784", 256, 64, 784), // MLP fc1 weight gradient
          new Gemm("64x256@256x128", 64, 256, 128), // MLP fc2 forward
          new Gemm("64x128@128x784", 64, 128, 784), // autoencoder output layer forward
          new Gemm(
              "64x288@288x7744", 64, 288, 7744)); // CNN conv2 as one im2col GEMM over the batch

  /**
   * conv2d input {@code [n, c, h, w]}, {@code o} filters of {@code k x k}, stride 1, padding {@code
   * pad}, with bias.
   */
  public record Conv(String name, int n, int c, int h, int w, int o, int k, int pad) {
    public int outH() {
      return h + 2 * pad - k + 1;
    }

    public int outW() {
      return w + 2 * pad - k + 1;
    }

    /** Multiply-adds of the forward pass, times two. */
    public double forwardFlops() {
      return 2.0 * n * o * outH() * outW() * c * k * k;
    }
  }

  /** The four conv2d shapes of issue 3 (the first two are the Keras MNIST CNN's layers). */
  public static final List<Conv> CONV =
      List.of(
          new Conv("64x1x28x28->32 3x3", 64, 1, 28, 28, 32, 3, 0),
          new Conv("64x32x13x13->64 3x3", 64, 32, 13, 13, 64, 3, 0),
          new Conv("64x3x32x32->64 3x3 p1", 64, 3, 32, 32, 64, 3, 1),
          new Conv("64x64x32x32->64 3x3 p1", 64, 64, 32, 32, 64, 3, 1));

  /** Batch size of all training workloads. */
  public static final int BATCH = 64;
}
