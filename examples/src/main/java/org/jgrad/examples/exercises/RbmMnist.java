package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.backend.DType;
import org.jgrad.examples.models.Models;
import org.jgrad.examples.models.Rbm;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.MnistSource;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RunContext;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Part 3, exercise 1: a Bernoulli RBM trained with CD-k on binarised MNIST. Pseudo-log-likelihood
 * per epoch ({@code pseudo_likelihood}), one-at-a-time sweeps over hidden units, learning rate and
 * training iterations (epochs), samples after 1, 10, 100 and 1000 Gibbs steps, and in-painting of
 * removed bands by clamped Gibbs sampling ({@code inpaint_error}, against filling in the mean
 * training image).
 */
public final class RbmMnist implements Exercise {
  static final int[] GIBBS_STEPS = {1, 10, 100, 1000};

  @Override
  public String name() {
    return "rbm-mnist";
  }

  @Override
  public String title() {
    return "Bernoulli RBM on binarised MNIST: CD-k, pseudo-likelihood, Gibbs samples, in-painting";
  }

  /** Training settings of the RBM exercises (rbm-mnist, and dbm-mnist's pretraining). */
  public record Setup(
      int trainCount,
      int testCount,
      int hidden,
      int epochs,
      int batch,
      double lr,
      double momentum,
      double weightDecay,
      int k,
      int sweepTrain,
      int sweepEpochs,
      int[] sweepHidden,
      double[] sweepLr,
      int inpaintImages,
      int inpaintSteps) {
    static Setup of(RunContext ctx) {
      return new Setup(
          ctx.pick(600, 60000),
          ctx.pick(200, 10000),
          ctx.pick(64, 256),
          ctx.pick(2, 10),
          ctx.pick(50, 100),
          0.05,
          0.5,
          1e-4,
          1,
          ctx.pick(300, 10000),
          ctx.pick(1, 5),
          ctx.quick() ? new int[] {16, 64} : new int[] {64, 128, 256, 512},
          ctx.quick() ? new double[] {0.01, 0.1} : new double[] {0.01, 0.05, 0.2},
          ctx.pick(100, 500),
          ctx.pick(30, 200));
    }

    String describe() {
      return String.format(
          Locale.ROOT,
          "CD-%d, batch %d, learning rate %s, momentum %s, weight decay %s, %d epochs",
          k,
          batch,
          lr,
          momentum,
          weightDecay,
          epochs);
    }
  }

  /** Binarised MNIST as [n, 784] 0/1 rows. */
  public record Binary(Tensor train, Tensor test, Tensor testY, MnistSource.Split split) {
    public static Binary load(RunContext ctx, int trainCount, int testCount) throws IOException {
      MnistSource.Split s = MnistSource.load(ctx, trainCount, testCount);
      return new Binary(binarise(s.trainX()), binarise(s.testX()), s.testY(), s);
    }

    static Tensor binarise(Tensor x) {
      return x.reshape(x.size(0), 784).gt(0.5).to(DType.FLOAT32);
    }
  }

  /** A trained RBM and its per-epoch curves. */
  public record Trained(
      Rbm rbm,
      double[] trainPl,
      double[] testPl,
      double[] recon,
      double testPlStdErr,
      double seconds) {}

