package org.jgrad.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jgrad.tensor.Generator;

/**
 * Seeded train/validation splits and k-fold cross-validation (plain and stratified).
 *
 * <pre>{@code
 * List<Subset<Example>> parts = Splits.randomSplit(ds, new double[] {0.8, 0.2}, 42);
 * for (Splits.Fold f : Splits.stratifiedKFold(iris.labels(), 5, true, 42)) {
 *     Subset<Example> train = f.train(ds), test = f.test(ds);
 * }
 * }</pre>
 */
public final class Splits {
  private Splits() {}

  /**
   * One cross-validation fold: indices for training and for testing, each ascending.
   *
   * @param train training indices
   * @param test held-out indices
   */
  public record Fold(int[] train, int[] test) {
    public Fold {
      train = train.clone();
      test = test.clone();
    }

    @Override
    public int[] train() {
      return train.clone();
    }

    @Override
    public int[] test() {
      return test.clone();
    }

    /** The training examples of {@code ds}. */
    public <T> Subset<T> train(Dataset<T> ds) {
      return new Subset<>(ds, train);
    }

    /** The held-out examples of {@code ds}. */
    public <T> Subset<T> test(Dataset<T> ds) {
      return new Subset<>(ds, test);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Fold f && Arrays.equals(train, f.train) && Arrays.equals(test, f.test);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(train) * 31 + Arrays.hashCode(test);
    }

    @Override
    public String toString() {
      return "Fold[train " + train.length + ", test " + test.length + "]";
    }
  }

  /**
   * Splits a data set at random into parts of the given lengths (which must add up to its size), as
   * PyTorch's {@code random_split}.
   */
  public static <T> List<Subset<T>> randomSplit(Dataset<T> ds, int[] lengths, long seed) {
    long sum = 0;
    for (int l : lengths) {
      if (l < 0)
        throw new IllegalArgumentException(
            "randomSplit: negative length in " + Arrays.toString(lengths));
      sum += l;
    }
    if (sum != ds.size()) {
      throw new IllegalArgumentException(
          "randomSplit: sum of input lengths "
              + Arrays.toString(lengths)
              + " = "
              + sum
              + " does not equal the length of the input dataset ("
              + ds.size()
              + ")");
    }
    int[] perm = permutation(ds.size(), new Generator(seed));
    List<Subset<T>> out = new ArrayList<>();
    int at = 0;
    for (int l : lengths) {
      out.add(new Subset<>(ds, Arrays.copyOfRange(perm, at, at + l)));
      at += l;
    }
    return out;
  }

  /**
   * Splits by fractions that add up to 1: each part gets {@code floor(f * n)} examples and the
   * remainder is handed out one at a time to the parts in order (PyTorch's rule).
   */
  public static <T> List<Subset<T>> randomSplit(Dataset<T> ds, double[] fractions, long seed) {
    double total = 0;
    for (double f : fractions) {
      if (!(f >= 0 && f <= 1)) {
        throw new IllegalArgumentException("randomSplit: fraction " + f + " is not in [0, 1]");
      }
      total += f;
    }
    if (Math.abs(total - 1) > 1e-9) {
      throw new IllegalArgumentException(
          "randomSplit: fractions "
              + Arrays.toString(fractions)
              + " sum to "
              + total
              + ", expected 1");
    }
    int n = ds.size();
    int[] lengths = new int[fractions.length];
    int assigned = 0;
    for (int i = 0; i < fractions.length; i++) {
      lengths[i] = (int) Math.floor(n * fractions[i]);
      assigned += lengths[i];
    }
    for (int i = 0; assigned < n; i = (i + 1) % lengths.length) {
      lengths[i]++;
      assigned++;
    }
    return randomSplit(ds, lengths, seed);
  }

  /**
   * K folds of {@code 0..n-1}, as scikit-learn's {@code KFold}: the (optionally shuffled) index
   * order is cut into k consecutive test blocks, the first {@code n % k} one larger.
   */
  public static List<Fold> kFold(int n, int k, boolean shuffle, long seed) {
    if (k < 2 || k > n) {
      throw new IllegalArgumentException("kFold: k must be in [2, n=" + n + "], got " + k);
    }
    int[] order = shuffle ? permutation(n, new Generator(seed)) : identity(n);
    int[] foldOf = new int[n];
    for (int f = 0, at = 0; f < k; f++) {
      int size = n / k + (f < n % k ? 1 : 0);
      for (int j = 0; j < size; j++) foldOf[order[at++]] = f;
    }
    return folds(foldOf, k);
  }

  /**
   * K folds that keep each class's share in every fold: each class's indices (shuffled if asked)
   * are dealt to the folds in turn, the turn carrying on from one class to the next, so every fold
   * gets {@code floor} or {@code ceil} of {@code count/k} of each class and the fold sizes differ
   * by at most one.
   */
  public static List<Fold> stratifiedKFold(int[] labels, int k, boolean shuffle, long seed) {
    int n = labels.length;
    if (k < 2 || k > n) {
      throw new IllegalArgumentException(
          "stratifiedKFold: k must be in [2, n=" + n + "], got " + k);
    }
    int max = -1;
    for (int l : labels) {
      if (l < 0) throw new IllegalArgumentException("stratifiedKFold: negative label " + l);
      max = Math.max(max, l);
    }
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c <= max; c++) byClass.add(new ArrayList<>());
    for (int i = 0; i < n; i++) byClass.get(labels[i]).add(i);
    Generator g = new Generator(seed);
    int[] foldOf = new int[n];
    int turn = 0;
    for (List<Integer> members : byClass) {
      int[] m = members.stream().mapToInt(Integer::intValue).toArray();
      if (shuffle) {
        int[] p = permutation(m.length, g);
        int[] s = new int[m.length];
        for (int i = 0; i < m.length; i++) s[i] = m[p[i]];
        m = s;
      }
      for (int idx : m) {
        foldOf[idx] = turn;
        turn = (turn + 1) % k;
      }
    }
    return folds(foldOf, k);
  }

  private static List<Fold> folds(int[] foldOf, int k) {
    List<Fold> out = new ArrayList<>(k);
    int n = foldOf.length;
    for (int f = 0; f < k; f++) {
      int count = 0;
      for (int x : foldOf) if (x == f) count++;
      int[] test = new int[count];
      int[] train = new int[n - count];
      for (int i = 0, a = 0, b = 0; i < n; i++) {
        if (foldOf[i] == f) test[a++] = i;
        else train[b++] = i;
      }
      out.add(new Fold(train, test));
    }
    return out;
  }

  /** A random permutation of {@code 0..n-1} (Fisher-Yates). */
  public static int[] permutation(int n, Generator g) {
    int[] p = identity(n);
    for (int i = n - 1; i > 0; i--) {
      int j = g.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static int[] identity(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    return p;
  }
}
