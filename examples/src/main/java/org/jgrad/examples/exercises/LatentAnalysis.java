package org.jgrad.examples.exercises;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.data.metrics.Metrics;
import org.jgrad.examples.analysis.KMeans;
import org.jgrad.examples.analysis.Pca;
import org.jgrad.examples.analysis.TSne;
import org.jgrad.examples.exercises.MnistAutoencoders.Data;
import org.jgrad.examples.exercises.MnistAutoencoders.Setup;
import org.jgrad.examples.exercises.MnistAutoencoders.Trained;
import org.jgrad.examples.models.Autoencoder;
import org.jgrad.examples.models.Models;
import org.jgrad.examples.models.Models.Recon;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RunContext;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Exercise 5: the latent spaces of the dense autoencoders of {@code mnist-autoencoders} (reused
 * from its folder when trained with the same setup, trained here otherwise). The 2-D codes
 * scattered by digit; PCA and t-SNE views of the 16-, 32- and 256-D codes; k-means (k = 10,
 * k-means++, restarts) on the codes and on raw pixels, scored against the digits after Hungarian
 * matching (confusion matrix, matched accuracy, NMI: the {@code kmeans} map); and each digit's mean
 * code decoded back to an image for latent 2 and 32.
 */
public final class LatentAnalysis implements Exercise {
  @Override
  public String name() {
    return "latent-analysis";
  }

  @Override
  public String title() {
    return "Latent spaces: scatter, PCA, t-SNE, k-means, decoded digit means";
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    Setup s = Setup.of(ctx, Recon.L1);
    var r = ctx.report();
    Data d = Data.load(ctx, s);
    int n = d.testX().size(0);
    int tsneN = Math.min(n, Integer.getInteger("jgrad.tsne.points", ctx.pick(500, 3000)));
    int tsneIters = ctx.pick(350, 1000);
    int restarts = ctx.pick(4, 10);
    int[] y = Models.labels(d.testY());

    Map<Integer, Autoencoder> models = new LinkedHashMap<>();
    Map<Integer, Tensor> codes = new LinkedHashMap<>();
    int reused = 0;
    for (int latent : MnistAutoencoders.LATENTS) {
      Trained t = MnistAutoencoders.loadOrTrain(ctx, latent, d, s);
      reused += t.reused() ? 1 : 0;
      models.put(latent, t.model());
      codes.put(latent, Models.map(t.model(), d.testX(), 1000, t.model()::encode));
    }
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Autoencoders: the dense L1 autoencoders of `mnist-autoencoders` (784 → 512 → latent → 512 → 784; "
                + "%s); %s. Everything below is computed on the codes of the %d test images, except t-SNE, which embeds the first %d of them "
                + "(%s, perplexity 30, %d iterations).",
            s.describe(),
            reused == MnistAutoencoders.LATENTS.length
                ? "all four were loaded from that exercise's checkpoints"
                : reused == 0
                    ? "none of its checkpoints matched this run's setup, so all four were trained here"
                    : reused
                        + " of the four were loaded from its checkpoints and the rest trained here",
            n,
            tsneN,
            tsneN <= TSne.EXACT_LIMIT ? "exact gradients" : "Barnes–Hut, θ = 0.5",
            tsneIters));

    // ---- 2-D latent space
    r.heading("Latent 2: the codes themselves");
    double[][] pts2 = rows(codes.get(2));
    Plots.scatter(
        ctx.file("latent2_scatter.png"), "Latent-2 codes of test digits", pts2, y, "z1", "z2");
    writePoints(ctx, "latent2_scatter.csv", pts2, y);
    double knn2 = knnAccuracy(pts2, y, 5);
    r.image("latent2_scatter.png", "Test digits' 2-D codes, coloured by digit");
    Map<String, Object> knn = new LinkedHashMap<>();
    knn.put("latent_2", knn2);

