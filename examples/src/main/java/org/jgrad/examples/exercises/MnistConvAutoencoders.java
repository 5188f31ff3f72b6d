package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.examples.exercises.MnistAutoencoders.Data;
import org.jgrad.examples.exercises.MnistAutoencoders.Setup;
import org.jgrad.examples.exercises.MnistAutoencoders.Trained;
import org.jgrad.examples.models.ConvAutoencoder;
import org.jgrad.examples.models.Models;
import org.jgrad.examples.models.Models.Recon;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RunContext;
import org.jgrad.tensor.Tensor;

/**
 * Exercise 4: convolutional autoencoders with latent sizes 2 and 32, trained exactly as the dense
 * ones of {@code mnist-autoencoders} (same data split, L1 loss, Adam, epochs, batch) and compared
 * with them on test error and reconstructions. The dense models are reused from {@code
 * mnist-autoencoders}' folder when that exercise has run in the same mode (same setup), and trained
 * here otherwise.
 */
public final class MnistConvAutoencoders implements Exercise {
  static final int[] LATENTS = {2, 32};

  @Override
  public String name() {
    return "mnist-conv-autoencoders";
  }

  @Override
  public String title() {
    return "Convolutional vs dense MNIST autoencoders, latent 2 and 32";
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    // The very setup of mnist-autoencoders, so that its saved dense models are reused when present.
    Setup s = Setup.of(ctx, Recon.L1);
    var r = ctx.report();
    Data d = Data.load(ctx, s);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Convolutional autoencoders (encoder: conv 1→16, 3×3 stride 2 → ReLU → conv 16→32, 3×3 stride 2 → ReLU → linear 1568 → "
                + "latent; decoder: linear → ReLU → [32, 7, 7] → transposed conv 32→16 stride 2 → ReLU → transposed conv 16→1 stride 2, "
                + "linear output clamped to [0, 1] at evaluation) against the dense ones of `mnist-autoencoders` (784 → 512 → latent → "
                + "512 → 784), both for latent sizes 2 and 32, trained on the same %d images (%d held out for validation) with %s. "
                + "Test errors are over %d test images.",
            d.trainX().size(0),
            d.valX().size(0),
            s.describe(),
            d.testX().size(0)));

    int[] show = Models.firstOfEachDigit(d.testY());
    List<float[]> grid = new ArrayList<>();
    for (int i : show) grid.add(i < 0 ? null : Models.image(d.testX(), i));
    Map<String, Object> testL1 = new LinkedHashMap<>(), testMse = new LinkedHashMap<>();
    Map<String, double[][]> trainCurves = new LinkedHashMap<>(), valCurves = new LinkedHashMap<>();
    List<List<Object>> rows = new ArrayList<>();
    List<String> headers = new ArrayList<>(List.of("epoch"));
    List<double[]> cols = new ArrayList<>();
    double[] ep = new double[s.epochs()];
    for (int e = 0; e < s.epochs(); e++) ep[e] = e + 1;
    cols.add(ep);
    List<String> readings = new ArrayList<>();
    boolean anyReused = false;
    for (int latent : LATENTS) {
      Trained dense = MnistAutoencoders.loadOrTrain(ctx, latent, d, s);
      anyReused |= dense.reused();
      Tensor.manualSeed(s.seed() * 1000 + 500 + latent);
      Trained conv = MnistAutoencoders.train(ctx, "conv", new ConvAutoencoder(latent), d, s);
      double[] l1 = new double[2];
      int k = 0;
      for (Trained t : List.of(dense, conv)) {
        String kind = t == dense ? "dense" : "conv";
        Tensor recon = Models.predict(t.model(), d.testX(), 500);
        l1[k++] = Models.l1(recon, d.testX());
        testL1.put(kind + "_" + latent, l1[k - 1]);
        testMse.put(kind + "_" + latent, Models.mse(recon, d.testX()));
        rows.add(
            List.of(
                kind,
                latent,
                t.model().numParameters(),
                l1[k - 1],
                Models.mse(recon, d.testX()),
                t.reused() ? "reused" : String.format(Locale.ROOT, "%.1f", t.seconds())));
        for (int i : show) grid.add(i < 0 ? null : Models.image(recon, i));
        if (!t.reused()) {
          trainCurves.put(kind + " latent " + latent, new double[][] {ep, t.trainLoss()});
          valCurves.put(kind + " latent " + latent, new double[][] {ep, t.valLoss()});
          headers.add("train_" + kind + "_" + latent);
          headers.add("val_" + kind + "_" + latent);
          cols.add(t.trainLoss());
          cols.add(t.valLoss());
        }
      }
      double rel = (l1[1] - l1[0]) / l1[0];
      readings.add(
          String.format(
              Locale.ROOT,
              "At latent %d the convolutional autoencoder's test L1 is %.4f against %.4f for the dense one: "
                  + "%s by %.0f%%%s.",
              latent,
              l1[1],
              l1[0],
              rel < 0 ? "lower" : "higher",
              100 * Math.abs(rel),
              Math.abs(rel) < 0.03 ? ", a difference too small to call on one run" : ""));
    }
    Csv.write(ctx.file("loss_curves.csv"), headers, cols);
    plotCurves(ctx.out(), trainCurves, valCurves);
    Plots.imageGrid(
        ctx.file("reconstructions.png"),
        grid.toArray(new float[0][]),
        1 + 2 * LATENTS.length,
        10,
        28,
        28,
        3,
        rowLabels());