  /**
   * Trains an RBM with {@code hidden} units on {@code train} for {@code epochs} epochs, measuring
   * the pseudo-likelihood of (up to 1000) training rows and of {@code test} after each epoch, with
   * the same flipped pixels every epoch so that the curve is not noise.
   */
  public static Trained train(
      RunContext ctx,
      String label,
      Tensor train,
      Tensor test,
      int hidden,
      int epochs,
      int batch,
      double lr,
      Setup s) {
    Generator g = new Generator(ctx.seed() * 7919 + hidden);
    Rbm rbm = new Rbm(784, hidden, g);
    rbm.initVisibleBias(train);
    int n = train.size(0);
    Tensor trainProbe = train.narrow(0, 0, Math.min(1000, n));
    double[] trPl = new double[epochs], tePl = new double[epochs], rec = new double[epochs];
    long t0 = System.nanoTime();
    for (int e = 0; e < epochs; e++) {
      Tensor perm = Tensor.randperm(n, g);
      double sum = 0;
      int batches = 0;
      for (int start = 0; start < n; start += batch) {
        Tensor v = train.indexSelect(0, perm.narrow(0, start, Math.min(batch, n - start)));
        // momentum 0.5 for the first epoch, then 0.9 once the weights have settled (Hinton's
        // guide)
        double mom = e == 0 ? s.momentum() : 0.9;
        sum += rbm.cd(v, s.k(), lr, mom, s.weightDecay(), g);
        batches++;
      }
      rec[e] = sum / batches;
      trPl[e] = rbm.pseudoLikelihood(trainProbe, new Generator(12345));
      tePl[e] = rbm.pseudoLikelihood(test, new Generator(54321));
      ctx.log(
          "%s epoch %d/%d: reconstruction MSE %.4f, pseudo-likelihood train %.2f, test %.2f (%.0f s)",
          label, e + 1, epochs, rec[e], trPl[e], tePl[e], (System.nanoTime() - t0) / 1e9);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Tensor terms = rbm.pseudoLikelihoodTerms(test, new Generator(54321));
    double stdErr = Math.sqrt(terms.var().item() / terms.numel());
    return new Trained(rbm, trPl, tePl, rec, stdErr, seconds);
  }

  /** The bands removed for in-painting: name, first row, rows, first column, columns. */
  record Band(String name, int row0, int rows, int col0, int cols) {
    Tensor known() {
      float[] m = new float[784];
      for (int i = 0; i < 28; i++) {
        for (int j = 0; j < 28; j++) {
          boolean inside = i >= row0 && i < row0 + rows && j >= col0 && j < col0 + cols;
          m[i * 28 + j] = inside ? 0f : 1f;
        }
      }
      return Tensor.of(m, 784);
    }
  }

  static final Band[] BANDS = {
    new Band("top 10 rows", 0, 10, 0, 28),
    new Band("middle rows 10-17", 10, 8, 0, 28),
    new Band("bottom 10 rows", 18, 10, 0, 28),
    new Band("left 10 columns", 0, 28, 0, 10),
    new Band("right 10 columns", 0, 28, 18, 10)
  };

  @Override
  public void run(RunContext ctx) throws Exception {
    Setup s = Setup.of(ctx);
    var r = ctx.report();
    Binary d = Binary.load(ctx, s.trainCount(), s.testCount());
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Pixels binarised at 0.5. A Bernoulli RBM 784 visible – %d hidden units, weights N(0, 0.01²), visible biases "
                + "the logits of the pixel means, trained on %d images with %s. The pseudo-log-likelihood (PL) is "
                + "scikit-learn's stochastic form: 784 · log σ(F(ṽ) − F(v)) with one random pixel flipped per image, "
                + "averaged over %d test images (and 1000 training images), in nats per image.",
            s.hidden(),
            d.train().size(0),
            s.describe(),
            d.test().size(0)));

    // ---- the main model
    Trained base =
        train(
            ctx,
            "RBM " + s.hidden(),
            d.train(),
            d.test(),
            s.hidden(),
            s.epochs(),
            s.batch(),
            s.lr(),
            s);
    Rbm rbm = base.rbm();
    double[] ep = new double[s.epochs()];
    for (int e = 0; e < ep.length; e++) ep[e] = e + 1;
    Csv.write(
        ctx.file("pseudo_likelihood.csv"),
        List.of("epoch", "train_pl", "test_pl", "reconstruction_mse"),
        List.of(ep, base.trainPl(), base.testPl(), base.recon()));
    plotPl(ctx.out(), ep, base.trainPl(), base.testPl());
    double finalPl = base.testPl()[s.epochs() - 1];

