package org.jgrad.data.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MetricsTest {
  // Reference values below come from scikit-learn 1.2.1 (Debian python3-sklearn) run on the same
  // inputs; the script is in the comment of each test.
  static final int[] T = {0, 0, 1, 1, 2, 2, 2, 0, 1, 2, 2, 1};
  static final int[] P = {0, 1, 1, 1, 2, 0, 2, 0, 2, 2, 1, 1};

  @Test
  void accuracyAndConfusionMatrixByHand() {
    assertEquals(8.0 / 12, Metrics.accuracy(T, P), 1e-15);
    // true 0 -> predicted {0,1,0}; true 1 -> {1,1,2,1}; true 2 -> {2,0,2,2,1}
    int[][] cm = Metrics.confusionMatrix(T, P, 3);
    assertArrayEquals(new int[] {2, 1, 0}, cm[0]);
    assertArrayEquals(new int[] {0, 3, 1}, cm[1]);
    assertArrayEquals(new int[] {1, 1, 3}, cm[2]);
    assertThrows(
        IllegalArgumentException.class,
        () -> Metrics.confusionMatrix(new int[] {3}, new int[] {0}, 3));
    assertThrows(
        IllegalArgumentException.class, () -> Metrics.accuracy(new int[] {1}, new int[] {1, 2}));
  }

  @Test
  void accuracyFromLogitsTensor() {
    Tensor logits = Tensor.of(new float[] {0.1f, 2f, -1f, 3f, 0f, 0f, 0f, 0f, 5f}, 3, 3);
    Tensor targets = Tensor.ofLongs(new long[] {1, 1, 2}, 3);
    assertEquals(2.0 / 3, Metrics.accuracy(logits, targets), 1e-15);
    assertArrayEquals(new int[] {1, 0, 2}, Metrics.predictions(logits));
  }

  @Test
  void reportMatchesScikitLearnExactly() {
    // classification_report(t, p, labels=[0,1,2], target_names=["cat","dog","bird"])
    String sk =
        "              precision    recall  f1-score   support\n\n"
            + "         cat       0.67      0.67      0.67         3\n"
            + "         dog       0.60      0.75      0.67         4\n"
            + "        bird       0.75      0.60      0.67         5\n\n"
            + "    accuracy                           0.67        12\n"
            + "   macro avg       0.67      0.67      0.67        12\n"
            + "weighted avg       0.68      0.67      0.67        12\n";
    ClassificationReport r = ClassificationReport.of(T, P, List.of("cat", "dog", "bird"));
    assertEquals(sk, r.toString());
    assertEquals(2.0 / 3, r.precision()[0], 1e-15);
    assertEquals(0.75, r.recall()[1], 1e-15);
  }

  @Test
  void reportWithAnAbsentClassMatchesScikitLearn() {
    // classification_report(t, p, labels=[0,1,2,3], target_names=["a","b","c","longername"],
    // digits=4, zero_division=0)
    String sk =
        "              precision    recall  f1-score   support\n\n"
            + "           a     0.6667    0.6667    0.6667         3\n"
            + "           b     0.6000    0.7500    0.6667         4\n"
            + "           c     0.7500    0.6000    0.6667         5\n"
            + "  longername     0.0000    0.0000    0.0000         0\n\n"
            + "   micro avg     0.6667    0.6667    0.6667        12\n"
            + "   macro avg     0.5042    0.5042    0.5000        12\n"
            + "weighted avg     0.6792    0.6667    0.6667        12\n";
    assertEquals(sk, ClassificationReport.of(T, P, List.of("a", "b", "c", "longername")).format(4));
  }

  @Test
  void roundingIsHalfEvenOnTheBinaryValue() {
    assertEquals("0.12", ClassificationReport.fixed(0.125, 2)); // Python: '%.2f' % 0.125 == '0.12'
    assertEquals("0.38", ClassificationReport.fixed(0.375, 2));
    assertEquals("0.67", ClassificationReport.fixed(2.0 / 3, 2));
  }

  @Test
  void nmiMatchesScikitLearn() {
    // normalized_mutual_info_score(a, b) = 0.555960101000571, mutual_info_score(a, b) =
    // 0.6730116670092566
    int[] a = {0, 0, 0, 1, 1, 1, 2, 2, 2, 2};
    int[] b = {1, 1, 0, 0, 2, 2, 2, 2, 5, 5};
    assertEquals(0.555960101000571, Metrics.normalizedMutualInfo(a, b), 1e-12);
    assertEquals(0.6730116670092566, Metrics.mutualInfo(a, b), 1e-12);
    // permuted labels are a perfect match; independent labelings give 0; single clusters give 1
    assertEquals(
        1.0, Metrics.normalizedMutualInfo(new int[] {0, 0, 1, 1}, new int[] {1, 1, 0, 0}), 1e-12);
    assertEquals(
        0.0, Metrics.normalizedMutualInfo(new int[] {0, 0, 1, 1}, new int[] {0, 1, 0, 1}), 1e-12);
    assertEquals(1.0, Metrics.normalizedMutualInfo(new int[] {3, 3, 3}, new int[] {1, 1, 1}));
    assertEquals(0.0, Metrics.normalizedMutualInfo(new int[] {0, 1, 2, 3}, new int[] {0, 0, 0, 0}));
    // rng = np.random.RandomState(0); x = rng.randint(0,4,50); y = rng.randint(0,5,50) ->
    // 0.14537511553601407
    int[] x = {
      0, 3, 1, 0, 3, 3, 3, 3, 1, 3, 1, 2, 0, 3, 2, 0, 0, 0, 2, 1, 2, 3, 3, 2, 0, 1, 1, 1, 1, 0, 1,
      0, 3, 0, 3, 1, 2, 3, 3, 0, 2, 3, 0, 1, 3, 1, 3, 3, 2, 3
    };
    int[] y = {
      0, 1, 1, 1, 0, 2, 4, 3, 3, 2, 4, 2, 0, 0, 4, 0, 4, 1, 4, 1, 2, 2, 0, 1, 1, 1, 1, 3, 3, 2, 3,
      0, 3, 4, 1, 2, 4, 3, 4, 4, 4, 3, 4, 4, 4, 0, 4, 3, 2, 0
    };
    assertEquals(0.14537511553601407, Metrics.normalizedMutualInfo(x, y), 1e-12);
  }

  @Test
  void nmiByHandForTwoByTwo() {
    // a = [0,0,1,1], b = [0,0,0,1]: contingency {{2,0},{1,1}}, row sums 2,2, column sums 3,1
    double n = 4;
    double mi =
        2 / n * Math.log(2 * n / (2 * 3))
            + 1 / n * Math.log(1 * n / (2 * 3))
            + 1 / n * Math.log(1 * n / (2 * 1));
    double ha = Math.log(2);
    double hb = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
    assertEquals(
        mi / ((ha + hb) / 2),
        Metrics.normalizedMutualInfo(new int[] {0, 0, 1, 1}, new int[] {0, 0, 0, 1}),
        1e-14);
  }

  @Test
  void hungarianOnAKnownMatrix() {
    // scipy.optimize.linear_sum_assignment([[4,1,3],[2,0,5],[3,2,2]]) -> rows [0,1,2], cols [1,0,2]
    assertArrayEquals(
        new int[] {1, 0, 2}, Hungarian.minimize(new double[][] {{4, 1, 3}, {2, 0, 5}, {3, 2, 2}}));
  }

  @Test
  void hungarianEqualsBruteForceOnRandomMatrices() {
    Random rnd = new Random(1);
    for (int trial = 0; trial < 200; trial++) {
      int rows = 1 + rnd.nextInt(5);
      int cols = 1 + rnd.nextInt(5);
      double[][] c = new double[rows][cols];
      for (double[] r : c) for (int j = 0; j < cols; j++) r[j] = rnd.nextInt(20) - 5;
      int[] a = Hungarian.minimize(c);
      assertEquals(bruteForceMin(c), cost(c, a), 1e-9, "trial " + trial);
      int assigned = 0;
      boolean[] used = new boolean[cols];
      for (int col : a) {
        if (col < 0) continue;
        assertEquals(false, used[col], "column used twice");
        used[col] = true;
        assigned++;
      }
      assertEquals(Math.min(rows, cols), assigned);
    }
  }

  private static double cost(double[][] c, int[] a) {
    double s = 0;
    for (int i = 0; i < a.length; i++) if (a[i] >= 0) s += c[i][a[i]];
    return s;
  }

  private static double bruteForceMin(double[][] c) {
    return search(
        c, 0, new boolean[c[0].length], c.length <= c[0].length ? c.length : c[0].length, 0);
  }

  // each row either takes a free column or (when rows > cols) is skipped; exactly min(rows, cols)
  // pairs
  private static double search(double[][] c, int row, boolean[] used, int needed, int have) {
    if (row == c.length) return have == needed ? 0 : Double.POSITIVE_INFINITY;
    double best = Double.POSITIVE_INFINITY;
    if (c.length - row - 1 >= needed - have) best = search(c, row + 1, used, needed, have);
    for (int j = 0; j < used.length; j++) {
      if (used[j]) continue;
      used[j] = true;
      best = Math.min(best, c[row][j] + search(c, row + 1, used, needed, have + 1));
      used[j] = false;
    }
    return best;
  }

  @Test
  void clusteringAccuracyUsesTheBestOneToOneMap() {
    int[] truth = {0, 0, 0, 1, 1, 1, 2, 2, 2};
    int[] clusters = {7, 7, 5, 5, 5, 5, 9, 9, 7};
    // best map: 7->0 (2 right), 5->1 (3 right), 9->2 (2 right): 7 of 9
    assertEquals(7.0 / 9, Metrics.clusteringAccuracy(truth, clusters), 1e-15);
    assertArrayEquals(
        new int[] {1, 0, 2}, Metrics.matchClusters(truth, clusters)); // ids sorted: 5, 7, 9
    assertArrayEquals(
        new int[] {0, 0, 1, 1, 1, 1, 2, 2, 0}, Metrics.relabel(clusters, new int[] {1, 0, 2}));
    // more clusters than classes: the extra cluster maps to -1 and counts as wrong
    assertEquals(
        4.0 / 6,
        Metrics.clusteringAccuracy(new int[] {0, 0, 1, 1, 1, 0}, new int[] {0, 0, 1, 1, 2, 2}),
        1e-15);
  }
}
