package org.jgrad.data.metrics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-class precision, recall, F1 and support, with accuracy and macro / weighted averages, printed
 * in the layout of scikit-learn's {@code classification_report} (numbers rounded half-even on the
 * exact binary value, as Python's format does). A class with no predictions has precision 0, one
 * with no examples recall 0, and F1 is 0 when precision and recall are both 0 (scikit-learn's
 * {@code zero_division} default).
 *
 * <pre>{@code
 * ClassificationReport r = ClassificationReport.of(truth, predicted, List.of("cat", "dog", "bird"));
 * System.out.println(r);          // two decimals; r.format(4) for four
 * double macroF1 = r.macroF1();
 * }</pre>
 *
 * @param classNames one name per class index
 * @param precision per class
 * @param recall per class
 * @param f1 per class
 * @param support number of true examples per class
 * @param accuracy overall accuracy
 * @param allClassesSeen whether every class occurs in the truth or the predictions; if not, the
 *     accuracy line is printed as "micro avg" (with the same value three times), as scikit-learn
 *     does when given labels that do not occur
 */
public record ClassificationReport(
    List<String> classNames,
    double[] precision,
    double[] recall,
    double[] f1,
    int[] support,
    double accuracy,
    boolean allClassesSeen) {
  public ClassificationReport {
    classNames = List.copyOf(classNames);
  }

  /** The report for labels in {@code [0, classNames.size())}. */
  public static ClassificationReport of(int[] truth, int[] predicted, List<String> classNames) {
    int k = classNames.size();
    int[][] cm = Metrics.confusionMatrix(truth, predicted, k);
    double[] p = new double[k];
    double[] r = new double[k];
    double[] f = new double[k];
    int[] support = new int[k];
    boolean allSeen = true;
    for (int c = 0; c < k; c++) {
      long tp = cm[c][c];
      long predictedC = 0;
      long actualC = 0;
      for (int j = 0; j < k; j++) {
        predictedC += cm[j][c];
        actualC += cm[c][j];
      }
      support[c] = (int) actualC;
      if (actualC == 0 && predictedC == 0) allSeen = false;
      p[c] = predictedC == 0 ? 0 : (double) tp / predictedC;
      r[c] = actualC == 0 ? 0 : (double) tp / actualC;
      f[c] = p[c] + r[c] == 0 ? 0 : 2 * p[c] * r[c] / (p[c] + r[c]);
    }
    return new ClassificationReport(
        classNames,
        p,
        r,
        f,
        support,
        truth.length == 0 ? 0 : Metrics.accuracy(truth, predicted),
        allSeen);
  }

  /** The report with class names "0", "1", ... */
  public static ClassificationReport of(int[] truth, int[] predicted, int numClasses) {
    List<String> names = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) names.add(Integer.toString(c));
    return of(truth, predicted, names);
  }

  /** Total number of examples. */
  public int totalSupport() {
    int s = 0;
    for (int x : support) s += x;
    return s;
  }

  private static double mean(double[] a) {
    double s = 0;
    for (double x : a) s += x;
    return s / a.length;
  }

  private double weighted(double[] a) {
    double s = 0;
    int total = totalSupport();
    for (int i = 0; i < a.length; i++) s += a[i] * support[i];
    return total == 0 ? 0 : s / total;
  }

  /** Unweighted mean of the per-class precisions. */
  public double macroPrecision() {
    return mean(precision);
  }

  /** Unweighted mean of the per-class recalls. */
  public double macroRecall() {
    return mean(recall);
  }

  /** Unweighted mean of the per-class F1 scores. */
  public double macroF1() {
    return mean(f1);
  }

  /** Support-weighted mean of the per-class F1 scores. */
  public double weightedF1() {
    return weighted(f1);
  }

  /** The report with {@code digits} decimals. */
  public String format(int digits) {
    String last = "weighted avg";
    int width = last.length();
    for (String n : classNames) width = Math.max(width, n.length());
    width = Math.max(width, digits);
    StringBuilder sb = new StringBuilder();
    sb.append(pad("", width)).append(' ');
    for (String h : new String[] {"precision", "recall", "f1-score", "support"})
      sb.append(' ').append(pad(h, 9));
    sb.append("\n\n");
    for (int c = 0; c < classNames.size(); c++) {
      row(sb, classNames.get(c), precision[c], recall[c], f1[c], support[c], width, digits);
    }
    sb.append('\n');
    int total = totalSupport();
    if (!allClassesSeen) {
      // every prediction is one of the classes, so micro precision = recall = F1 = accuracy
      row(sb, "micro avg", accuracy, accuracy, accuracy, total, width, digits);
    } else {
      sb.append(pad("accuracy", width))
          .append(' ')
          .append(' ')
          .append(pad("", 9))
          .append(' ')
          .append(pad("", 9))
          .append(' ')
          .append(pad(fixed(accuracy, digits), 9))
          .append(' ')
          .append(pad(Integer.toString(total), 9))
          .append('\n');
    }
    row(sb, "macro avg", mean(precision), mean(recall), mean(f1), total, width, digits);
    row(
        sb,
        "weighted avg",
        weighted(precision),
        weighted(recall),
        weighted(f1),
        total,
        width,
        digits);
    return sb.toString();
  }

  private static void row(
      StringBuilder sb,
      String name,
      double p,
      double r,
      double f,
      int support,
      int width,
      int digits) {
    sb.append(pad(name, width)).append(' ');
    for (double v : new double[] {p, r, f}) sb.append(' ').append(pad(fixed(v, digits), 9));
    sb.append(' ').append(pad(Integer.toString(support), 9)).append('\n');
  }

  // Python's '{:.2f}' rounds the exact binary value half-even; BigDecimal(double) is that exact
  // value.
  static String fixed(double v, int digits) {
    return new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
  }

  /** The report with two decimals, as scikit-learn prints it by default. */
  @Override
  public String toString() {
    return format(2);
  }
}