    // ---- sweeps, one setting at a time around the main one, on a subset
    Tensor sweepTrain = d.train().narrow(0, 0, Math.min(s.sweepTrain(), d.train().size(0)));
    List<List<Object>> sweepRows = new ArrayList<>();
    Map<String, Object> sweepMetrics = new LinkedHashMap<>();
    double[] hiddenPl = new double[s.sweepHidden().length];
    for (int i = 0; i < s.sweepHidden().length; i++) {
      int h = s.sweepHidden()[i];
      Trained t =
          train(
              ctx,
              "sweep hidden " + h,
              sweepTrain,
              d.test(),
              h,
              s.sweepEpochs(),
              s.batch(),
              s.lr(),
              s);
      hiddenPl[i] = last(t.testPl());
      sweepRows.add(row("hidden units", h, h, s.lr(), s.sweepEpochs(), sweepTrain.size(0), t));
      sweepMetrics.put("hidden_" + h, hiddenPl[i]);
    }
    double[] lrPl = new double[s.sweepLr().length];
    for (int i = 0; i < s.sweepLr().length; i++) {
      double lr = s.sweepLr()[i];
      Trained t =
          train(
              ctx,
              "sweep lr " + lr,
              sweepTrain,
              d.test(),
              s.hidden(),
              s.sweepEpochs(),
              s.batch(),
              lr,
              s);
      lrPl[i] = last(t.testPl());
      sweepRows.add(
          row("learning rate", lr, s.hidden(), lr, s.sweepEpochs(), sweepTrain.size(0), t));
      sweepMetrics.put("lr_" + lr, lrPl[i]);
    }
    // iterations: the main model's test PL after each epoch (same run, so no retraining)
    for (int e = 0; e < s.epochs(); e++) {
      if (e == 0 || e == s.epochs() - 1 || (e + 1) % Math.max(1, s.epochs() / 4) == 0) {
        sweepRows.add(
            List.of(
                "iterations (epochs)",
                e + 1,
                s.hidden(),
                s.lr(),
                e + 1,
                d.train().size(0),
                base.recon()[e],
                base.testPl()[e],
                "(main run)"));
      }
    }

    // ---- Gibbs samples from test digits
    int[] first = Models.firstOfEachDigit(d.testY());
    List<Integer> starts = new ArrayList<>();
    for (int i : first) if (i >= 0) starts.add(i);
    Tensor startV =
        d.test()
            .indexSelect(
                0, Tensor.ofLongs(starts.stream().mapToLong(i -> i).toArray(), starts.size()));
    List<Tensor> chains = rbm.gibbs(startV, GIBBS_STEPS, new Generator(ctx.seed() + 5));
    List<float[]> grid = new ArrayList<>();
    List<String> labels = new ArrayList<>(List.of("start (test digit)"));
    for (float[] im : Models.images(startV, starts.size())) grid.add(im);
    for (int k = 0; k < GIBBS_STEPS.length; k++) {
      labels.add(GIBBS_STEPS[k] + " step" + (GIBBS_STEPS[k] == 1 ? "" : "s"));
      for (float[] im : Models.images(chains.get(k), starts.size())) grid.add(im);
    }
    Plots.imageGrid(
        ctx.file("gibbs_samples.png"),
        grid.toArray(new float[0][]),
        labels.size(),
        starts.size(),
        28,
        28,
        3,
        labels);
    // how far the chains moved from their start: fraction of pixels whose 0.5-threshold differs
    double[] moved = new double[GIBBS_STEPS.length];
    for (int k = 0; k < GIBBS_STEPS.length; k++) {
      moved[k] = chains.get(k).gt(0.5).to(DType.FLOAT32).sub(startV).abs().mean().item();
    }
    Plots.imageGrid(
        ctx.file("filters.png"),
        Models.columnImages(rbm.weight(), 64),
        Math.min(8, (Math.min(64, s.hidden()) + 7) / 8),
        8,
        28,
        28,
        2);

