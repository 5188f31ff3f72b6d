package org.jgrad.examples.analysis;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.jgrad.tensor.Tensor;

/**
 * Principal component analysis: centre the data, take the top right-singular vectors (EJML's SVD),
 * project onto them.
 *
 * <pre>{@code
 * Pca pca = Pca.fit(codes, 2);
 * Tensor xy = pca.transform(codes);           // [n, 2]
 * double[] ratio = pca.explainedVarianceRatio();
 * }</pre>
 */
public final class Pca {
  private final double[] mean;
  private final double[][] components; // [k][d]
  private final double[] explainedRatio;

  private Pca(double[] mean, double[][] components, double[] explainedRatio) {
    this.mean = mean;
    this.components = components;
    this.explainedRatio = explainedRatio;
  }

  /** Fits {@code k} components to the rows of {@code x} ([n, d]). */
  public static Pca fit(Tensor x, int k) {
    if (x.dim() != 2)
      throw new IllegalArgumentException("Pca.fit: expected [n, d] data, got rank " + x.dim());
    int n = x.size(0), d = x.size(1);
    if (k < 1 || k > Math.min(n, d)) {
      throw new IllegalArgumentException(
          "Pca.fit: k must be in [1, " + Math.min(n, d) + "], got " + k);
    }
    double[] v = x.toDoubleArray();
    double[] mean = new double[d];
    for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += v[i * d + j] / n;
    DMatrixRMaj centered = new DMatrixRMaj(n, d);
    for (int i = 0; i < n; i++)
      for (int j = 0; j < d; j++) centered.set(i, j, v[i * d + j] - mean[j]);
    SingularValueDecomposition_F64<DMatrixRMaj> svd =
        DecompositionFactory_DDRM.svd(n, d, false, true, true);
    if (!svd.decompose(centered)) throw new IllegalStateException("Pca.fit: SVD did not converge");
    double[] s = svd.getSingularValues();
    DMatrixRMaj vt = svd.getV(null, true);
    Integer[] order = new Integer[s.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    java.util.Arrays.sort(order, (a, b) -> Double.compare(s[b], s[a]));
    double total = 0;
    for (double sv : s) total += sv * sv;
    double[][] comps = new double[k][d];
    double[] ratio = new double[k];
    for (int c = 0; c < k; c++) {
      int idx = order[c];
      for (int j = 0; j < d; j++) comps[c][j] = vt.get(idx, j);
      // Fix the sign so results are reproducible: largest-magnitude loading positive.
      int arg = 0;
      for (int j = 1; j < d; j++) if (Math.abs(comps[c][j]) > Math.abs(comps[c][arg])) arg = j;
      if (comps[c][arg] < 0) for (int j = 0; j < d; j++) comps[c][j] = -comps[c][j];
      ratio[c] = total == 0 ? 0 : s[idx] * s[idx] / total;
    }
    return new Pca(mean, comps, ratio);
  }

  /** Projects rows of {@code x} onto the components: [n, k] float32. */
  public Tensor transform(Tensor x) {
    int n = x.size(0), d = x.size(1), k = components.length;
    double[] v = x.toDoubleArray();
    float[] out = new float[n * k];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < k; c++) {
        double s = 0;
        for (int j = 0; j < d; j++) s += (v[i * d + j] - mean[j]) * components[c][j];
        out[i * k + c] = (float) s;
      }
    }
    return Tensor.of(out, n, k);
  }

  public double[] explainedVarianceRatio() {
    return explainedRatio.clone();
  }
}
