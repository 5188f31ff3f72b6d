package org.jgrad.examples.analysis;

import java.util.Locale;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.jgrad.autograd.GradMode;
import org.jgrad.data.metrics.Metrics;
import org.jgrad.examples.models.Models;
import org.jgrad.examples.support.RowBatches;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.functional.F;
import org.jgrad.optim.Adam;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Judges generated MNIST digits with a classifier trained on real ones (784 → 256 ReLU → 10): how
 * confidently it labels them, how the labels spread over the ten classes (an Inception-score-like
 * "classifier score", exp E[KL(p(y|x) ‖ p(y))], at most 10), and a Fréchet distance between the
 * classifier's 256 hidden features of the samples and of real test digits ({@code fid_proxy}, the
 * FID formula on this small network instead of Inception). Sample counts bias the Fréchet distance
 * upwards, so compare only sets of equal size, and against {@link #realReference}.
 *
 * <pre>{@code
 * SampleScorer s = SampleScorer.train(ctx, trainX, trainY, testX, testY, 3);
 * SampleScorer.Scores sc = s.score(samples);          // samples [n, 784] in [0, 1]
 * double fid = sc.fid();
 * }</pre>
 */
public final class SampleScorer {
  private final Module features;
  private final Module head;
  private final double testAccuracy;
  private final Tensor realTest;

  private SampleScorer(Module features, Module head, double testAccuracy, Tensor realTest) {
    this.features = features;
    this.head = head;
    this.testAccuracy = testAccuracy;
    this.realTest = realTest;
  }

  /** What the classifier makes of a set of samples. */
  public record Scores(
      int count, double confidence, double classifierScore, double fid, int[] histogram) {
    public String describe() {
      return String.format(
          Locale.ROOT,
          "confidence %.3f, classifier score %.2f, FID proxy %.2f",
          confidence,
          classifierScore,
          fid);
    }
  }

  /**
   * Trains the classifier on {@code trainX} ([n, 784] or [n, 1, 28, 28], values in [0, 1]) for
   * {@code epochs} epochs of Adam (lr 1e-3, batch 128) and keeps {@code testX} as the real
   * reference.
   */
  public static SampleScorer train(
      RunContext ctx, Tensor trainX, Tensor trainY, Tensor testX, Tensor testY, int epochs) {
    Tensor.manualSeed(ctx.seed() * 1000 + 777);
    Sequential feat = new Sequential(new Linear(784, 256), new ReLU());
    Linear head = new Linear(256, 10);
    Sequential clf = new Sequential(feat, head);
    Tensor x = flat(trainX), tx = flat(testX);
    ctx.trainer(clf, new Adam(clf.parameters(), Adam.options().lr(1e-3)), F::crossEntropy)
        .train(RowBatches.shuffled(x, trainY, 128, new Generator(ctx.seed() + 777)))
        .epochs(epochs)
        .callback(ctx.logEpochs("sample classifier epoch %d/%d: cross-entropy %.4f", epochs))
        .build()
        .fit();
    double acc = Metrics.accuracy(Models.labels(testY), Models.predictLabels(clf, tx, 1000));
    ctx.log("sample classifier: test accuracy %.4f", acc);
    return new SampleScorer(feat, head, acc, tx);
  }

  /** The classifier's accuracy on the real test digits. */
  public double testAccuracy() {
    return testAccuracy;
  }

  /** Scores {@code samples} ([n, 784] or [n, 1, 28, 28], values in [0, 1]). */
  public Scores score(Tensor samples) {
    Tensor x = flat(samples);
    int n = x.size(0);
    Tensor realFeat =
        Models.predict(features, realTest.narrow(0, 0, Math.min(n, realTest.size(0))), 1000);
    return score(x, realFeat);
  }

  /**
   * The scores of {@code n} real test digits against the next {@code n}: the floor of the Fréchet
   * distance at this sample size and the ceiling of the other scores.
   */
  public Scores realReference(int n) {
    int m = Math.min(n, realTest.size(0) / 2);
    return score(
        realTest.narrow(0, m, m), Models.predict(features, realTest.narrow(0, 0, m), 1000));
  }

  private Scores score(Tensor x, Tensor realFeat) {
    Tensor feat = Models.predict(features, x, 1000);
    try (var ng = GradMode.noGrad()) {
      Tensor p = head.call(feat).softmax(1);
      double confidence = p.amax(new int[] {1}, false).mean().item();
      Tensor marginal = p.mean(0, true);
      Tensor kl = p.mul(p.add(1e-12).log().sub(marginal.add(1e-12).log())).sum(1, false);
      double cs = Math.exp(kl.mean().item());
      int[] hist = new int[10];
      for (long y : p.argmax(1, false).toLongArray()) hist[(int) y]++;
      return new Scores(x.size(0), confidence, cs, frechet(feat, realFeat), hist);
    }
  }

  /**
   * Fréchet distance between Gaussians fitted to the rows of {@code a} and {@code b}: |μa − μb|² +
   * tr(Ca + Cb − 2 (Ca^½ Cb Ca^½)^½).
   */
  public static double frechet(Tensor a, Tensor b) {
    int d = a.size(1);
    if (b.size(1) != d) {
      throw new IllegalArgumentException(
          "SampleScorer.frechet: feature sizes differ, " + d + " and " + b.size(1));
    }
    double[] ma = new double[d], mb = new double[d];
    DMatrixRMaj ca = covariance(a, ma), cb = covariance(b, mb);
    double dist = 0;
    for (int i = 0; i < d; i++) dist += (ma[i] - mb[i]) * (ma[i] - mb[i]);
    DMatrixRMaj sa = sqrtPsd(ca);
    DMatrixRMaj tmp = new DMatrixRMaj(d, d), m = new DMatrixRMaj(d, d);
    CommonOps_DDRM.mult(sa, cb, tmp);
    CommonOps_DDRM.mult(tmp, sa, m);
    double crossTrace = 0;
    for (double ev : eigenvalues(m)) crossTrace += Math.sqrt(Math.max(0, ev));
    return dist + CommonOps_DDRM.trace(ca) + CommonOps_DDRM.trace(cb) - 2 * crossTrace;
  }

  private static DMatrixRMaj covariance(Tensor x, double[] mean) {
    int n = x.size(0), d = x.size(1);
    double[] v = x.contiguous().toDoubleArray();
    for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += v[i * d + j] / n;
    DMatrixRMaj c = new DMatrixRMaj(n, d);
    for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) c.set(i, j, v[i * d + j] - mean[j]);
    DMatrixRMaj cov = new DMatrixRMaj(d, d);
    CommonOps_DDRM.multTransA(c, c, cov);
    CommonOps_DDRM.scale(1.0 / Math.max(1, n - 1), cov);
    return cov;
  }

  private static double[] eigenvalues(DMatrixRMaj m) {
    DMatrixRMaj sym = m.copy();
    // symmetrise: rounding leaves Sa·Cb·Sa slightly asymmetric
    DMatrixRMaj t = new DMatrixRMaj(m.numCols, m.numRows);
    CommonOps_DDRM.transpose(m, t);
    CommonOps_DDRM.add(0.5, m, 0.5, t, sym);
    EigenDecomposition_F64<DMatrixRMaj> eig =
        DecompositionFactory_DDRM.eig(sym.numRows, false, true);
    if (!eig.decompose(sym))
      throw new IllegalStateException("SampleScorer: eigen decomposition failed");
    double[] out = new double[sym.numRows];
    for (int i = 0; i < out.length; i++) out[i] = eig.getEigenvalue(i).getReal();
    return out;
  }

  private static DMatrixRMaj sqrtPsd(DMatrixRMaj m) {
    int d = m.numRows;
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
    if (!eig.decompose(m.copy()))
      throw new IllegalStateException("SampleScorer: eigen decomposition failed");
    DMatrixRMaj out = new DMatrixRMaj(d, d);
    for (int k = 0; k < d; k++) {
      double s = Math.sqrt(Math.max(0, eig.getEigenvalue(k).getReal()));
      DMatrixRMaj vec = eig.getEigenVector(k);
      for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) out.add(i, j, s * vec.get(i) * vec.get(j));
    }
    return out;
  }

  private static Tensor flat(Tensor x) {
    return x.reshape(x.size(0), -1);
  }
}