    // ---- in-painting
    int nIn = Math.min(s.inpaintImages(), d.test().size(0));
    Tensor inV = d.test().narrow(0, 0, nIn);
    Tensor mean = d.train().mean(0, true);
    List<List<Object>> bandRows = new ArrayList<>();
    Map<String, Object> inpaintErr = new LinkedHashMap<>(), inpaintBase = new LinkedHashMap<>();
    List<float[]> inGrid = new ArrayList<>();
    List<String> inLabels = new ArrayList<>();
    int show = Math.min(8, starts.size());
    Tensor showIdx = Tensor.ofLongs(starts.stream().limit(show).mapToLong(i -> i).toArray(), show);
    double sumErr = 0, sumBase = 0;
    for (Band b : BANDS) {
      Tensor known = b.known(), unknown = known.neg().add(1);
      double count = unknown.sum().item() * nIn;
      Tensor filled = rbm.inpaint(inV, known, s.inpaintSteps(), new Generator(ctx.seed() + 17));
      double err = filled.sub(inV).abs().mul(unknown).sum().item() / count;
      double bitErr =
          filled.gt(0.5).to(DType.FLOAT32).sub(inV).abs().mul(unknown).sum().item() / count;
      Tensor meanFill = inV.mul(known).add(mean.mul(unknown));
      double baseErr = meanFill.sub(inV).abs().mul(unknown).sum().item() / count;
      sumErr += err;
      sumBase += baseErr;
      inpaintErr.put(b.name(), err);
      inpaintBase.put(b.name(), baseErr);
      bandRows.add(
          List.of(b.name(), (int) unknown.sum().item(), err, bitErr, baseErr, err / baseErr));
      Tensor shown = d.test().indexSelect(0, showIdx);
      Tensor masked = shown.mul(known).add(unknown.mul(0.5));
      Tensor shownFill =
          rbm.inpaint(shown, known, s.inpaintSteps(), new Generator(ctx.seed() + 17));
      inLabels.add(b.name() + " removed");
      for (float[] im : Models.images(masked, show)) inGrid.add(im);
      inLabels.add("in-painted");
      for (float[] im : Models.images(shownFill, show)) inGrid.add(im);
    }
    Plots.imageGrid(
        ctx.file("inpainting.png"),
        inGrid.toArray(new float[0][]),
        inLabels.size(),
        show,
        28,
        28,
        3,
        inLabels);
    double meanErr = sumErr / BANDS.length, meanBase = sumBase / BANDS.length;

