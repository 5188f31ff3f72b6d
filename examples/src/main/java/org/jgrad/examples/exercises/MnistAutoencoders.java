package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.examples.models.Autoencoder;
import org.jgrad.examples.models.DenseAutoencoder;
import org.jgrad.examples.models.Models;
import org.jgrad.examples.models.Models.Recon;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.MnistSource;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RowBatches;
import org.jgrad.examples.support.RunContext;
import org.jgrad.optim.Adam;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.jgrad.train.Callback;
import org.jgrad.train.History;
import org.jgrad.train.Trainer;

/**
 * Exercise 3: dense MNIST autoencoders with latent sizes 2, 16, 32 and 256, trained with L1 loss
 * (MSE with {@code -Djgrad.ae.loss=mse}) and Adam on a 90/10 train/validation split: loss curves,
 * test error per latent size ({@code test_l1}), and reconstructions of the same test digits. The
 * trained models are saved as {@code ae-latent-N.safetensors}, which {@code latent-analysis} and
 * {@code mnist-conv-autoencoders} reuse when present.
 */
public final class MnistAutoencoders implements Exercise {
  /** Latent sizes of the exercise. */
  public static final int[] LATENTS = {2, 16, 32, 256};

  static final String NAME = "mnist-autoencoders";

  private final Recon loss;

  /**
   * Uses the loss named by the system property {@code jgrad.ae.loss} ("l1", the default, or "mse").
   */
  public MnistAutoencoders() {
    this(Recon.parse(System.getProperty("jgrad.ae.loss", "l1")));
  }

  public MnistAutoencoders(Recon loss) {
    this.loss = loss;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "Dense MNIST autoencoders, latent 2/16/32/256";
  }

  /** How the dense autoencoders are trained, in quick or full mode. */
  public record Setup(
      int trainCount,
      int testCount,
      int epochs,
      int batch,
      double lr,
      Recon loss,
      boolean quick,
      long seed) {
    public static Setup of(RunContext ctx, Recon loss) {
      return new Setup(
          ctx.pick(3000, 60000),
          ctx.pick(1000, 10000),
          ctx.pick(5, 10),
          ctx.pick(32, 64),
          1e-3,
          loss,
          ctx.quick(),
          ctx.seed());
    }

    /** Checkpoint metadata: a saved model is reused only when all of this matches. */
    Map<String, String> meta(int latent, String source) {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("exercise", NAME);
      m.put("model", "DenseAutoencoder");
      m.put("latent", String.valueOf(latent));
      m.put("quick", String.valueOf(quick));
      m.put("train_images", String.valueOf(trainCount));
      m.put("epochs", String.valueOf(epochs));
      m.put("batch", String.valueOf(batch));
      m.put("loss", loss.name());
      m.put("seed", String.valueOf(seed));
      m.put("data", source);
      return m;
    }

    String describe() {
      return String.format(
          Locale.ROOT, "Adam (lr %s), batch %d, %d epochs, %s loss", lr, batch, epochs, loss);
    }
  }

  /**
   * MNIST with the training part split 90/10 into train and validation, the same in every exercise
   * that uses it.
   */
  public record Data(
      MnistSource.Split split, Tensor trainX, Tensor valX, Tensor testX, Tensor testY) {
    public static Data load(RunContext ctx, Setup s) throws java.io.IOException {
      MnistSource.Split split = MnistSource.load(ctx, s.trainCount(), s.testCount());
      int n = split.trainX().size(0), nVal = Math.max(1, n / 10);
      Tensor perm = Tensor.randperm(n, new Generator(s.seed() + 7));
      Tensor val = split.trainX().indexSelect(0, perm.narrow(0, 0, nVal));
      Tensor train = split.trainX().indexSelect(0, perm.narrow(0, nVal, n - nVal));
      return new Data(split, train, val, split.testX(), split.testY());
    }
  }

  /**
   * A trained autoencoder with its per-epoch curves (empty when it was loaded from a checkpoint).
   */
  public record Trained(
      Autoencoder model, double[] trainLoss, double[] valLoss, boolean reused, double seconds) {}

  /** Trains a new dense autoencoder, logging every epoch. */
  public static Trained train(RunContext ctx, int latent, Data d, Setup s) {
    Tensor.manualSeed(s.seed() * 1000 + latent);
    return train(ctx, "dense", new DenseAutoencoder(latent), d, s);
  }

