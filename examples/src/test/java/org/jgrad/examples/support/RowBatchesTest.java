package org.jgrad.examples.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.jgrad.data.Batch;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

class RowBatchesTest {
  @Test
  void shuffledPassesFollowRandpermOfTheSharedGenerator() {
    Tensor x = Tensor.arange(10).reshape(10, 1);
    Tensor y = x.mul(10);
    RowBatches rows = RowBatches.shuffled(x, y, 4, new Generator(7));
    Generator g = new Generator(7);
    for (int pass = 0; pass < 2; pass++) {
      long[] expected =
          Tensor.randperm(10, g).toLongArray(); // a new order each pass, as Training.epoch drew it
      List<Double> seen = new ArrayList<>();
      List<Integer> sizes = new ArrayList<>();
      for (Batch b : rows) {
        sizes.add(b.size());
        double[] in = b.inputs().toDoubleArray(), t = b.targets().toDoubleArray();
        for (int i = 0; i < in.length; i++) {
          assertEquals(in[i] * 10, t[i], "inputs and targets stay paired");
          seen.add(in[i]);
        }
      }
      assertEquals(List.of(4, 4, 2), sizes);
      double[] order = seen.stream().mapToDouble(Double::doubleValue).toArray();
      double[] want = new double[10];
      for (int i = 0; i < 10; i++) want[i] = expected[i];
      assertArrayEquals(want, order, "pass " + pass);
    }
    assertEquals(3, rows.size());
  }

  @Test
  void inOrderGivesConsecutiveBlocksAndBadShapesAreReported() {
    Tensor x = Tensor.arange(5).reshape(5, 1);
    List<double[]> blocks = new ArrayList<>();
    for (Batch b : RowBatches.inOrder(x, x, 2)) blocks.add(b.inputs().toDoubleArray());
    assertArrayEquals(new double[] {0, 1}, blocks.get(0));
    assertArrayEquals(new double[] {4}, blocks.get(2));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RowBatches.inOrder(x, Tensor.zeros(4, 1), 2));
    assertEquals(
        "RowBatches: inputs and targets need the same positive number of rows, got [5, 1] and [4, 1]",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> RowBatches.shuffled(x, x, 0, new Generator(1)));
  }
}
