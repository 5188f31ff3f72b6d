package org.jgrad.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.jgrad.backend.RawTensor;
import org.junit.jupiter.api.Test;

/**
 * Merging and packing of the kernels' iteration spaces, checked on the CPU with {@link
 * Layouts#offsetOf}, the Java twin of the device's {@code jg_offset}.
 */
class LayoutsTest {

  @Test
  void aDenseTensorBecomesOneDimAndABroadcastOneKeepsItsZeroStride() {
    Layouts.Merged m = Layouts.merge(new int[] {2, 3, 4}, new int[] {12, 4, 1});
    assertArrayEquals(new int[] {24}, m.shape());
    assertArrayEquals(new int[] {1}, m.strides()[0]);

    // out dense [2, 3, 4] with a bias broadcast over the first two dims
    m = Layouts.merge(new int[] {2, 3, 4}, new int[] {12, 4, 1}, new int[] {0, 0, 1});
    assertArrayEquals(new int[] {6, 4}, m.shape());
    assertArrayEquals(new int[] {4, 1}, m.strides()[0]);
    assertArrayEquals(new int[] {0, 1}, m.strides()[1]);

    // size-1 dims vanish whatever their stride; a transposed matrix stays rank 2
    m = Layouts.merge(new int[] {1, 3, 1, 5}, new int[] {99, 1, 7, 3});
    assertArrayEquals(new int[] {3, 5}, m.shape());
    assertArrayEquals(new int[] {1, 3}, m.strides()[0]);

    // a scalar and an empty tensor
    assertEquals(0, Layouts.merge(new int[] {}, new int[] {}).rank());
    assertArrayEquals(new int[] {2, 0}, Layouts.merge(new int[] {2, 0}, new int[] {0, 1}).shape());
  }

  @Test
  void mergedLayoutsAddressTheSameElementsAsTheRawTensor() {
    Random r = new Random(11);
    for (int trial = 0; trial < 500; trial++) {
      int rank = r.nextInt(7);
      int[] shape = new int[rank];
      for (int d = 0; d < rank; d++) shape[d] = 1 + r.nextInt(4);
      int[][] strides = new int[2][];
      int[] offsets = new int[2];
      for (int o = 0; o < 2; o++) {
        strides[o] = randomStrides(r, shape);
        offsets[o] = r.nextInt(5);
      }
      Layouts.Merged m = Layouts.merge(shape, strides);
      assertTrue(m.rank() <= rank);
      int n = RawTensor.numel(shape);
      for (int o = 0; o < 2; o++) {
        RawTensor t =
            new RawTensor(
                new org.jgrad.backend.FloatStorage(new float[1], null),
                shape,
                strides[o],
                offsets[o]);
        int[] packed = Layouts.pack("test", m.shape(), m.strides()[o], offsets[o]);
        for (int i = 0; i < n; i++) {
          assertEquals(
              t.offsetOfLinear(i), Layouts.offsetOf(packed, i), "element " + i + " of " + t);
        }
      }
    }
  }

  private static int[] randomStrides(Random r, int[] shape) {
    int[] s = new int[shape.length];
    int acc = 1;
    int[] order = new int[shape.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    if (r.nextBoolean()) { // a permuted layout
      for (int i = order.length - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    for (int k = shape.length - 1; k >= 0; k--) {
      int d = order[k];
      if (r.nextInt(6) == 0) {
        s[d] = 0; // broadcast
        continue;
      }
      int step = r.nextInt(4) == 0 ? 2 : 1;
      s[d] = acc * step;
      acc *= shape[d] * step;
    }
    return s;
  }

  @Test
  void packRefusesMoreThanEightDimsNamingTheOpAndShape() {
    int[] shape = {2, 2, 2, 2, 2, 2, 2, 2, 2};
    int[] strides = {1, 2, 4, 8, 16, 32, 64, 128, 256}; // reversed: nothing merges
    Layouts.Merged m = Layouts.merge(shape, strides);
    assertEquals(9, m.rank());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Layouts.pack("unary", m.shape(), m.strides()[0], 0));
    assertTrue(
        e.getMessage().startsWith("unary: the CUDA backend handles at most 8"), e.getMessage());
    assertTrue(e.getMessage().contains("[2, 2, 2, 2, 2, 2, 2, 2, 2]"), e.getMessage());
    int[] dense = Layouts.dense(7);
    assertEquals(Layouts.INTS, dense.length);
    assertEquals(6, Layouts.offsetOf(dense, 6));
  }
}