  /**
   * Trains {@code ae} on the training part of {@code d} to reproduce its input, logging every
   * epoch.
   */
  public static Trained train(RunContext ctx, String kind, Autoencoder ae, Data d, Setup s) {
    int latent = ae.latent();
    Adam opt = new Adam(ae.parameters(), Adam.options().lr(s.lr()));
    Generator g = new Generator(s.seed() + 31L * latent);
    Tensor x = d.trainX();
    long t0 = System.nanoTime();
    History h =
        ctx.trainer(ae, opt, s.loss()::loss)
            .train(RowBatches.shuffled(x, x, s.batch(), g))
            .validation(RowBatches.inOrder(d.valX(), d.valX(), 500))
            .epochs(s.epochs())
            .callback(
                new Callback() {
                  @Override
                  public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
                    ctx.log(
                        "%s latent %d epoch %d/%d: train %s %.4f, validation %.4f (%.0f s)",
                        kind,
                        latent,
                        epoch,
                        s.epochs(),
                        s.loss(),
                        logs.get("loss"),
                        logs.get("val_loss"),
                        (System.nanoTime() - t0) / 1e9);
                  }
                })
            .build()
            .fit();
    double[] tr = h.column("loss"), va = h.column("val_loss");
    return new Trained(ae, tr, va, false, (System.nanoTime() - t0) / 1e9);
  }

  /**
   * The dense autoencoder that {@code mnist-autoencoders} saved next to {@code ctx}'s folder, when
   * it was trained with the same setup; otherwise a new one trained here.
   */
  public static Trained loadOrTrain(RunContext ctx, int latent, Data d, Setup s)
      throws java.io.IOException {
    Path file = checkpoint(ctx.out().toAbsolutePath().getParent().resolve(NAME), latent);
    DenseAutoencoder ae = new DenseAutoencoder(latent);
    if (Models.loadCheckpoint(ae, file, s.meta(latent, d.split().source()))) {
      ctx.log("dense latent %d: reusing %s", latent, file);
      return new Trained(ae, new double[0], new double[0], true, 0);
    }
    ctx.log("dense latent %d: no matching checkpoint at %s, training one", latent, file);
    return train(ctx, latent, d, s);
  }

  static Path checkpoint(Path dir, int latent) {
    return dir.resolve("ae-latent-" + latent + ".safetensors");
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    Setup s = Setup.of(ctx, loss);
    var r = ctx.report();
    Data d = Data.load(ctx, s);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Dense autoencoders 784 → 512 → latent → 512 → 784 (ReLU hidden layers, linear code; linear output clamped to [0, 1] at evaluation, because a sigmoid output gets stuck on the all-black image under L1 loss) for latent sizes 2, 16, 32 "
                + "and 256, trained on %d images with %d held out for validation; %s. Test errors are over %d test images.",
            d.trainX().size(0),
            d.valX().size(0),
            s.describe(),
            d.testX().size(0)));

    Map<String, double[][]> trainCurves = new LinkedHashMap<>(), valCurves = new LinkedHashMap<>();
    Map<String, Object> testL1 = new LinkedHashMap<>(),
        testMse = new LinkedHashMap<>(),
        valFinal = new LinkedHashMap<>();
    List<List<Object>> rows = new ArrayList<>();
    int[] show = Models.firstOfEachDigit(d.testY());
    List<float[]> grid = new ArrayList<>();
    for (int i : show) grid.add(i < 0 ? null : Models.image(d.testX(), i));
    double[] l1s = new double[LATENTS.length];
    List<String> headers = new ArrayList<>(List.of("epoch"));
    List<double[]> cols = new ArrayList<>();
    double[] ep = new double[s.epochs()];
    for (int e = 0; e < s.epochs(); e++) ep[e] = e + 1;
    cols.add(ep);
    for (int k = 0; k < LATENTS.length; k++) {
      int latent = LATENTS[k];
      Trained t = train(ctx, latent, d, s);
      Models.saveCheckpoint(
          t.model(), checkpoint(ctx.out(), latent), s.meta(latent, d.split().source()));
      Tensor recon = Models.predict(t.model(), d.testX(), 1000);
      double l1 = Models.l1(recon, d.testX()), mse = Models.mse(recon, d.testX());
      l1s[k] = l1;
      testL1.put(String.valueOf(latent), l1);
      testMse.put(String.valueOf(latent), mse);
      valFinal.put(String.valueOf(latent), t.valLoss()[s.epochs() - 1]);
      trainCurves.put("latent " + latent, new double[][] {ep, t.trainLoss()});
      valCurves.put("latent " + latent, new double[][] {ep, t.valLoss()});
      headers.add("train_" + latent);
      headers.add("val_" + latent);
      cols.add(t.trainLoss());
      cols.add(t.valLoss());
      rows.add(
          List.of(
              latent,
              t.model().numParameters(),
              t.trainLoss()[s.epochs() - 1],
              t.valLoss()[s.epochs() - 1],
              l1,
              mse,
              String.format(Locale.ROOT, "%.1f", t.seconds())));
      for (int i : show) grid.add(i < 0 ? null : Models.image(recon, i));
    }
    Csv.write(ctx.file("loss_curves.csv"), headers, cols);
    plotCurves(ctx.out(), s.loss().toString(), trainCurves, valCurves);
    Plots.imageGrid(
        ctx.file("reconstructions.png"),
        grid.toArray(new float[0][]),
        1 + LATENTS.length,
        10,
        28,
        28,
        3,
        java.util.stream.Stream.concat(
                java.util.stream.Stream.of("test digit"),
                java.util.Arrays.stream(LATENTS).mapToObj(l -> "latent " + l))
            .toList());

    r.heading("Results");
    r.table(
        List.of(
            "latent",
            "parameters",
            "final train " + s.loss(),
            "final validation " + s.loss(),
            "test L1",
            "test MSE",
            "train time (s)"),
        rows);
    r.image(
        "loss_train.png",
        "Training loss per epoch: running mean over the epoch's mini-batches, outputs not clamped");
    r.image(
        "loss_validation.png",
        "Validation loss after each epoch (eval mode, outputs clamped to [0, 1])");
    r.image(
        "reconstructions.png",
        "Top row: test digits 0–9; then reconstructions by latent 2, 16, 32 and 256");
    r.heading("Reading");
    r.paragraph(reading(l1s, rows, s));
    r.paragraph(
        "The models are saved as `ae-latent-N.safetensors` (with their training setup as metadata) for `latent-analysis` and "
            + "`mnist-conv-autoencoders`.");

    ctx.metrics().put("test_l1", testL1);
    ctx.metrics().put("test_mse", testMse);
    ctx.metrics().put("val_loss_final", valFinal);
    ctx.metrics().put("loss", s.loss().name());
    ctx.metrics().put("train_images", d.trainX().size(0));
    ctx.metrics().put("epochs", s.epochs());
    ctx.metrics().put("data", d.split().source());
  }

  private static String reading(double[] l1, List<List<Object>> rows, Setup s) {
    StringBuilder b = new StringBuilder();
    int best = 0;
    for (int k = 1; k < l1.length; k++) if (l1[k] < l1[best]) best = k;
    boolean monotone = true;
    for (int k = 1; k < l1.length; k++) monotone &= l1[k] <= l1[k - 1];
    b.append(
        String.format(
            Locale.ROOT,
            "The lowest test L1 is %.4f at latent %d; latent 2 reaches %.4f, %.1f× the error of latent %d. ",
            l1[best],
            LATENTS[best],
            l1[0],
            l1[0] / l1[best],
            LATENTS[best]));
    b.append(
        monotone
            ? "The error falls with every increase of the latent size in this run. "
            : "The error does not fall monotonically with the latent size in this run, so beyond some size the code is not the "
                + "bottleneck (the 512-wide hidden layers, the number of training steps and the optimisation are). ");
    // Relative gap between the final validation loss and the last epoch's running training loss
    // (which is
    // measured on unclamped outputs while the weights still move, so it tends to sit above
    // validation).
    double maxGap = Double.NEGATIVE_INFINITY;
    int gapAt = 0;
    for (int k = 0; k < rows.size(); k++) {
      double train = ((Number) rows.get(k).get(2)).doubleValue(),
          val = ((Number) rows.get(k).get(3)).doubleValue();
      double gap = (val - train) / train;
      if (gap > maxGap) {
        maxGap = gap;
        gapAt = LATENTS[k];
      }
    }
    if (maxGap > 0.1) {
      b.append(
          String.format(
              Locale.ROOT,
              "The final validation loss exceeds the last epoch's training loss by up to %.0f%% (latent %d), "
                  + "a sign of over-fitting on %d training images. ",
              100 * maxGap,
              gapAt,
              s.trainCount() - s.trainCount() / 10));
    } else if (maxGap > 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "The final validation loss is at most %.0f%% above the last epoch's training loss (latent %d): "
                  + "no marked over-fitting in %d epochs. ",
              100 * maxGap,
              gapAt,
              s.epochs()));
    } else {
      b.append(
          String.format(
              Locale.ROOT,
              "For every latent size the final validation loss is below the last epoch's running training "
                  + "loss, so there is no sign of over-fitting in %d epochs (the models are still under-trained rather than over-trained). ",
              s.epochs()));
    }
    return b.toString();
  }

  private static void plotCurves(
      Path dir, String loss, Map<String, double[][]> trainCurves, Map<String, double[][]> valCurves)
      throws IOException {
    Plots.lines(
        dir.resolve("loss_train.png"),
        "Dense autoencoders: training " + loss + " per epoch (running mean)",
        "epoch",
        "training " + loss,
        trainCurves,
        false);
    Plots.lines(
        dir.resolve("loss_validation.png"),
        "Dense autoencoders: validation " + loss + " after each epoch",
        "epoch",
        "validation " + loss,
        valCurves,
        false);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    Map<String, double[]> csv = Csv.read(dir.resolve("loss_curves.csv"));
    double[] ep = csv.get("epoch");
    Map<String, double[][]> trainCurves = new LinkedHashMap<>(), valCurves = new LinkedHashMap<>();
    for (var e : csv.entrySet()) {
      String key = e.getKey();
      if (key.startsWith("train_"))
        trainCurves.put("latent " + key.substring(6), new double[][] {ep, e.getValue()});
      if (key.startsWith("val_"))
        valCurves.put("latent " + key.substring(4), new double[][] {ep, e.getValue()});
    }
    String metrics = Files.readString(dir.resolve("metrics.json"));
    plotCurves(dir, metrics.contains("\"loss\": \"MSE\"") ? "MSE" : "L1", trainCurves, valCurves);
    return List.of("loss_train.png", "loss_validation.png");
  }
}
