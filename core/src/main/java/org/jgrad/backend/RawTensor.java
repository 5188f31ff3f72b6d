package org.jgrad.backend;

import java.util.Arrays;

/**
 * A tensor without autograd: a storage plus a layout (shape, strides in elements, offset). This is
 * all a {@link Backend} ever sees.
 */
public record RawTensor(Storage storage, int[] shape, int[] strides, int offset) {

  public DType dtype() {
    return storage.dtype();
  }

  public int rank() {
    return shape.length;
  }

  public int numel() {
    return numel(shape);
  }

  public static int numel(int[] shape) {
    long n = 1;
    for (int d : shape) n *= d;
    if (n > Integer.MAX_VALUE)
      throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
    return (int) n;
  }

  /** Row-major strides for a dense tensor of this shape. */
  public static int[] contiguousStrides(int[] shape) {
    int[] s = new int[shape.length];
    int acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= Math.max(shape[i], 1);
    }
    return s;
  }

  /** A dense view over a whole storage. */
  public static RawTensor dense(Storage storage, int[] shape) {
    return new RawTensor(storage, shape, contiguousStrides(shape), 0);
  }

  /**
   * True when elements are laid out densely in row-major order (size-1 dims may have any stride).
   */
  public boolean isContiguous() {
    int expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] == 1) continue;
      if (strides[i] != expected) return false;
      expected *= shape[i];
    }
    return true;
  }

  /** Storage index of the element at a multi-index. */
  public int offsetOf(int... index) {
    int o = offset;
    for (int i = 0; i < index.length; i++) o += index[i] * strides[i];
    return o;
  }

  /** Storage index of the element at row-major position {@code linear}. */
  public int offsetOfLinear(int linear) {
    int o = offset;
    for (int i = shape.length - 1; i >= 0; i--) {
      int d = shape[i];
      o += (linear % d) * strides[i];
      linear /= d;
    }
    return o;
  }

  public RawTensor withLayout(int[] newShape, int[] newStrides, int newOffset) {
    return new RawTensor(storage, newShape, newStrides, newOffset);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawTensor r
        && r.storage == storage
        && r.offset == offset
        && Arrays.equals(r.shape, shape)
        && Arrays.equals(r.strides, strides);
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(storage) * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return "RawTensor"
        + Arrays.toString(shape)
        + " strides "
        + Arrays.toString(strides)
        + " offset "
        + offset
        + " "
        + dtype();
  }
}
