package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.jgrad.backend.DType;
import org.jgrad.data.io.TabularData;
import org.jgrad.data.synthetic.Synthetic;
import org.jgrad.examples.analysis.SymmetricEigen;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RunContext;
import org.jgrad.examples.support.TabularSource;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Exercise (part 2, item 5): reconstruction RMSE of PCA against the number of components, for
 * 50-dimensional Gaussian data (0–50 components) and Iris (0–4), computed twice: with an own PCA
 * (covariance matrix from jgrad tensors, eigenvectors by Jacobi rotations in {@link
 * SymmetricEigen}) and with EJML's SVD of the centred data. The two curves must coincide; the Iris
 * projection on the first two components is plotted by species.
 */
public final class PcaCurves implements Exercise {
  @Override
  public String name() {
    return "pca-curves";
  }

  @Override
  public String title() {
    return "PCA reconstruction error against the number of components: own PCA and EJML's SVD";
  }

  /** RMSE for k = 0..d components by both methods, and the own PCA's eigenvalues. */
  record Curves(double[] own, double[] svd, double[] eigenvalues, double[][] projection2) {}

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    int d = 50, n = ctx.pick(200, 1000);
    // A covariance with a decaying spectrum λ_j = 4·0.85^j in a random orthonormal basis, so the
    // curve has a shape to read (a few strong directions, then a long tail) and PCA has to find
    // the rotation.
    double[] lambda = new double[d];
    for (int j = 0; j < d; j++) lambda[j] = 4 * Math.pow(0.85, j);
    double[][] q = randomRotation(d, new Generator(ctx.seed() + 5));
    double[][] cov = new double[d][d];
    for (int i = 0; i < d; i++)
      for (int j = 0; j < d; j++)
        for (int k = 0; k < d; k++) cov[i][j] += q[i][k] * lambda[k] * q[j][k];
    for (int i = 0; i < d; i++)
      for (int j = 0; j < i; j++) cov[i][j] = cov[j][i] = (cov[i][j] + cov[j][i]) / 2;
    float[] gx = Synthetic.gaussianMatrix(n, new double[d], cov, ctx.seed() + 6);
    double[][] gauss = rows(gx, n, d);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Gaussian data: %d samples of N(0, Σ) in %d dimensions (`Synthetic.gaussianMatrix`), Σ = Q·diag(λ)·Qᵀ with "
                + "λ_j = 4·0.85^j (j = 0…49, from %.3g down to %.3g) and Q a random orthonormal basis (Gram–Schmidt on a Gaussian matrix). "
                + "Reconstruction with k components: x̂ = x̄ + V_k·V_kᵀ·(x − x̄); RMSE = √(mean over all entries of (x − x̂)²). "
                + "Own PCA: the covariance XcᵀXc/(n − 1) computed with jgrad float64 tensors, its eigenvectors by cyclic "
                + "Jacobi rotations (`analysis.SymmetricEigen`, no library). EJML: the right-singular vectors of the centred "
                + "data (`DecompositionFactory_DDRM.svd`).",
            n,
            d,
            lambda[0],
            lambda[d - 1]));

    Curves g = curves(gauss);
    Map<String, Object> rmse = new LinkedHashMap<>();
    rmse.put("gaussian50", curveMetrics(g));
    ctx.metrics().put("rmse_curve", rmse);

    r.heading("50-D Gaussian data");
    writeCurve(ctx, "rmse_gaussian50", "50-D Gaussian data", g);
    r.image(
        "rmse_gaussian50.png",
        "Reconstruction RMSE against the number of components, 50-D Gaussian data");
    r.paragraph(reading(g, n, "the 50-D Gaussian data"));
    r.table(
        List.of("k", "own PCA RMSE", "EJML SVD RMSE", "|difference|"),
        tableRows(g, new int[] {0, 1, 2, 5, 10, 20, 30, 40, 49, 50}));

    r.heading("Iris");
    TabularSource.Table iris = TabularSource.load(ctx, TabularSource.Name.IRIS);
    TabularData id = iris.data();
    Curves ic = curves(rows(id.features(), id.rows(), id.cols()));
    rmse.put("iris", curveMetrics(ic));
    ctx.metrics().put("iris_real_data", iris.real());
    writeCurve(ctx, "rmse_iris", "Iris (" + iris.source() + ")", ic);
    r.image("rmse_iris.png", "Reconstruction RMSE against the number of components, Iris");
    r.paragraph(reading(ic, id.rows(), iris.real() ? "Iris" : "the Iris stand-in"));
    r.table(
        List.of("k", "own PCA RMSE", "EJML SVD RMSE", "|difference|"),
        tableRows(ic, new int[] {0, 1, 2, 3, 4}));
    double[] ev = ic.eigenvalues();
    double tot = 0;
    for (double v : ev) tot += v;
    r.paragraph(
        String.format(
            Locale.ROOT,
            "The first two components carry %.1f%% and %.1f%% of the variance: the 2-D view below keeps %.1f%% "
                + "of the data's spread.",
            100 * ev[0] / tot,
            100 * ev[1] / tot,
            100 * (ev[0] + ev[1]) / tot));
    double[][] p2 = ic.projection2();
    Plots.scatter(
        ctx.file("iris_pca.png"),
        "Iris projected on the first two principal components",
        p2,
        id.labels(),
        "PC 1",
        "PC 2");
    Csv.write(
        ctx.file("iris_pca.csv"),
        List.of("pc1", "pc2", "label"),
        List.of(
            col(p2, 0),
            col(p2, 1),
            java.util.Arrays.stream(id.labels()).asDoubleStream().toArray()));
    r.image(
        "iris_pca.png",
        "Iris on the first two principal components, coloured by class "
            + classLegend(id.classNames()));
  }

  private static String classLegend(List<String> names) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < names.size(); i++)
      sb.append(i > 0 ? ", " : "").append(i).append(" = ").append(names.get(i));
    return sb.append(")").toString();
  }

  private static Map<String, Object> curveMetrics(Curves c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("own", c.own());
    m.put("ejml_svd", c.svd());
    m.put("max_abs_difference", maxDiff(c));
    return m;
  }

  static double maxDiff(Curves c) {
    double m = 0;
    for (int k = 0; k < c.own().length; k++) m = Math.max(m, Math.abs(c.own()[k] - c.svd()[k]));
    return m;
  }

  private static List<List<Object>> tableRows(Curves c, int[] ks) {
    List<List<Object>> rows = new ArrayList<>();
    for (int k : ks)
      rows.add(List.of(k, c.own()[k], c.svd()[k], Math.abs(c.own()[k] - c.svd()[k])));
    return rows;
  }

  /** Sentences computed from the curve: agreement, the identity with the eigenvalues, the elbow. */
  private static String reading(Curves c, int n, String what) {
    int d = c.own().length - 1;
    double[] ev = c.eigenvalues();
    // RMSE_k² · d = (n−1)/n · (sum of the discarded covariance eigenvalues): the curve is the
    // spectrum's tail, which checks both methods against the eigenvalues themselves.
    double worst = 0;
    for (int k = 0; k <= d; k++) {
      double tail = 0;
      for (int j = k; j < d; j++) tail += Math.max(0, ev[j]);
      double predicted = Math.sqrt(tail * (n - 1) / n / d);
      worst = Math.max(worst, Math.abs(predicted - c.own()[k]));
    }
    int half = -1, tenth = -1;
    for (int k = 0; k <= d; k++) {
      if (half < 0 && c.own()[k] <= 0.5 * c.own()[0]) half = k;
      if (tenth < 0 && c.own()[k] <= 0.1 * c.own()[0]) tenth = k;
    }
    return String.format(
        Locale.ROOT,
        "For %s the two curves agree to %.2e at every k (largest difference), so the own PCA and EJML's SVD find "
            + "the same subspaces. The curve falls from %.4f (k = 0, the data's RMS deviation from its mean) to %.2e at "
            + "k = %d%s. It also matches √((n − 1)/n · Σ_{j ≥ k} λ_j / d) from the own eigenvalues to %.2e. "
            + "Half of the k = 0 error is gone at k = %d and 90%% at k = %d.",
        what,
        maxDiff(c),
        c.own()[0],
        c.own()[d],
        d,
        c.own()[d] < 1e-9 * c.own()[0] ? " (rounding error only: all directions kept)" : "",
        worst,
        half,
        tenth);
  }

  private static void writeCurve(RunContext ctx, String file, String what, Curves c)
      throws IOException {
    double[] k = new double[c.own().length];
    for (int i = 0; i < k.length; i++) k[i] = i;
    Csv.write(
        ctx.file(file + ".csv"), List.of("k", "own_pca", "ejml_svd"), List.of(k, c.own(), c.svd()));
    plotCurve(ctx.file(file + ".png"), what, k, c.own(), c.svd());
  }

  private static void plotCurve(Path png, String what, double[] k, double[] own, double[] svd)
      throws IOException {
    Plots.lines(
        png,
        "Reconstruction RMSE, " + what,
        "number of components k",
        "RMSE",
        Plots.series(
            "own PCA (covariance + Jacobi)",
            new double[][] {k, own},
            "EJML SVD",
            new double[][] {k, svd}),
        false);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    List<String> done = new ArrayList<>();
    for (String f : List.of("rmse_gaussian50", "rmse_iris")) {
      Path csv = dir.resolve(f + ".csv");
      if (!Files.exists(csv)) continue;
      var c = Csv.read(csv);
      plotCurve(
          dir.resolve(f + ".png"),
          f.equals("rmse_iris") ? "Iris" : "50-D Gaussian data",
          c.get("k"),
          c.get("own_pca"),
          c.get("ejml_svd"));
      done.add(f + ".png");
    }
    return done;
  }

  /** Both curves for the rows of {@code x}. */
  static Curves curves(double[][] x) {
    int n = x.length, d = x[0].length;
    // Own PCA: covariance with jgrad tensors, eigenvectors by Jacobi.
    double[] flat = new double[n * d];
    for (int i = 0; i < n; i++) System.arraycopy(x[i], 0, flat, i * d, d);
    Tensor t = Tensor.of(flat, n, d);
    Tensor mean = t.mean(0, true);
    Tensor xc = t.sub(mean);
    Tensor cov = xc.t().matmul(xc).div(n - 1);
    double[][] c = rows(cov.toDoubleArray(), d, d);
    for (int i = 0; i < d; i++)
      for (int j = 0; j < i; j++) c[i][j] = c[j][i] = (c[i][j] + c[j][i]) / 2;
    SymmetricEigen eig = SymmetricEigen.of(c);
    double[][] ownV = new double[d][];
    for (int k = 0; k < d; k++) ownV[k] = eig.vector(k);
    double[] own = rmseCurve(xc, ownV);

    // EJML: right-singular vectors of the centred data.
    double[] xcv = xc.toDoubleArray();
    DMatrixRMaj m = new DMatrixRMaj(n, d);
    for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) m.set(i, j, xcv[i * d + j]);
    SingularValueDecomposition_F64<DMatrixRMaj> svd =
        DecompositionFactory_DDRM.svd(n, d, false, true, true);
    if (!svd.decompose(m))
      throw new IllegalStateException("pca-curves: EJML's SVD did not converge");
    double[] s = svd.getSingularValues();
    DMatrixRMaj vt = svd.getV(null, true);
    Integer[] order = new Integer[s.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    java.util.Arrays.sort(order, (a, b) -> Double.compare(s[b], s[a]));
    double[][] svdV = new double[Math.min(d, s.length)][d];
    for (int k = 0; k < svdV.length; k++)
      for (int j = 0; j < d; j++) svdV[k][j] = vt.get(order[k], j);
    double[] viaSvd = rmseCurve(xc, svdV);

    double[][] p2 = new double[n][2];
    for (int i = 0; i < n; i++)
      for (int k = 0; k < Math.min(2, d); k++) {
        double v = 0;
        for (int j = 0; j < d; j++) v += xcv[i * d + j] * ownV[k][j];
        p2[i][k] = v;
      }
    // Sign convention: largest-magnitude loading positive, so the picture is reproducible.
    for (int k = 0; k < Math.min(2, d); k++) {
      int arg = 0;
      for (int j = 1; j < d; j++) if (Math.abs(ownV[k][j]) > Math.abs(ownV[k][arg])) arg = j;
      if (ownV[k][arg] < 0) for (double[] p : p2) p[k] = -p[k];
    }
    return new Curves(own, viaSvd, eig.values(), p2);
  }

  /** RMSE of reconstructing the centred rows from the first k of {@code v}, for k = 0..d. */
  private static double[] rmseCurve(Tensor xc, double[][] v) {
    int n = xc.size(0), d = xc.size(1);
    double[] out = new double[d + 1];
    for (int k = 0; k <= d; k++) {
      Tensor rec;
      if (k == 0 || k > v.length) {
        rec = k == 0 ? Tensor.zeros(DType.FLOAT64, n, d) : null;
        if (rec == null) {
          out[k] = out[k - 1];
          continue;
        }
      } else {
        double[] vk = new double[k * d];
        for (int i = 0; i < k; i++) System.arraycopy(v[i], 0, vk, i * d, d);
        Tensor basis = Tensor.of(vk, k, d); // [k, d]
        rec = xc.matmul(basis.t()).matmul(basis);
      }
      out[k] = Math.sqrt(xc.sub(rec).square().mean().item());
    }
    return out;
  }

  /** A random d×d rotation: Gram–Schmidt on a Gaussian matrix. */
  static double[][] randomRotation(int d, Generator g) {
    double[][] q = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) q[i][j] = g.nextGaussian();
      for (int p = 0; p < i; p++) {
        double dot = 0;
        for (int j = 0; j < d; j++) dot += q[i][j] * q[p][j];
        for (int j = 0; j < d; j++) q[i][j] -= dot * q[p][j];
      }
      double norm = 0;
      for (int j = 0; j < d; j++) norm += q[i][j] * q[i][j];
      norm = Math.sqrt(norm);
      for (int j = 0; j < d; j++) q[i][j] /= norm;
    }
    return q;
  }

  static double[][] rows(float[] v, int n, int d) {
    double[][] out = new double[n][d];
    for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) out[i][j] = v[i * d + j];
    return out;
  }

  static double[][] rows(double[] v, int n, int d) {
    double[][] out = new double[n][d];
    for (int i = 0; i < n; i++) System.arraycopy(v, i * d, out[i], 0, d);
    return out;
  }

  private static double[] col(double[][] a, int j) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) out[i] = a[i][j];
    return out;
  }
}
