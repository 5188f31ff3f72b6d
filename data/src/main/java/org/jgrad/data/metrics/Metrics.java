package org.jgrad.data.metrics;

import java.util.Arrays;
import java.util.TreeMap;
import org.jgrad.tensor.Tensor;

/**
 * Classification and clustering metrics on int label arrays (and on tensors of logits).
 *
 * <pre>{@code
 * double acc = Metrics.accuracy(truth, predicted);
 * int[][] cm = Metrics.confusionMatrix(truth, predicted, 10);     // rows: true class, columns: predicted
 * System.out.println(ClassificationReport.of(truth, predicted, classNames));
 * double nmi = Metrics.normalizedMutualInfo(truth, clusters);
 * double clusterAcc = Metrics.clusteringAccuracy(truth, clusters); // best one-to-one cluster -> class map
 * }</pre>
 */
public final class Metrics {
  private Metrics() {}

  /** Fraction of positions where {@code predicted} equals {@code truth}. */
  public static double accuracy(int[] truth, int[] predicted) {
    checkSameLength("accuracy", truth, predicted);
    if (truth.length == 0) throw new IllegalArgumentException("accuracy: no labels");
    int ok = 0;
    for (int i = 0; i < truth.length; i++) if (truth[i] == predicted[i]) ok++;
    return (double) ok / truth.length;
  }

  /**
   * Accuracy of a batch: {@code output} is either scores [N, C] (the arg-max of each row is the
   * prediction) or predicted class indices [N]; {@code targets} are class indices [N].
   */
  public static double accuracy(Tensor output, Tensor targets) {
    return accuracy(toLabels(targets, "accuracy: targets"), predictions(output));
  }

  /** Class predictions from scores [N, C] (arg-max per row) or from class indices [N]. */
  public static int[] predictions(Tensor output) {
    if (output.dim() == 2) return toLabels(output.argmax(1, false), "predictions");
    if (output.dim() == 1) return toLabels(output, "predictions");
    throw new IllegalArgumentException(
        "predictions: expected scores [N, C] or labels [N], got shape "
            + Arrays.toString(output.shape()));
  }