    r.heading("Results");
    r.table(
        List.of("model", "latent", "parameters", "test L1", "test MSE", "train time (s)"), rows);
    if (anyReused)
      r.paragraph(
          "\"reused\": the dense model was loaded from `mnist-autoencoders`' checkpoint trained with this same setup.");
    r.image(
        "loss_train.png",
        "Training loss per epoch (running mean over mini-batches, outputs not clamped)");
    r.image("loss_validation.png", "Validation loss after each epoch");
    r.image(
        "reconstructions.png",
        "Rows: test digits; dense latent 2; conv latent 2; dense latent 32; conv latent 32");
    r.heading("Reading");
    for (String t : readings) r.paragraph(t);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "The convolutional models have far fewer parameters (%d and %d against %d and %d) because "
                + "their convolutions share weights across positions; with %d epochs over %d images either kind may still be improving, so "
                + "the comparison is of equal training budgets in epochs, not of converged models.",
            ((Number) rows.get(1).get(2)).longValue(),
            ((Number) rows.get(3).get(2)).longValue(),
            ((Number) rows.get(0).get(2)).longValue(),
            ((Number) rows.get(2).get(2)).longValue(),
            s.epochs(),
            d.trainX().size(0)));

    ctx.metrics().put("test_l1", testL1);
    ctx.metrics().put("test_mse", testMse);
    ctx.metrics().put("train_images", d.trainX().size(0));
    ctx.metrics().put("epochs", s.epochs());
    ctx.metrics().put("data", d.split().source());
  }

  /** Labels of the reconstruction grid's rows, in the order the run fills them. */
  static List<String> rowLabels() {
    List<String> labels = new ArrayList<>(List.of("test digit"));
    for (int latent : LATENTS) {
      labels.add("dense " + latent);
      labels.add("conv " + latent);
    }
    return labels;
  }

  private static void plotCurves(
      Path dir, Map<String, double[][]> trainCurves, Map<String, double[][]> valCurves)
      throws IOException {
    Plots.lines(
        dir.resolve("loss_train.png"),
        "Training L1 per epoch (running mean)",
        "epoch",
        "training L1",
        trainCurves,
        false);
    Plots.lines(
        dir.resolve("loss_validation.png"),
        "Validation L1 after each epoch",
        "epoch",
        "validation L1",
        valCurves,
        false);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    Map<String, double[]> csv = Csv.read(dir.resolve("loss_curves.csv"));
    double[] ep = csv.get("epoch");
    Map<String, double[][]> trainCurves = new LinkedHashMap<>(), valCurves = new LinkedHashMap<>();
    for (var e : csv.entrySet()) {
      String[] parts = e.getKey().split("_");
      if (parts.length != 3) continue;
      String label = parts[1] + " latent " + parts[2];
      if (parts[0].equals("train")) trainCurves.put(label, new double[][] {ep, e.getValue()});
      if (parts[0].equals("val")) valCurves.put(label, new double[][] {ep, e.getValue()});
    }
    plotCurves(dir, trainCurves, valCurves);
    return List.of("loss_train.png", "loss_validation.png");
  }
}