    // ---- PCA and t-SNE views of the larger codes
    r.heading("Latent 16, 32 and 256: PCA and t-SNE views");
    List<List<Object>> viewRows = new ArrayList<>();
    Map<String, Object> pcaVar = new LinkedHashMap<>();
    int[] yT = java.util.Arrays.copyOf(y, tsneN);
    for (int latent : new int[] {16, 32, 256}) {
      Tensor z = codes.get(latent);
      Pca pca = Pca.fit(z, 2);
      double[][] pp = rows(pca.transform(z));
      double[] ratio = pca.explainedVarianceRatio();
      Plots.scatter(
          ctx.file("pca_" + latent + ".png"),
          String.format(
              Locale.ROOT,
              "Latent %d, PCA (%.0f%% + %.0f%% of the variance)",
              latent,
              100 * ratio[0],
              100 * ratio[1]),
          pp,
          y,
          "PC 1",
          "PC 2");
      writePoints(ctx, "pca_" + latent + ".csv", pp, y);
      long t0 = System.nanoTime();
      ctx.log("t-SNE of %d latent-%d codes, %d iterations", tsneN, latent, tsneIters);
      double[][] tp =
          rows(
              TSne.embed(
                  z.narrow(0, 0, tsneN).contiguous(),
                  30,
                  tsneIters,
                  new Generator(ctx.seed() + latent)));
      double tsneSec = (System.nanoTime() - t0) / 1e9;
      ctx.log("t-SNE of latent %d done in %.0f s", latent, tsneSec);
      Plots.scatter(
          ctx.file("tsne_" + latent + ".png"),
          "Latent " + latent + ", t-SNE of " + tsneN + " test codes",
          tp,
          yT,
          "t-SNE 1",
          "t-SNE 2");
      writePoints(ctx, "tsne_" + latent + ".csv", tp, yT);
      double[][] ppT = java.util.Arrays.copyOf(pp, tsneN);
      double knnPca = knnAccuracy(ppT, yT, 5), knnTsne = knnAccuracy(tp, yT, 5);
      knn.put("pca_" + latent, knnPca);
      knn.put("tsne_" + latent, knnTsne);
      pcaVar.put(String.valueOf(latent), ratio[0] + ratio[1]);
      viewRows.add(
          List.of(
              latent,
              ratio[0] + ratio[1],
              knnPca,
              knnTsne,
              String.format(Locale.ROOT, "%.1f", tsneSec)));
    }
    r.paragraph(
        "To compare the views with a number, each 2-D map is scored by leave-one-out 5-nearest-neighbour accuracy: how often "
            + "the majority digit among a point's five nearest neighbours in the map is its own digit (on the "
            + tsneN
            + " points embedded by t-SNE, for both views).");
    r.table(
        List.of(
            "latent",
            "PCA variance shown",
            "5-NN accuracy, PCA",
            "5-NN accuracy, t-SNE",
            "t-SNE time (s)"),
        viewRows);
    for (int latent : new int[] {16, 32, 256}) {
      r.image("pca_" + latent + ".png", "Latent " + latent + ": first two principal components");
      r.image("tsne_" + latent + ".png", "Latent " + latent + ": t-SNE");
    }