    // ---- report
    r.heading("Pseudo-likelihood");
    r.image(
        "pseudo_likelihood.png",
        "Pseudo-log-likelihood per epoch (nats per image; higher is better)");
    r.table(
        List.of("epoch", "reconstruction MSE", "train PL", "test PL"),
        java.util.stream.IntStream.range(0, s.epochs())
            .mapToObj(
                e -> List.<Object>of(e + 1, base.recon()[e], base.trainPl()[e], base.testPl()[e]))
            .toList());
    r.heading("Sweeps");
    r.paragraph(
        String.format(
            Locale.ROOT,
            "One setting varied at a time around the main run (%d hidden units, learning rate %s), each trained for %d "
                + "epochs on the first %d training images; the iteration rows are the main run's own epochs (%d images).",
            s.hidden(),
            s.lr(),
            s.sweepEpochs(),
            sweepTrain.size(0),
            d.train().size(0)));
    r.table(
        List.of(
            "varied",
            "value",
            "hidden",
            "lr",
            "epochs",
            "train images",
            "final reconstruction MSE",
            "test PL",
            "time (s)"),
        sweepRows);
    r.heading("Gibbs samples");
    r.image(
        "gibbs_samples.png",
        "Chains started at one test digit of each class; p(v | h) after 1, 10, 100 and 1000 block Gibbs steps");
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Fraction of pixels (thresholded at 0.5) that differ from the start digit: %s.",
            stepsList(moved)));
    r.image("filters.png", "Weights of the first hidden units (each scaled to its own range)");
    r.heading("In-painting");
    r.paragraph(
        String.format(
            Locale.ROOT,
            "For %d test digits each band is removed and refilled by %d Gibbs steps with the remaining pixels clamped, "
                + "from random bits; the fill is the mean of p(v | h) over the last half of the steps. Errors are mean "
                + "absolute differences to the binary digit over the removed pixels only; the baseline fills in the mean "
                + "training image.",
            nIn,
            s.inpaintSteps()));
    r.table(
        List.of(
            "band",
            "removed pixels",
            "RBM mean abs error",
            "RBM bit error (0.5 threshold)",
            "mean-image error",
            "RBM / mean-image"),
        bandRows);
    r.image("inpainting.png", "Removed band (grey) and the RBM's fill, for each band");
    r.heading("Reading");
    r.paragraph(reading(s, base, hiddenPl, lrPl, moved, bandRows, meanErr, meanBase));

    ctx.metrics().put("pseudo_likelihood", finalPl);
    ctx.metrics().put("pseudo_likelihood_std_error", base.testPlStdErr());
    ctx.metrics().put("pseudo_likelihood_train", last(base.trainPl()));
    ctx.metrics().put("reconstruction_mse", last(base.recon()));
    ctx.metrics().put("inpaint_error", meanErr);
    ctx.metrics().put("inpaint_error_per_band", inpaintErr);
    ctx.metrics().put("inpaint_mean_image_error", inpaintBase);
    ctx.metrics().put("sweep_test_pl", sweepMetrics);
    ctx.metrics().put("gibbs_moved_fraction", moved);
    ctx.metrics().put("hidden", s.hidden());
    ctx.metrics().put("epochs", s.epochs());
    ctx.metrics().put("train_images", d.train().size(0));
    ctx.metrics().put("train_seconds", base.seconds());
    ctx.metrics().put("data", d.split().source());
  }

  private static List<Object> row(
      String varied, Object value, int hidden, double lr, int epochs, int images, Trained t) {
    return List.of(
        varied,
        value,
        hidden,
        lr,
        epochs,
        images,
        last(t.recon()),
        last(t.testPl()),
        String.format(Locale.ROOT, "%.1f", t.seconds()));
  }

  private static double last(double[] a) {
    return a[a.length - 1];
  }

  private static String stepsList(double[] moved) {
    List<String> parts = new ArrayList<>();
    for (int k = 0; k < moved.length; k++)
      parts.add(String.format(Locale.ROOT, "%.3f after %d", moved[k], GIBBS_STEPS[k]));
    return String.join(", ", parts);
  }

  private static String reading(
      Setup s,
      Trained base,
      double[] hiddenPl,
      double[] lrPl,
      double[] moved,
      List<List<Object>> bandRows,
      double meanErr,
      double meanBase) {
    StringBuilder b = new StringBuilder();
    double firstPl = base.testPl()[0], lastPl = last(base.testPl());
    int best = 0;
    for (int e = 1; e < base.testPl().length; e++)
      if (base.testPl()[e] > base.testPl()[best]) best = e;
    b.append(
        String.format(
            Locale.ROOT,
            "The test pseudo-likelihood goes from %.2f after epoch 1 to %.2f after epoch %d (best %.2f at epoch %d); ",
            firstPl,
            lastPl,
            s.epochs(),
            base.testPl()[best],
            best + 1));
    double gap = last(base.trainPl()) - lastPl;
    b.append(
        String.format(
            Locale.ROOT,
            "the training images score %.2f nats %s than the test images at the end. ",
            Math.abs(gap),
            gap >= 0 ? "higher" : "lower"));
    int hb = argMax(hiddenPl), lb = argMax(lrPl);
    b.append(
        String.format(
            Locale.ROOT,
            "In the sweeps the best test PL comes from %d hidden units (%.2f, against %.2f for %d) and learning rate %s "
                + "(%.2f, against %.2f for %s). ",
            s.sweepHidden()[hb],
            hiddenPl[hb],
            hiddenPl[argMin(hiddenPl)],
            s.sweepHidden()[argMin(hiddenPl)],
            s.sweepLr()[lb],
            lrPl[lb],
            lrPl[argMin(lrPl)],
            s.sweepLr()[argMin(lrPl)]));
    double se = base.testPlStdErr();
    double hGap = hiddenPl[hb] - second(hiddenPl), lGap = lrPl[lb] - second(lrPl);
    b.append(
        String.format(
            Locale.ROOT,
            "The PL estimate is stochastic (one flipped pixel per image): on the %d test images its standard error is "
                + "%.2f nats (main model), so the best hidden size leads the next one by %.2f nats (%s) and the best "
                + "learning rate leads the next one by %.2f nats (%s). ",
            s.testCount(),
            se,
            hGap,
            hGap > 2 * se
                ? "more than two standard errors"
                : "within two standard errors: not a clear difference",
            lGap,
            lGap > 2 * se
                ? "more than two standard errors"
                : "within two standard errors: not a clear difference"));
    b.append(
        String.format(
            Locale.ROOT,
            "Gibbs chains started at test digits change %.1f%% of their pixels after one step and %.1f%% after %d steps: ",
            100 * moved[0],
            100 * moved[moved.length - 1],
            GIBBS_STEPS[GIBBS_STEPS.length - 1]));
    b.append(
        moved[moved.length - 1] > 2 * moved[0]
            ? "the chains wander away from their start, towards other modes of the model. "
            : "the chains stay close to their start, so mixing between digit modes is slow. ");
    int worst = 0, bestBand = 0;
    for (int i = 1; i < bandRows.size(); i++) {
      double ratio = ((Number) bandRows.get(i).get(5)).doubleValue();
      if (ratio > ((Number) bandRows.get(worst).get(5)).doubleValue()) worst = i;
      if (ratio < ((Number) bandRows.get(bestBand).get(5)).doubleValue()) bestBand = i;
    }
    b.append(
        String.format(
            Locale.ROOT,
            "In-painting leaves a mean absolute error of %.4f over the removed pixels, %.0f%% of the mean-image fill's "
                + "%.4f; relative to that baseline it does best on the %s (%.2f×) and worst on the %s (%.2f×).",
            meanErr,
            100 * meanErr / meanBase,
            meanBase,
            bandRows.get(bestBand).get(0),
            ((Number) bandRows.get(bestBand).get(5)).doubleValue(),
            bandRows.get(worst).get(0),
            ((Number) bandRows.get(worst).get(5)).doubleValue()));
    return b.toString();
  }

  // the second-largest value
  private static double second(double[] a) {
    double[] c = a.clone();
    java.util.Arrays.sort(c);
    return c.length < 2 ? c[0] : c[c.length - 2];
  }

  private static int argMax(double[] a) {
    int k = 0;
    for (int i = 1; i < a.length; i++) if (a[i] > a[k]) k = i;
    return k;
  }

  private static int argMin(double[] a) {
    int k = 0;
    for (int i = 1; i < a.length; i++) if (a[i] < a[k]) k = i;
    return k;
  }

  private static void plotPl(Path dir, double[] ep, double[] train, double[] test)
      throws IOException {
    Plots.lines(
        dir.resolve("pseudo_likelihood.png"),
        "RBM pseudo-log-likelihood per epoch",
        "epoch",
        "pseudo-log-likelihood (nats / image)",
        Plots.series(
            "train (1000 images)", new double[][] {ep, train}, "test", new double[][] {ep, test}),
        false);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    var csv = Csv.read(dir.resolve("pseudo_likelihood.csv"));
    plotPl(dir, csv.get("epoch"), csv.get("train_pl"), csv.get("test_pl"));
    return List.of("pseudo_likelihood.png");
  }
}
