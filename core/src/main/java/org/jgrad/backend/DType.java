package org.jgrad.backend;

/**
 * Element types. FLOAT32 is the training type; FLOAT64 serves gradient checks and scientific use;
 * INT64 holds labels and indices; BOOL holds masks produced by comparisons.
 *
 * <pre>{@code
 * Tensor x = Tensor.zeros(DType.FLOAT64, 2, 3);
 * Tensor labels = Tensor.ofLongs(new long[] {3, 1}, 2);   // INT64
 * }</pre>
 *
 * <p>Storage: FLOAT32 lives in {@code float[]}; FLOAT64, INT64 and BOOL live in {@code double[]}
 * (integers are exact up to 2^53). That keeps every kernel to two element types.
 */
public enum DType {
  FLOAT32("float32", 4),
  FLOAT64("float64", 8),
  INT64("int64", 8),
  BOOL("bool", 1);

  private final String label;
  private final int bytes;

  DType(String label, int bytes) {
    this.label = label;
    this.bytes = bytes;
  }

  /** PyTorch-style name, e.g. {@code float32}. */
  public String label() {
    return label;
  }

  /** Size of one element in bytes, as PyTorch reports it (used by serialisation). */
  public int byteSize() {
    return bytes;
  }

  public boolean isFloatingPoint() {
    return this == FLOAT32 || this == FLOAT64;
  }

  @Override
  public String toString() {
    return label;
  }
}
