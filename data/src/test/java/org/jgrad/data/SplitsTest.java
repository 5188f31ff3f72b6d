package org.jgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest {
  static Dataset<Integer> ints(int n) {
    return new Dataset<>() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public Integer get(int i) {
        return Dataset.checkIndex(i, n, "ints");
      }
    };
  }

  @Test
  void randomSplitPartitionsReproducibly() {
    List<Subset<Integer>> parts = Splits.randomSplit(ints(100), new int[] {70, 20, 10}, 3);
    assertEquals(List.of(70, 20, 10), parts.stream().map(Subset::size).toList());
    int[] all = parts.stream().flatMapToInt(p -> Arrays.stream(p.indices())).sorted().toArray();
    assertArrayEquals(IntStream.range(0, 100).toArray(), all);
    List<Subset<Integer>> again = Splits.randomSplit(ints(100), new int[] {70, 20, 10}, 3);
    assertArrayEquals(parts.get(1).indices(), again.get(1).indices());
    assertFalse(
        Arrays.equals(
            parts.get(0).indices(),
            Splits.randomSplit(ints(100), new int[] {70, 20, 10}, 4).get(0).indices()));
    assertEquals(parts.get(2).indices()[0], parts.get(2).get(0));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Splits.randomSplit(ints(10), new int[] {5, 4}, 0));
    assertTrue(e.getMessage().contains("(10)"), e.getMessage());
  }

  @Test
  void fractionalLengthsFollowPyTorchsRemainderRule() {
    // n=10: floor(3.3)=3, floor(3.3)=3, floor(3.4)=3 -> 9; the remaining 1 goes to the first part
    List<Subset<Integer>> parts = Splits.randomSplit(ints(10), new double[] {0.33, 0.33, 0.34}, 0);
    assertEquals(List.of(4, 3, 3), parts.stream().map(Subset::size).toList());
    assertEquals(
        List.of(8, 2),
        Splits.randomSplit(ints(10), new double[] {0.8, 0.2}, 0).stream()
            .map(Subset::size)
            .toList());
    assertThrows(
        IllegalArgumentException.class,
        () -> Splits.randomSplit(ints(10), new double[] {0.5, 0.4}, 0));
  }

  @Test
  void kFoldSizesAndCoverageLikeScikitLearn() {
    List<Splits.Fold> folds = Splits.kFold(10, 3, false, 0);
    // KFold(3).split(range(10)): test folds [0..3], [4..6], [7..9]
    assertArrayEquals(new int[] {0, 1, 2, 3}, folds.get(0).test());
    assertArrayEquals(new int[] {4, 5, 6}, folds.get(1).test());
    assertArrayEquals(new int[] {7, 8, 9}, folds.get(2).test());
    assertArrayEquals(new int[] {0, 1, 2, 3, 7, 8, 9}, folds.get(1).train());
    List<Splits.Fold> shuffled = Splits.kFold(10, 3, true, 1);
    int[] tests = shuffled.stream().flatMapToInt(f -> Arrays.stream(f.test())).sorted().toArray();
    assertArrayEquals(IntStream.range(0, 10).toArray(), tests);
    for (Splits.Fold f : shuffled) assertEquals(10, f.train().length + f.test().length);
    assertEquals(shuffled, Splits.kFold(10, 3, true, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.kFold(3, 4, false, 0));
    assertThrows(IllegalArgumentException.class, () -> Splits.kFold(3, 1, false, 0));
  }

  @Test
  void stratifiedFoldsKeepClassShares() {
    int[] labels = new int[150];
    for (int i = 0; i < 150; i++) labels[i] = i < 100 ? 0 : (i < 130 ? 1 : 2); // 100 / 30 / 20
    List<Splits.Fold> folds = Splits.stratifiedKFold(labels, 5, true, 9);
    int[] seen = new int[150];
    for (Splits.Fold f : folds) {
      int[] counts = new int[3];
      for (int i : f.test()) {
        counts[labels[i]]++;
        seen[i]++;
      }
      assertArrayEquals(new int[] {20, 6, 4}, counts);
      assertEquals(120, f.train().length);
    }
    for (int s : seen) assertEquals(1, s, "every example is held out exactly once");
    // uneven class sizes: per-class counts differ by at most one between folds
    int[] odd = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
    for (Splits.Fold f : Splits.stratifiedKFold(odd, 3, false, 0)) {
      long zeros = Arrays.stream(f.test()).filter(i -> odd[i] == 0).count();
      long ones = Arrays.stream(f.test()).filter(i -> odd[i] == 1).count();
      assertTrue(zeros >= 2 && zeros <= 3 && ones >= 1 && ones <= 2, Arrays.toString(f.test()));
    }
    Splits.Fold f0 = folds.get(0);
    TensorDataset ds = DataLoaderTest.indexed(150);
    assertEquals(30, f0.test(ds).size());
    assertEquals((double) f0.test()[0], f0.test(ds).get(0).target().item());
  }
}
