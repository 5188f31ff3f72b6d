package org.jgrad.examples.exercises;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.data.Batch;
import org.jgrad.data.DataLoader;
import org.jgrad.data.Dataset;
import org.jgrad.data.Example;
import org.jgrad.data.Splits;
import org.jgrad.data.Subset;
import org.jgrad.data.TensorDataset;
import org.jgrad.data.transforms.Transform;
import org.jgrad.data.transforms.Transforms;
import org.jgrad.examples.analysis.Pca;
import org.jgrad.examples.models.ConvAutoencoder;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.MnistSource;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RowBatches;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.MSELoss;
import org.jgrad.optim.Adam;
import org.jgrad.optim.EarlyStopping;
import org.jgrad.tensor.Tensor;
import org.jgrad.train.Callback;
import org.jgrad.train.History;
import org.jgrad.train.Trainer;

/**
 * Exercise 7: a convolutional autoencoder (three conv and two linear layers in the encoder, the
 * decoder mirrored with transposed convolutions) for encoding sizes 4, 8, 16 and 32. A grid search
 * over learning rate × weight decay with 3-fold cross-validation picks Adam's settings per size;
 * the model is then retrained with early stopping; test MSE per size, a noise-robustness table for
 * sizes 4 and 32 with reconstruction grids, and PCA views of the latent spaces.
 *
 * <pre>{@code
 * Main.runOne(new ConvAeGridSearch(), true, 0, Path.of("runs"));
 * }</pre>
 */
public final class ConvAeGridSearch implements Exercise {
  static final int[] SIZES = {4, 8, 16, 32};
  static final double[] LRS = {1e-2, 1e-3, 1e-4};
  static final double[] WDS = {1e-3, 1e-4, 1e-5};
  static final int FOLDS = 3;

  @Override
  public String name() {
    return "conv-ae-gridsearch";
  }

  @Override
  public String title() {
    return "Convolutional autoencoder: grid search with 3-fold CV, early stopping, noise robustness, latent PCA";
  }

  /** The sizes of one run (quick or full). */
  record Plan(
      int nTrain,
      int nTest,
      int cvImages,
      int cvEpochs,
      int cvBatch,
      int maxEpochs,
      int patience,
      int batch,
      int pcaPoints) {}