  /** A 1-D tensor of class indices as ints. */
  public static int[] toLabels(Tensor t, String what) {
    if (t.dim() != 1)
      throw new IllegalArgumentException(
          what + ": expected a 1-D tensor, got shape " + Arrays.toString(t.shape()));
    long[] v = t.toLongArray();
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) out[i] = Math.toIntExact(v[i]);
    return out;
  }

  /**
   * {@code cm[i][j]} = number of examples of true class i predicted as j, as scikit-learn's {@code
   * confusion_matrix}.
   */
  public static int[][] confusionMatrix(int[] truth, int[] predicted, int numClasses) {
    checkSameLength("confusionMatrix", truth, predicted);
    if (numClasses < 1)
      throw new IllegalArgumentException(
          "confusionMatrix: numClasses must be >= 1, got " + numClasses);
    int[][] cm = new int[numClasses][numClasses];
    for (int i = 0; i < truth.length; i++) {
      if (truth[i] < 0
          || truth[i] >= numClasses
          || predicted[i] < 0
          || predicted[i] >= numClasses) {
        throw new IllegalArgumentException(
            "confusionMatrix: label pair ("
                + truth[i]
                + ", "
                + predicted[i]
                + ") at "
                + i
                + " is outside [0, "
                + numClasses
                + ")");
      }
      cm[truth[i]][predicted[i]]++;
    }
    return cm;
  }

  /**
   * The contingency table of two labelings: rows are the distinct values of {@code a} in ascending
   * order, columns those of {@code b}. Labels may be any ints.
   */
  public static long[][] contingency(int[] a, int[] b) {
    checkSameLength("contingency", a, b);
    int[] ca = compact(a);
    int[] cb = compact(b);
    int ra = max(ca) + 1;
    int rb = max(cb) + 1;
    long[][] t = new long[ra][rb];
    for (int i = 0; i < a.length; i++) t[ca[i]][cb[i]]++;
    return t;
  }

  /** Mutual information of two labelings, in nats (scikit-learn's {@code mutual_info_score}). */
  public static double mutualInfo(int[] a, int[] b) {
    long[][] t = contingency(a, b);
    return mutualInfo(t, a.length);
  }

  private static double mutualInfo(long[][] t, int n) {
    if (n == 0) return 0;
    long[] rows = new long[t.length];
    long[] cols = new long[t.length == 0 ? 0 : t[0].length];
    for (int i = 0; i < t.length; i++) {
      for (int j = 0; j < cols.length; j++) {
        rows[i] += t[i][j];
        cols[j] += t[i][j];
      }
    }
    double mi = 0;
    for (int i = 0; i < t.length; i++) {
      for (int j = 0; j < cols.length; j++) {
        if (t[i][j] == 0) continue;
        double pij = (double) t[i][j] / n;
        mi += pij * Math.log((double) t[i][j] * n / ((double) rows[i] * cols[j]));
      }
    }
    return Math.max(0, mi);
  }

  /** Entropy of a labeling, in nats. */
  public static double entropy(int[] labels) {
    int n = labels.length;
    if (n == 0) return 0;
    int[] c = compact(labels);
    long[] counts = new long[max(c) + 1];
    for (int x : c) counts[x]++;
    double h = 0;
    for (long k : counts) {
      if (k == 0) continue;
      double p = (double) k / n;
      h -= p * Math.log(p);
    }
    return h;
  }

  /**
   * Normalised mutual information with the arithmetic-mean normaliser, {@code MI / ((H(a) + H(b)) /
   * 2)}, as scikit-learn's {@code normalized_mutual_info_score} default: 1 when both labelings are
   * a single cluster, 0 when the mutual information is 0.
   */
  public static double normalizedMutualInfo(int[] truth, int[] clusters) {
    checkSameLength("normalizedMutualInfo", truth, clusters);
    int ka = distinct(truth);
    int kb = distinct(clusters);
    if ((ka == 1 && kb == 1) || (ka == 0 && kb == 0)) return 1.0;
    double mi = mutualInfo(truth, clusters);
    if (mi == 0) return 0.0;
    double norm = (entropy(truth) + entropy(clusters)) / 2;
    return mi / Math.max(norm, Math.ulp(1.0));
  }

  /**
   * The one-to-one map from cluster ids to class labels that maximises agreement (Hungarian
   * algorithm on the contingency table). The result maps the i-th smallest cluster id; see {@link
   * #relabel} to apply it. Clusters left without a class (more clusters than classes) map to -1.
   */
  public static int[] matchClusters(int[] truth, int[] clusters) {
    checkSameLength("matchClusters", truth, clusters);
    int[] classIds = sortedDistinct(truth);
    long[][] t = contingency(clusters, truth); // rows: clusters, cols: classes
    double[][] score = new double[t.length][];
    for (int i = 0; i < t.length; i++) {
      score[i] = new double[t[i].length];
      for (int j = 0; j < t[i].length; j++) score[i][j] = t[i][j];
    }
    int[] assign = Hungarian.maximize(score);
    int[] out = new int[assign.length];
    for (int i = 0; i < assign.length; i++) out[i] = assign[i] < 0 ? -1 : classIds[assign[i]];
    return out;
  }

  /** Replaces each cluster id by its matched class (-1 if unmatched). */
  public static int[] relabel(int[] clusters, int[] clusterToClass) {
    int[] ids = sortedDistinct(clusters);
    if (ids.length != clusterToClass.length) {
      throw new IllegalArgumentException(
          "relabel: " + ids.length + " distinct clusters but a map of " + clusterToClass.length);
    }
    int[] out = new int[clusters.length];
    for (int i = 0; i < clusters.length; i++)
      out[i] = clusterToClass[Arrays.binarySearch(ids, clusters[i])];
    return out;
  }

  /** Clustering accuracy: the accuracy after the best one-to-one relabelling of the clusters. */
  public static double clusteringAccuracy(int[] truth, int[] clusters) {
    checkSameLength("clusteringAccuracy", truth, clusters);
    if (truth.length == 0) throw new IllegalArgumentException("clusteringAccuracy: no labels");
    return accuracy(truth, relabel(clusters, matchClusters(truth, clusters)));
  }

  private static int[] sortedDistinct(int[] a) {
    return Arrays.stream(a).distinct().sorted().toArray();
  }

  private static int distinct(int[] a) {
    return (int) Arrays.stream(a).distinct().count();
  }

  // Maps arbitrary ids to 0..k-1 in ascending id order.
  private static int[] compact(int[] a) {
    TreeMap<Integer, Integer> ids = new TreeMap<>();
    for (int x : a) ids.putIfAbsent(x, 0);
    int k = 0;
    for (var e : ids.entrySet()) e.setValue(k++);
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) out[i] = ids.get(a[i]);
    return out;
  }

  private static int max(int[] a) {
    int m = -1;
    for (int x : a) m = Math.max(m, x);
    return m;
  }

  private static void checkSameLength(String op, int[] a, int[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          op + ": label arrays differ in length, " + a.length + " and " + b.length);
    }
  }
}