    // ---- k-means on codes and on pixels
    r.heading("k-means (k = 10) on the codes and on raw pixels");
    Map<String, Tensor> features = new LinkedHashMap<>();
    for (int latent : MnistAutoencoders.LATENTS)
      features.put("latent_" + latent, codes.get(latent));
    features.put("pixels", d.testX().reshape(n, 784));
    Map<String, Object> kmeans = new LinkedHashMap<>();
    List<List<Object>> kmRows = new ArrayList<>();
    Map<String, int[][]> confusions = new LinkedHashMap<>();
    for (var e : features.entrySet()) {
      long t0 = System.nanoTime();
      KMeans.Result res =
          KMeans.fit(
              e.getValue(), 10, restarts, 300, new Generator(ctx.seed() + e.getKey().hashCode()));
      int[] matched = Metrics.relabel(res.labels(), Metrics.matchClusters(y, res.labels()));
      for (int i = 0; i < matched.length; i++)
        if (matched[i] < 0) matched[i] = 0; // cannot happen with k = 10 classes present
      double acc = Metrics.accuracy(y, matched),
          nmi = Metrics.normalizedMutualInfo(y, res.labels());
      int[][] cm = Metrics.confusionMatrix(y, matched, 10);
      confusions.put(e.getKey(), cm);
      // The coursework's figure: cluster ids compared with labels as they come, no matching.
      double unmatched = Metrics.accuracy(y, res.labels());
      double worst = worstMatchedAccuracy(y, res.labels());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("accuracy", acc);
      m.put("unmatched_accuracy", unmatched);
      m.put("worst_matching_accuracy", worst);
      m.put("nmi", nmi);
      m.put("inertia", res.inertia());
      kmeans.put(e.getKey(), m);
      double sec = (System.nanoTime() - t0) / 1e9;
      ctx.log("k-means on %s: matched accuracy %.3f, NMI %.3f (%.1f s)", e.getKey(), acc, nmi, sec);
      kmRows.add(
          List.of(e.getKey().replace('_', ' '), e.getValue().size(1), acc, unmatched, worst, nmi));
      List<String> h = new ArrayList<>(List.of("digit"));
      List<double[]> cols = new ArrayList<>();
      double[] dig = new double[10];
      for (int i = 0; i < 10; i++) dig[i] = i;
      cols.add(dig);
      for (int j = 0; j < 10; j++) {
        h.add("cluster_for_" + j);
        double[] c = new double[10];
        for (int i = 0; i < 10; i++) c[i] = cm[i][j];
        cols.add(c);
      }
      Csv.write(ctx.file("kmeans_confusion_" + e.getKey() + ".csv"), h, cols);
    }
    r.paragraph(
        String.format(
            Locale.ROOT,
            "k-means++ seeding, %d restarts (lowest inertia kept), on all %d test images. Clusters are "
                + "matched one-to-one to digits by the Hungarian algorithm on the contingency table; the matched accuracy is the share of images "
                + "whose cluster maps to their digit. NMI is the normalised mutual information (arithmetic mean normaliser) between clusters "
                + "and digits.",
            restarts,
            n));
    r.table(
        List.of(
            "features",
            "dimensions",
            "matched accuracy",
            "unmatched (ids as labels)",
            "worst matching",
            "NMI"),
        kmRows);
    r.paragraph(unmatchedReading(kmeans));
    for (var e : confusions.entrySet()) {
      r.paragraph(
          "Confusion matrix, "
              + e.getKey().replace('_', ' ')
              + " (rows: true digit, columns: the digit its cluster was matched to):");
      List<String> h = new ArrayList<>(List.of("digit"));
      for (int j = 0; j < 10; j++) h.add(String.valueOf(j));
      List<List<Object>> rowsCm = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        List<Object> row = new ArrayList<>(List.of(i));
        for (int j = 0; j < 10; j++) row.add(e.getValue()[i][j]);
        rowsCm.add(row);
      }
      r.table(h, rowsCm);
    }

    // ---- mean code per digit, decoded
    r.heading("Common features: each digit's mean code, decoded");
    List<float[]> grid = new ArrayList<>();
    grid.addAll(meanImages(d.testX().reshape(n, 784), y));
    Map<String, Object> meanL1 = new LinkedHashMap<>();
    for (int latent : new int[] {2, 32}) {
      Autoencoder ae = models.get(latent);
      Tensor means = Tensor.of(toFloat(meanRows(codes.get(latent), y)), 10, latent);
      Tensor decoded = Models.map(ae, means, 10, ae::decode);
      for (int i = 0; i < 10; i++) grid.add(Models.image(decoded, i));
      meanL1.put(
          "latent_" + latent,
          Models.l1(
              decoded.reshape(10, 784),
              Tensor.of(flatten(meanImages(d.testX().reshape(n, 784), y)), 10, 784)));
    }
    Plots.imageGrid(
        ctx.file("digit_means.png"),
        grid.toArray(new float[0][]),
        3,
        10,
        28,
        28,
        3,
        List.of("mean image", "latent 2", "latent 32"));
    r.image(
        "digit_means.png",
        "Top: the pixel-wise mean test image of each digit; middle: the decoded mean latent-2 code; bottom: the "
            + "decoded mean latent-32 code");
    r.paragraph(
        "The decoder is non-linear, so the decoded centre of a digit's cloud of codes need not be the mean image: the pixel "
            + "mean averages all writing styles, while the decoder draws one digit from the middle of the code cloud. Mean absolute "
            + "difference per pixel between the decoded mean code and the pixel mean: "
            + fmtMap(meanL1)
            + ".");

    // ---- reading
    r.heading("Reading");
    r.paragraph(reading(kmeans, knn, confusions));

    ctx.metrics().put("kmeans", kmeans);
    ctx.metrics().put("knn5_accuracy", knn);
    ctx.metrics().put("pca_variance_2d", pcaVar);
    ctx.metrics().put("tsne_points", tsneN);
    ctx.metrics().put("tsne_method", tsneN <= TSne.EXACT_LIMIT ? "exact" : "barnes-hut");
    ctx.metrics().put("tsne_iterations", tsneIters);
    ctx.metrics().put("points", n);
    ctx.metrics().put("autoencoders_reused", reused);
    ctx.metrics().put("data", d.split().source());
  }

  private static String reading(
      Map<String, Object> kmeans, Map<String, Object> knn, Map<String, int[][]> confusions) {
    String best = null;
    double bestAcc = -1;
    for (var e : kmeans.entrySet()) {
      double acc = value(e.getValue(), "accuracy");
      if (acc > bestAcc) {
        bestAcc = acc;
        best = e.getKey();
      }
    }
    double px = value(kmeans.get("pixels"), "accuracy"), pxNmi = value(kmeans.get("pixels"), "nmi");
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "k-means matches digits best on %s (matched accuracy %.3f, NMI %.3f); on raw pixels it reaches "
                + "%.3f (NMI %.3f). ",
            best.replace('_', ' '),
            bestAcc,
            value(kmeans.get(best), "nmi"),
            px,
            pxNmi));
    List<String> better = new ArrayList<>(), worse = new ArrayList<>();
    for (var e : kmeans.entrySet()) {
      if (e.getKey().equals("pixels")) continue;
      (value(e.getValue(), "accuracy") > px ? better : worse)
          .add(e.getKey().replace("latent_", ""));
    }
    if (!better.isEmpty())
      b.append("Codes of latent size ")
          .append(String.join(", ", better))
          .append(" cluster by digit better than pixels");
    if (!better.isEmpty() && !worse.isEmpty()) b.append("; ");
    if (!worse.isEmpty())
      b.append(better.isEmpty() ? "Codes of latent size " : "those of ")
          .append(String.join(", ", worse))
          .append(" no better than pixels");
    b.append(
        ". Neither number is a classifier's accuracy: k-means never sees a label, so a digit written in two styles can split "
            + "across clusters while two similar digits share one. ");
    int[][] cm = confusions.get(best);
    int bi = 0, bj = 1;
    for (int i = 0; i < 10; i++)
      for (int j = 0; j < 10; j++)
        if (i != j && cm[i][j] > cm[bi][bj]) {
          bi = i;
          bj = j;
        }
    int row = 0;
    for (int j = 0; j < 10; j++) row += cm[bi][j];
    b.append(
        String.format(
            Locale.ROOT,
            "On %s the largest confusion is digit %d put in the cluster matched to %d (%d of %d %ds). ",
            best.replace('_', ' '),
            bi,
            bj,
            cm[bi][bj],
            row,
            bi));
    int tsneWins = 0, total = 0;
    for (int latent : new int[] {16, 32, 256}) {
      total++;
      if (((Number) knn.get("tsne_" + latent)).doubleValue()
          > ((Number) knn.get("pca_" + latent)).doubleValue()) tsneWins++;
    }
    b.append(
        String.format(
            Locale.ROOT,
            "In %d of %d latent sizes the t-SNE map keeps digits together better than the PCA map "
                + "(5-NN accuracy)%s; the latent-2 code itself scores %.3f.",
            tsneWins,
            total,
            tsneWins == total
                ? ", as expected of a method that preserves neighbourhoods rather than global variance"
                : "",
            ((Number) knn.get("latent_2")).doubleValue()));
    return b.toString();
  }

  @SuppressWarnings("unchecked")
  private static double value(Object m, String key) {
    return ((Number) ((Map<String, Object>) m).get(key)).doubleValue();
  }

  private static String fmtMap(Map<String, Object> m) {
    List<String> parts = new ArrayList<>();
    for (var e : m.entrySet())
      parts.add(
          String.format(
              Locale.ROOT,
              "%s %.4f",
              e.getKey().replace('_', ' '),
              ((Number) e.getValue()).doubleValue()));
    return String.join(", ", parts);
  }

  /** Rows of an [n, 2] tensor as double pairs. */
  static double[][] rows(Tensor t) {
    int n = t.size(0), k = t.size(1);
    double[] v = t.contiguous().toDoubleArray();
    double[][] out = new double[n][k];
    for (int i = 0; i < n; i++) System.arraycopy(v, i * k, out[i], 0, k);
    return out;
  }

  /** Mean row per label 0..9 of an [n, d] tensor (zeros for a label with no rows). */
  static double[][] meanRows(Tensor x, int[] y) {
    try (var ng = GradMode.noGrad()) {
      double[][] r = rows(x);
      int d = x.size(1);
      double[][] mean = new double[10][d];
      int[] count = new int[10];
      for (int i = 0; i < r.length; i++) {
        count[y[i]]++;
        for (int j = 0; j < d; j++) mean[y[i]][j] += r[i][j];
      }
      for (int c = 0; c < 10; c++) for (int j = 0; j < d; j++) mean[c][j] /= Math.max(1, count[c]);
      return mean;
    }
  }

  private static List<float[]> meanImages(Tensor pixels, int[] y) {
    List<float[]> out = new ArrayList<>();
    for (double[] m : meanRows(pixels, y)) {
      float[] f = new float[m.length];
      for (int j = 0; j < m.length; j++) f[j] = (float) m[j];
      out.add(f);
    }
    return out;
  }

  private static float[] toFloat(double[][] m) {
    int d = m[0].length;
    float[] f = new float[m.length * d];
    for (int i = 0; i < m.length; i++) for (int j = 0; j < d; j++) f[i * d + j] = (float) m[i][j];
    return f;
  }

  private static float[] flatten(List<float[]> rows) {
    int d = rows.get(0).length;
    float[] f = new float[rows.size() * d];
    for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, f, i * d, d);
    return f;
  }

  /**
   * Leave-one-out k-NN accuracy of the labels in a point set (majority vote, ties to the nearest).
   */
  static double knnAccuracy(double[][] p, int[] y, int k) {
    int n = p.length, correct = 0;
    double[] dist = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int c = 0; c < p[i].length; c++) {
          double t = p[i][c] - p[j][c];
          s += t * t;
        }
        dist[j] = j == i ? Double.POSITIVE_INFINITY : s;
      }
      int[] nearest = new int[k];
      double[] nd = new double[k];
      java.util.Arrays.fill(nd, Double.POSITIVE_INFINITY);
      for (int j = 0; j < n; j++) {
        if (dist[j] < nd[k - 1]) {
          int pos = k - 1;
          while (pos > 0 && nd[pos - 1] > dist[j]) {
            nd[pos] = nd[pos - 1];
            nearest[pos] = nearest[pos - 1];
            pos--;
          }
          nd[pos] = dist[j];
          nearest[pos] = j;
        }
      }
      int[] votes = new int[10];
      int bestLabel = y[nearest[0]];
      for (int m = 0; m < k; m++) votes[y[nearest[m]]]++;
      for (int c = 0; c < 10; c++) if (votes[c] > votes[bestLabel]) bestLabel = c;
      if (bestLabel == y[i]) correct++;
    }
    return (double) correct / n;
  }

  private static void writePoints(RunContext ctx, String file, double[][] p, int[] y)
      throws java.io.IOException {
    int n = p.length;
    double[] a = new double[n], b = new double[n], l = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = p[i][0];
      b[i] = p[i][1];
      l[i] = y[i];
    }
    Csv.write(ctx.file(file), List.of("x", "y", "digit"), List.of(a, b, l));
  }

  /** The accuracy under the worst one-to-one relabelling of the clusters (Hungarian on -counts). */
  static double worstMatchedAccuracy(int[] truth, int[] clusters) {
    long[][] t = Metrics.contingency(clusters, truth);
    double[][] score = new double[t.length][];
    for (int i = 0; i < t.length; i++) {
      score[i] = new double[t[i].length];
      for (int j = 0; j < t[i].length; j++) score[i][j] = -t[i][j];
    }
    int[] assign = org.jgrad.data.metrics.Hungarian.maximize(score);
    long hits = 0;
    for (int i = 0; i < assign.length; i++) if (assign[i] >= 0) hits += t[i][assign[i]];
    return (double) hits / truth.length;
  }

  /**
   * Why the coursework's k-means "accuracy" (0.07) is not comparable with the matched one, from
   * this run's numbers.
   */
  private static String unmatchedReading(Map<String, Object> kmeans) {
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    double worstLo = Double.POSITIVE_INFINITY, bestHi = Double.NEGATIVE_INFINITY;
    for (var e : kmeans.values()) {
      double u = value(e, "unmatched_accuracy");
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      worstLo = Math.min(worstLo, value(e, "worst_matching_accuracy"));
      bestHi = Math.max(bestHi, value(e, "accuracy"));
    }
    double px = value(kmeans.get("pixels"), "unmatched_accuracy");
    return String.format(
        Locale.ROOT,
        "The coursework reported a k-means \"accuracy\" of 0.07 by comparing cluster ids with digit labels "
            + "as they come. k-means numbers its clusters in the order its seeding picked them, so cluster 3 "
            + "has no reason to hold 3s: that figure measures an arbitrary pairing, not the clustering. The "
            + "column \"unmatched\" is that figure for our runs, %.3f to %.3f (%.3f on pixels); over all "
            + "one-to-one pairings of clusters and digits, the same clusterings score from %.3f (worst pairing, "
            + "\"worst matching\") to %.3f (the Hungarian matching), and a pairing drawn at random scores 0.1 "
            + "on average whatever the clusters are (each image's cluster is paired with its digit with "
            + "probability 1/10). An unmatched 0.07 is therefore a statement about the ids, below chance, and "
            + "says nothing about how well the clusters separate digits; the matched accuracy and the NMI "
            + "(which needs no pairing) do.",
        lo,
        hi,
        px,
        worstLo,
        bestHi);
  }
}
