package org.jgrad.gpu;

import java.util.Arrays;

/**
 * The iteration spaces the CUDA kernels walk, built on the host: merging dims and packing the
 * {@code Layout} struct of {@code jgrad_common.cuh}.
 *
 * <p>Every element-wise kernel computes the storage index of element {@code i} of each operand from
 * the operand's shape and strides, one div/mod per dim. Merging adjacent dims that are laid out
 * alike in every operand (and dropping size-1 dims) first turns a dense tensor into rank 1 and most
 * views into rank 2, so the common case costs one multiply.
 */
final class Layouts {
  private Layouts() {}

  /** The most dims a kernel accepts after merging ({@code JG_MAX_RANK}). */
  static final int MAX_RANK = 8;

  /** Ints in one packed {@code Layout}: rank, offset, shape[8], stride[8]. */
  static final int INTS = 2 + 2 * MAX_RANK;

  /** A merged iteration space: its shape and each operand's strides over it. */
  record Merged(int[] shape, int[][] strides) {
    int rank() {
      return shape.length;
    }
  }

  /**
   * Merges the dims of {@code shape} for operands with the given strides (each of shape's rank):
   * size-1 dims are dropped, and dims d, d+1 merge when {@code stride[d] == stride[d+1] *
   * shape[d+1]} holds for every operand. Row-major element order is kept.
   */
  static Merged merge(int[] shape, int[]... strides) {
    int ops = strides.length;
    int[] sh = new int[shape.length];
    int[][] st = new int[ops][shape.length];
    int r = 0;
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] == 1) continue;
      if (r > 0 && mergeable(sh[r - 1], shape[d], st, strides, r - 1, d)) {
        sh[r - 1] *= shape[d];
        for (int o = 0; o < ops; o++) st[o][r - 1] = strides[o][d];
        continue;
      }
      sh[r] = shape[d];
      for (int o = 0; o < ops; o++) st[o][r] = strides[o][d];
      r++;
    }
    int[][] out = new int[ops][];
    for (int o = 0; o < ops; o++) out[o] = Arrays.copyOf(st[o], r);
    return new Merged(Arrays.copyOf(sh, r), out);
  }

  private static boolean mergeable(
      int outerSize, int innerSize, int[][] merged, int[][] strides, int outer, int inner) {
    if (outerSize == 0 || innerSize == 0) return false;
    for (int o = 0; o < strides.length; o++) {
      if ((long) merged[o][outer] != (long) strides[o][inner] * innerSize) return false;
    }
    return true;
  }

  /**
   * The packed {@code Layout} struct for one operand.
   *
   * @throws IllegalArgumentException naming the op and shape when more than {@link #MAX_RANK} dims
   *     remain after merging
   */
  static int[] pack(String op, int[] shape, int[] strides, int offset) {
    if (shape.length > MAX_RANK) {
      throw new IllegalArgumentException(
          op
              + ": the CUDA backend handles at most "
              + MAX_RANK
              + " non-mergeable dims, got shape "
              + Arrays.toString(shape)
              + " with strides "
              + Arrays.toString(strides));
    }
    int[] p = new int[INTS];
    p[0] = shape.length;
    p[1] = offset;
    System.arraycopy(shape, 0, p, 2, shape.length);
    System.arraycopy(strides, 0, p, 2 + MAX_RANK, strides.length);
    return p;
  }

  /** The dense layout of {@code n} elements from offset 0: rank 1, stride 1. */
  static int[] dense(int n) {
    return pack("dense", new int[] {n}, new int[] {1}, 0);
  }

  /**
   * What {@code jg_offset} computes on the device for a packed layout: the storage index of element
   * {@code i} in row-major order. Used by the tests to check packing and merging without a GPU.
   */
  static long offsetOf(int[] packed, long i) {
    long o = packed[1];
    for (int d = packed[0] - 1; d >= 0; d--) {
      int s = packed[2 + d];
      o += (i % s) * packed[2 + MAX_RANK + d];
      i /= s;
    }
    return o;
  }
}