  /** One noise condition applied to the test images. */
  record Condition(String key, String label, Transform transform) {}

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    Plan p =
        ctx.quick()
            ? new Plan(2000, 500, 300, 1, 16, 6, 3, 32, 500)
            : new Plan(60_000, 10_000, 10_000, 5, 64, 25, 3, 128, 2000);
    MnistSource.Split data = MnistSource.load(ctx, p.nTrain(), p.nTest());
    Tensor trainX = data.trainX(), testX = data.testX();
    int nTrain = trainX.size(0);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Plan (%s mode): grid search on the first %d training images with %d-fold "
                + "cross-validation (`Splits.kFold`), %d epoch(s) per configuration and fold, batch %d; every one of the %d "
                + "configurations (lr × weight decay) is tried for every encoding size. Then the best configuration per size "
                + "is retrained on %d training images (90%% train, 10%% validation) for at most %d epochs, batch %d, with "
                + "`EarlyStopping` (patience %d, best weights restored), and tested on %d test images. Optimizer: Adam with "
                + "L2 weight decay; loss: MSE.",
            ctx.quick() ? "quick" : "full",
            Math.min(p.cvImages(), nTrain),
            FOLDS,
            p.cvEpochs(),
            p.cvBatch(),
            LRS.length * WDS.length,
            nTrain,
            p.maxEpochs(),
            p.batch(),
            p.patience(),
            testX.size(0)));
    if (ctx.quick()) {
      r.paragraph(
          "**Quick mode:** tiny subsets and one epoch per configuration, so the grid-search ranking mostly "
              + "reflects which settings learn fastest in the first few steps; the full grid is still searched. The "
              + "cross-validated MSE is measured in eval mode, where the batch-norm layers use running statistics that are "
              + "still close to their initial values after so few steps, which is the likely reason it is far above the "
              + "retraining's validation MSE.");
    }
    ConvAutoencoder probe = new ConvAutoencoder(4, ConvAutoencoder.Layout.DEEP);
    r.code(probe.summary(1, 1, 28, 28));

    // Grid search with k-fold cross-validation.
    int cvN = Math.min(p.cvImages(), nTrain);
    TensorDataset cvDs =
        new TensorDataset(trainX.narrow(0, 0, cvN), data.trainY().narrow(0, 0, cvN));
    List<Splits.Fold> folds = Splits.kFold(cvN, FOLDS, true, ctx.seed() + 3);
    Map<Integer, double[][]> cv = new LinkedHashMap<>();
    Map<String, Object> cvMetric = new LinkedHashMap<>(), bestMetric = new LinkedHashMap<>();
    long tCv = System.nanoTime();
    for (int size : SIZES) {
      double[][] grid = new double[LRS.length][WDS.length];
      for (int i = 0; i < LRS.length; i++) {
        for (int j = 0; j < WDS.length; j++) {
          double sum = 0;
          for (int f = 0; f < folds.size(); f++) {
            Tensor.manualSeed(ctx.seed() + 100L * size + f);
            ConvAutoencoder ae = new ConvAutoencoder(size, ConvAutoencoder.Layout.DEEP);
            Adam opt = new Adam(ae.parameters(), Adam.options().lr(LRS[i]).weightDecay(WDS[j]));
            DataLoader loader =
                new DataLoader(folds.get(f).train(cvDs), p.cvBatch(), true, ctx.seed() + f);
            reconstruction(ctx, ae, opt, loader).epochs(p.cvEpochs()).build().fit();
            sum += mse(ae, inputs(folds.get(f).test(cvDs)), null);
          }
          grid[i][j] = sum / folds.size();
          ctx.log("size %d lr %.0e wd %.0e: CV MSE %.5f", size, LRS[i], WDS[j], grid[i][j]);
        }
      }
      cv.put(size, grid);
    }
    double cvSeconds = (System.nanoTime() - tCv) / 1e9;

    r.heading("Grid search (cross-validated MSE)");
    List<String> hdr = new ArrayList<>(List.of("lr", "weight decay"));
    for (int size : SIZES) hdr.add("size " + size);
    List<List<Object>> gridRows = new ArrayList<>();
    List<double[]> csvCols = new ArrayList<>();
    double[] lrCol = new double[LRS.length * WDS.length], wdCol = new double[lrCol.length];
    for (int i = 0; i < LRS.length; i++) {
      for (int j = 0; j < WDS.length; j++) {
        List<Object> row = new ArrayList<>(List.of(sci(LRS[i]), sci(WDS[j])));
        for (int size : SIZES) row.add(cv.get(size)[i][j]);
        gridRows.add(row);
        lrCol[i * WDS.length + j] = LRS[i];
        wdCol[i * WDS.length + j] = WDS[j];
      }
    }
    csvCols.add(lrCol);
    csvCols.add(wdCol);
    List<String> csvHdr = new ArrayList<>(List.of("lr", "weight_decay"));
    for (int size : SIZES) {
      double[] col = new double[lrCol.length];
      for (int i = 0; i < LRS.length; i++)
        for (int j = 0; j < WDS.length; j++) col[i * WDS.length + j] = cv.get(size)[i][j];
      csvCols.add(col);
      csvHdr.add("cv_mse_size_" + size);
    }
    Csv.write(ctx.file("grid_search.csv"), csvHdr, csvCols);
    r.table(hdr, gridRows);
    r.paragraph(String.format(Locale.ROOT, "The grid search took %.1f s.", cvSeconds));

    // Retrain the best configuration per size with early stopping.
    List<Subset<Example>> parts =
        Splits.randomSplit(
            new TensorDataset(trainX, data.trainY()), new double[] {0.9, 0.1}, ctx.seed() + 4);
    Tensor valX = inputs(parts.get(1));
    Map<Integer, ConvAutoencoder> models = new LinkedHashMap<>();
    Map<String, Object> testMse = new LinkedHashMap<>();
    List<List<Object>> sizeRows = new ArrayList<>();
    Map<String, double[][]> valCurves = new LinkedHashMap<>();
    List<String> curveHdr = new ArrayList<>(List.of("epoch"));
    List<double[]> curveCols = new ArrayList<>();
    double[] epAxis = new double[p.maxEpochs()];
    for (int i = 0; i < epAxis.length; i++) epAxis[i] = i + 1;
    curveCols.add(epAxis);
    for (int size : SIZES) {
      double[][] grid = cv.get(size);
      int bi = 0, bj = 0;
      for (int i = 0; i < LRS.length; i++) {
        for (int j = 0; j < WDS.length; j++)
          if (grid[i][j] < grid[bi][bj]) {
            bi = i;
            bj = j;
          }
      }
      Tensor.manualSeed(ctx.seed() + 1000L * size);
      ConvAutoencoder ae = new ConvAutoencoder(size, ConvAutoencoder.Layout.DEEP);
      Adam opt = new Adam(ae.parameters(), Adam.options().lr(LRS[bi]).weightDecay(WDS[bj]));
      EarlyStopping stopper =
          new EarlyStopping(EarlyStopping.Mode.MIN, p.patience(), 0)
              .restoreBestWeights(ae::stateDict, ae::loadStateDict);
      DataLoader loader = new DataLoader(parts.get(0), p.batch(), true, ctx.seed() + 5);
      long t0 = System.nanoTime();
      // The trainer restores the best weights whether the stopper stops or the epochs run out.
      History h =
          reconstruction(ctx, ae, opt, loader)
              .validation(RowBatches.inOrder(valX, valX, 1000))
              .epochs(p.maxEpochs())
              .earlyStopping(stopper, "val_loss")
              .callback(
                  new Callback() {
                    @Override
                    public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
                      ctx.log(
                          "retrain size %d epoch %d: train MSE %.5f, val MSE %.5f",
                          size, epoch, logs.get("loss"), logs.get("val_loss"));
                    }
                  })
              .build()
              .fit();
      if (stopper.shouldStop())
        ctx.log("retrain size %d: early stop after epoch %d", size, h.size());
      List<Double> vals = java.util.Arrays.stream(h.column("val_loss")).boxed().toList();
      double secs = (System.nanoTime() - t0) / 1e9;
      double test = mse(ae, testX, null);
      models.put(size, ae);
      testMse.put(String.valueOf(size), test);
      double[] v = vals.stream().mapToDouble(Double::doubleValue).toArray();
      double[] ex = java.util.Arrays.copyOf(epAxis, v.length);
      valCurves.put("size " + size, new double[][] {ex, v});
      curveHdr.add("val_mse_size_" + size);
      curveCols.add(v);
      sizeRows.add(
          List.of(
              size,
              sci(LRS[bi]),
              sci(WDS[bj]),
              grid[bi][bj],
              vals.size(),
              stopper.bestEpoch() + 1,
              stopper.best(),
              test,
              secs));
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("lr", LRS[bi]);
      b.put("weight_decay", WDS[bj]);
      b.put("cv_mse", grid[bi][bj]);
      b.put("epochs_run", vals.size());
      b.put("best_epoch", stopper.bestEpoch() + 1);
      bestMetric.put(String.valueOf(size), b);
      Map<String, Object> g = new LinkedHashMap<>();
      for (int i = 0; i < LRS.length; i++)
        for (int j = 0; j < WDS.length; j++)
          g.put("lr" + sci(LRS[i]) + "_wd" + sci(WDS[j]), grid[i][j]);
      cvMetric.put(String.valueOf(size), g);
    }
    r.heading("Retraining with early stopping: test MSE per encoding size");
    r.table(
        List.of(
            "size",
            "best lr",
            "best wd",
            "CV MSE",
            "epochs run",
            "best epoch",
            "best val MSE",
            "test MSE",
            "time (s)"),
        sizeRows);
    Plots.lines(
        ctx.file("retrain_val.png"),
        "Validation MSE per epoch while retraining",
        "epoch",
        "validation MSE",
        valCurves,
        false);
    Csv.write(ctx.file("retrain_val.csv"), curveHdr, curveCols);
    r.image("retrain_val.png", "Validation MSE per epoch for each encoding size");
    r.paragraph(sizeReading(testMse));

    // Noise robustness for sizes 4 and 32.
    r.heading("Noise robustness (sizes 4 and 32)");
    List<Condition> conds = new ArrayList<>();
    conds.add(new Condition("none", "none", x -> x));
    double[] sigmas = {0.1, 0.3, 0.5, 1, 2};
    for (int k = 0; k < sigmas.length; k++) {
      conds.add(
          new Condition(
              "gaussian_" + OptimizerComparison.trim(sigmas[k]),
              "Gaussian σ = " + OptimizerComparison.trim(sigmas[k]),
              Transforms.gaussianNoise(sigmas[k], ctx.seed() + 50 + k)));
    }
    conds.add(
        new Condition("uniform", "uniform U[0, 1)", Transforms.uniformNoise(ctx.seed() + 60)));
    conds.add(
        new Condition(
            "occlusion",
            "random 14×14 occlusion",
            Transforms.randomOcclusion(14, 0, ctx.seed() + 61)));
    r.paragraph(
        "Each test image is corrupted (`Transforms`: Gaussian noise added, uniform noise added, or one random "
            + "14×14 square set to 0), fed to the autoencoders trained on clean images, and the reconstruction is compared "
            + "with the clean image (MSE). The corrupted inputs are not clipped to [0, 1]. Grids: row 1 clean images, row 2 "
            + "corrupted inputs, row 3 reconstructions by size 4, row 4 by size 32.");
    int[] examples = firstOfEachDigit(data.testY());
    Tensor exClean = testX.indexSelect(0, Tensor.ofLongs(toLongs(examples), examples.length));
    List<List<Object>> noiseRows = new ArrayList<>();
    Map<String, Object> noise4 = new LinkedHashMap<>(), noise32 = new LinkedHashMap<>();
    double[] m4 = new double[conds.size()], m32 = new double[conds.size()];
    for (int c = 0; c < conds.size(); c++) {
      Condition cond = conds.get(c);
      Tensor noisy = cond.transform().apply(testX);
      m4[c] = mse(models.get(4), noisy, testX);
      m32[c] = mse(models.get(32), noisy, testX);
      double inputMse = meanSquared(noisy, testX);
      noise4.put(cond.key(), m4[c]);
      noise32.put(cond.key(), m32[c]);
      noiseRows.add(List.of(cond.label(), inputMse, m4[c], m32[c]));
      Tensor exNoisy = cond.transform().apply(exClean);
      float[][] imgs = new float[4 * examples.length][];
      float[] clean = exClean.toFloatArray(), in = exNoisy.toFloatArray();
      float[] r4, r32;
      try (var ng = GradMode.noGrad()) {
        models.get(4).eval();
        models.get(32).eval();
        r4 = models.get(4).call(exNoisy).toFloatArray();
        r32 = models.get(32).call(exNoisy).toFloatArray();
      }
      for (int k = 0; k < examples.length; k++) {
        imgs[k] = java.util.Arrays.copyOfRange(clean, k * 784, (k + 1) * 784);
        imgs[examples.length + k] = java.util.Arrays.copyOfRange(in, k * 784, (k + 1) * 784);
        imgs[2 * examples.length + k] = java.util.Arrays.copyOfRange(r4, k * 784, (k + 1) * 784);
        imgs[3 * examples.length + k] = java.util.Arrays.copyOfRange(r32, k * 784, (k + 1) * 784);
      }
      Plots.imageGrid(
          ctx.file("recon_" + cond.key() + ".png"),
          imgs,
          4,
          examples.length,
          28,
          28,
          2,
          List.of("clean", "corrupted", "size 4", "size 32"));
    }
    r.table(
        List.of("corruption", "MSE of the corrupted input", "MSE, size 4", "MSE, size 32"),
        noiseRows);
    for (Condition cond : conds) {
      r.image(
          "recon_" + cond.key() + ".png",
          "Corruption: " + cond.label() + " (rows: clean, corrupted input, size 4, size 32)");
    }
    r.paragraph(noiseReading(conds, m4, m32));

    // PCA of the latent codes.
    r.heading("PCA views of the latent spaces");
    int nPca = Math.min(p.pcaPoints(), testX.size(0));
    Tensor pcaX = testX.narrow(0, 0, nPca);
    int[] labels = new int[nPca];
    long[] ly = data.testY().narrow(0, 0, nPca).toLongArray();
    for (int i = 0; i < nPca; i++) labels[i] = (int) ly[i];
    List<List<Object>> pcaRows = new ArrayList<>();
    Map<String, Object> pcaMetric = new LinkedHashMap<>();
    for (int size : SIZES) {
      Tensor codes;
      try (var ng = GradMode.noGrad()) {
        models.get(size).eval();
        codes = models.get(size).encode(pcaX);
      }
      Pca pca = Pca.fit(codes, 2);
      double[] xy = pca.transform(codes).toDoubleArray();
      double[][] pts = new double[nPca][];
      for (int i = 0; i < nPca; i++) pts[i] = new double[] {xy[2 * i], xy[2 * i + 1]};
      double[] ratio = pca.explainedVarianceRatio();
      Plots.scatter(
          ctx.file("pca_size" + size + ".png"),
          String.format(
              Locale.ROOT,
              "Encoding size %d: PCA of %d test codes (%.0f%% + %.0f%% of the variance)",
              size,
              nPca,
              100 * ratio[0],
              100 * ratio[1]),
          pts,
          labels,
          "PC 1",
          "PC 2");
      double[] c1 = new double[nPca], c2 = new double[nPca], lab = new double[nPca];
      for (int i = 0; i < nPca; i++) {
        c1[i] = pts[i][0];
        c2[i] = pts[i][1];
        lab[i] = labels[i];
      }
      Csv.write(
          ctx.file("pca_size" + size + ".csv"),
          List.of("pc1", "pc2", "digit"),
          List.of(c1, c2, lab));
      pcaRows.add(List.of(size, ratio[0], ratio[1], ratio[0] + ratio[1]));
      pcaMetric.put(String.valueOf(size), List.of(ratio[0], ratio[1]));
    }
    r.table(List.of("size", "PC 1 share", "PC 2 share", "together"), pcaRows);
    for (int size : SIZES)
      r.image(
          "pca_size" + size + ".png",
          "Latent codes of size "
              + size
              + ", first two principal "
              + "components, coloured by digit");
    double[] together = pcaRows.stream().mapToDouble(row -> (double) row.get(3)).toArray();
    boolean falling = true;
    for (int i = 1; i < together.length; i++) falling &= together[i] < together[i - 1];
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Two principal components keep %.0f%% of the code variance for size 4 and "
                + "%.0f%% for size 32%s. Where this share is well below 100%%, the 2-D picture hides part of the code's "
                + "structure, and digits that overlap in it may still be apart in the remaining directions.",
            100 * together[0],
            100 * together[together.length - 1],
            falling
                ? ", falling with every larger code"
                : " (the share does not fall steadily with the code size here: a few directions dominate some codes)"));

    var m = ctx.metrics();
    m.put("test_mse", testMse);
    m.put("best_config", bestMetric);
    m.put("cv_mse", cvMetric);
    Map<String, Object> noise = new LinkedHashMap<>();
    noise.put("4", noise4);
    noise.put("32", noise32);
    m.put("noise_mse", noise);
    m.put("pca_explained", pcaMetric);
    m.put("cv_seconds", cvSeconds);
  }

  private static String sizeReading(Map<String, Object> testMse) {
    StringBuilder s = new StringBuilder("Test MSE by encoding size: ");
    double prev = Double.NaN;
    int falls = 0;
    for (var e : testMse.entrySet()) {
      double v = (double) e.getValue();
      s.append(String.format(Locale.ROOT, "%s → %.5f; ", e.getKey(), v));
      if (v < prev) falls++;
      prev = v;
    }
    s.setLength(s.length() - 2);
    s.append(". ");
    s.append(
        falls == testMse.size() - 1
            ? "Every larger code reconstructs better, as a wider bottleneck lets more of "
                + "the image through."
            : String.format(
                Locale.ROOT,
                "The error falls in %d of the %d steps to a larger code.",
                falls,
                testMse.size() - 1));
    return s.toString();
  }

  private static String noiseReading(List<Condition> conds, double[] m4, double[] m32) {
    int better32 = 0;
    for (int c = 0; c < conds.size(); c++) if (m32[c] < m4[c]) better32++;
    int worst4 = argmax(m4), worst32 = argmax(m32);
    return String.format(
        Locale.ROOT,
        "Size 32 has the lower error under %d of the %d conditions. The hardest condition "
            + "is %s for size 4 (MSE %.4f) and %s for size 32 (MSE %.4f); compared with clean inputs the error grows %.1f× "
            + "(size 4) and %.1f× (size 32) in the worst case. A narrow code cannot pass the noise through, but it also "
            + "keeps less of the digit, so which size is more robust depends on the corruption, as the table shows.",
        better32,
        conds.size(),
        conds.get(worst4).label(),
        m4[worst4],
        conds.get(worst32).label(),
        m32[worst32],
        m4[worst4] / m4[0],
        m32[worst32] / m32[0]);
  }

  private static int argmax(double[] v) {
    int b = 0;
    for (int i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
    return b;
  }

  /**
   * A trainer of {@code ae} on MSE reconstruction of the batches' inputs (the loaders hold (image,
   * label) pairs; the labels are not used).
   */
  static Trainer.Builder reconstruction(
      RunContext ctx, ConvAutoencoder ae, Adam opt, Iterable<Batch> loader) {
    MSELoss mse = new MSELoss();
    return ctx.trainer(ae, opt, mse::forward)
        .trainLoss((model, b) -> mse.forward(model.call(b.inputs()), b.inputs()))
        .train(loader);
  }

  /**
   * Reconstruction MSE of {@code inputs} against {@code targets} (the inputs themselves when null),
   * in chunks.
   */
  static double mse(ConvAutoencoder ae, Tensor inputs, Tensor targets) {
    Tensor t = targets == null ? inputs : targets;
    ae.eval();
    double sum = 0;
    int n = inputs.size(0);
    try (var ng = GradMode.noGrad()) {
      for (int from = 0; from < n; from += 1000) {
        int len = Math.min(1000, n - from);
        Tensor rec = ae.call(inputs.narrow(0, from, len));
        sum += rec.sub(t.narrow(0, from, len)).square().sum().item();
      }
    }
    return sum / ((double) n * 784);
  }

  private static double meanSquared(Tensor a, Tensor b) {
    try (var ng = GradMode.noGrad()) {
      return a.sub(b).square().mean().item();
    }
  }

  private static Tensor inputs(Dataset<Example> ds) {
    int[] idx = SurfaceRegression.range(ds.size());
    return ((org.jgrad.data.BatchSource) ds).batch(idx).inputs();
  }

  private static int[] firstOfEachDigit(Tensor labels) {
    long[] y = labels.toLongArray();
    int[] first = new int[10];
    java.util.Arrays.fill(first, -1);
    int found = 0;
    for (int i = 0; i < y.length && found < 10; i++) {
      int d = (int) y[i];
      if (d >= 0 && d < 10 && first[d] < 0) {
        first[d] = i;
        found++;
      }
    }
    return java.util.Arrays.stream(first).filter(i -> i >= 0).toArray();
  }

  private static long[] toLongs(int[] v) {
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) out[i] = v[i];
    return out;
  }

  private static String sci(double v) {
    return String.format(Locale.ROOT, "%.0e", v);
  }
}
