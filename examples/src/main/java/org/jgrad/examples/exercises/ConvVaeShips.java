package org.jgrad.examples.exercises;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.examples.models.ConvVae;
import org.jgrad.examples.support.CifarSource;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
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
 * Part 3, item 5: a convolutional VAE (encoder 64/128/256 channels, 4×4 kernels, batch norm,
 * LeakyReLU, latent 100, Tanh output) trained on the CIFAR-10 "ship" class; Fashion-MNIST's "Bag"
 * class is the substitute where CIFAR-10 is absent, generated CIFAR-format images in quick mode.
 * Loss curve (reconstruction and KL terms), reconstructions and samples.
 *
 * <p>The full configuration can be reduced for a machine that cannot finish it, with the system
 * properties {@code jgrad.conv-vae-ships.epochs}, {@code .train}, {@code .width}: the report then
 * states the configuration it ran and projects the full one's time from the measured time per
 * image.
 *
 * <pre>{@code
 * Main.runOne(new ConvVaeShips(), true, 0, Path.of("runs"));
 * }</pre>
 */
public final class ConvVaeShips implements Exercise {
  static final String PREFIX = "jgrad.conv-vae-ships.";

  /** The full configuration: every training ship (5000 in CIFAR-10), width 64, 30 epochs. */
  static final int FULL_TRAIN = 6000, FULL_EPOCHS = 30, FULL_WIDTH = 64, LATENT = 100;

  @Override
  public String name() {
    return "conv-vae-ships";
  }

  @Override
  public String title() {
    return "Convolutional VAE on the CIFAR-10 ship class (Fashion-MNIST bags as the substitute)";
  }

  static int prop(String key, int fallback) {
    String p = System.getProperty(PREFIX + key);
    if (p == null || p.isBlank()) return fallback;
    try {
      int v = Integer.parseInt(p.trim());
      if (v < 1) throw new NumberFormatException("not positive");
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          PREFIX + key + ": expected a positive integer, got '" + p + "'", e);
    }
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    int epochs = prop("epochs", ctx.pick(2, FULL_EPOCHS));
    int nTrain = prop("train", ctx.pick(160, FULL_TRAIN));
    int width = prop("width", ctx.pick(8, FULL_WIDTH));
    int latent = ctx.pick(16, LATENT);
    int batch = ctx.pick(32, 64);
    double lr = 1e-3;
    CifarSource.Split d = CifarSource.load(ctx, nTrain, ctx.pick(40, 1000), CifarSource.SHIP);
    int c = d.channels();
    // Tanh output: images scaled from [0, 1] to [−1, 1].
    Tensor x = d.trainX().mul(2).sub(1), xt = d.testX().mul(2).sub(1);
    int n = x.size(0);
    boolean reduced =
        !ctx.quick()
            && (epochs < FULL_EPOCHS
                || width < FULL_WIDTH
                || n < Math.min(nTrain, FULL_TRAIN)
                || nTrain < FULL_TRAIN);
    Tensor.manualSeed(ctx.seed());
    ConvVae vae = new ConvVae(c, width, latent);
    long params = vae.parameters().stream().mapToLong(Tensor::numel).sum();
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Model: `ConvVae(%d, %d, %d)`: encoder conv %d→%d→%d→%d (4×4, stride 2; 32→16→8→4 pixels; batch "
                + "norm after the second and third; LeakyReLU 0.2), linear heads for the mean and log-variance of a "
                + "%d-number code; decoder linear → [%d, 4, 4] → transposed conv %d→%d→%d→%d (4×4, stride 2, batch "
                + "norm + ReLU between) → Tanh; %,d parameters. Loss per image: squared error summed over the "
                + "pixels (images scaled to [−1, 1]) + KL(q(z|x) ‖ N(0, I)). Adam lr %s, batch %d, %d epochs.",
            c,
            width,
            latent,
            c,
            width,
            2 * width,
            4 * width,
            latent,
            4 * width,
            4 * width,
            2 * width,
            width,
            c,
            params,
            OptimizerComparison.trim(lr),
            batch,
            epochs));
    if (reduced)
      r.paragraph(
          String.format(
              Locale.ROOT,
              "**Reduced configuration.** The full configuration is width %d, latent %d, every training "
                  + "image of the class (5000 CIFAR-10 ships, 6000 Fashion-MNIST bags), %d epochs; this run used "
                  + "width %d, %d training images and %d "
                  + "epochs (system properties `%sepochs`, `%strain`, `%swidth`) so that it finishes on this "
                  + "shared 2-core machine. The projection below scales its measured time.",
              FULL_WIDTH,
              LATENT,
              FULL_EPOCHS,
              width,
              n,
              epochs,
              PREFIX,
              PREFIX,
              PREFIX));

    Generator g = new Generator(ctx.seed() + 3);
    double[] recSum = new double[1], klSum = new double[1];
    int[] count = new int[1];
    List<double[]> perEpoch = new ArrayList<>(); // recon, kl, test recon, test kl
    Adam opt = new Adam(vae.parameters(), lr);
    Trainer trainer =
        ctx.trainer(vae, opt, (out, tgt) -> out)
            .trainLoss(
                (m, b) -> {
                  ConvVae.Pass p = vae.pass(b.inputs(), g);
                  Tensor rec = ConvVae.reconstructionLoss(p, b.inputs()), kl = ConvVae.klLoss(p);
                  int k = b.inputs().size(0);
                  recSum[0] += rec.item() * k;
                  klSum[0] += kl.item() * k;
                  count[0] += k;
                  return rec.add(kl);
                })
            .train(RowBatches.shuffled(x, x, batch, new Generator(ctx.seed() + 5)))
            .minBatchSize(2)
            .epochs(epochs)
            .callback(
                new Callback() {
                  @Override
                  public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
                    double[] test = evaluate(vae, xt, new Generator(ctx.seed() + 7));
                    perEpoch.add(
                        new double[] {recSum[0] / count[0], klSum[0] / count[0], test[0], test[1]});
                    ctx.log(
                        "epoch %d/%d: reconstruction %.2f, KL %.2f; test %.2f + %.2f (%.1f s)",
                        epoch,
                        epochs,
                        recSum[0] / count[0],
                        klSum[0] / count[0],
                        test[0],
                        test[1],
                        logs.get("train_seconds"));
                    recSum[0] = 0;
                    klSum[0] = 0;
                    count[0] = 0;
                  }
                })
            .build();
    History h = trainer.fit();
    double[] secs = h.column("train_seconds");
    double trainSeconds = java.util.Arrays.stream(secs).sum();

    // Loss curves.
    int e = perEpoch.size();
    double[] ep = new double[e],
        rec = new double[e],
        kl = new double[e],
        trec = new double[e],
        tkl = new double[e];
    for (int i = 0; i < e; i++) {
      ep[i] = i + 1;
      rec[i] = perEpoch.get(i)[0];
      kl[i] = perEpoch.get(i)[1];
      trec[i] = perEpoch.get(i)[2];
      tkl[i] = perEpoch.get(i)[3];
    }
    Csv.write(
        ctx.file("loss_curve.csv"),
        List.of("epoch", "train_reconstruction", "train_kl", "test_reconstruction", "test_kl"),
        List.of(ep, rec, kl, trec, tkl));
    plotLoss(ctx.file("loss_curve.png"), ep, rec, kl, trec, tkl);
    r.image(
        "loss_curve.png",
        "Loss per image: reconstruction (summed squared error) and KL terms per epoch");

    // Reconstructions (through the mean code) and samples from the prior, in eval mode.
    vae.eval();
    int show = Math.min(10, xt.size(0));
    float[][] grid = new float[2 * show][];
    double testMse;
    Tensor samples;
    try (var ng = GradMode.noGrad()) {
      Tensor orig = xt.narrow(0, 0, show), recon = vae.call(orig);
      for (int i = 0; i < show; i++) {
        grid[i] = unit(orig.narrow(0, i, 1));
        grid[show + i] = unit(recon.narrow(0, i, 1));
      }
      testMse = meanSquaredError(vae, xt);
      samples = vae.decode(Tensor.randn(new Generator(ctx.seed() + 11), 32, latent));
    }
    Plots.imageGrid(
        ctx.file("reconstructions.png"),
        grid,
        2,
        show,
        c,
        32,
        32,
        3,
        List.of("test image", "reconstruction"));
    r.image(
        "reconstructions.png",
        "Test images (top) and their reconstructions through the mean code (bottom)");
    float[][] sg = new float[32][];
    for (int i = 0; i < 32; i++) sg[i] = unit(samples.narrow(0, i, 1));
    Plots.imageGrid(ctx.file("samples.png"), sg, 4, 8, c, 32, 32, 3, null);
    r.image("samples.png", "Samples: the decoder applied to 32 codes drawn from N(0, I)");

    // Pixel statistics of samples against the test images: a crude check that samples look like
    // the data's intensity distribution (no FID here: it needs an Inception network).
    double[] dataStats = stats(xt), sampleStats = stats(samples);
    double perImage = trainSeconds / (epochs * (double) n);
    // Every training image of the class: 5000 ships in CIFAR-10, 6000 bags in Fashion-MNIST.
    int fullImages = d.realCifar() ? 5000 : FULL_TRAIN;
    double projected =
        perImage * fullImages * FULL_EPOCHS * Math.pow((double) FULL_WIDTH / width, 2);
    r.heading("Reading");
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Over %d epochs the training reconstruction term went from %.2f to %.2f per image and the KL term "
                + "from %.2f to %.2f; on the %d test images the reconstruction term ends at %.2f per image, %s "
                + "the training term. Per pixel (on the [−1, 1] scale) that is a squared error of %.4f with "
                + "sampled codes and %.4f through the mean code%s. Pixel values of the samples "
                + "have mean %.3f and standard deviation %.3f, against %.3f and %.3f for the test images%s.",
            e,
            rec[0],
            rec[e - 1],
            kl[0],
            kl[e - 1],
            xt.size(0),
            trec[e - 1],
            trec[e - 1] > rec[e - 1] ? "above" : "not above",
            trec[e - 1] / (c * 1024.0),
            testMse,
            testMse > trec[e - 1] / (c * 1024.0)
                ? " (the mean code reconstructs worse than sampled codes here; not investigated)"
                : "",
            sampleStats[0],
            sampleStats[1],
            dataStats[0],
            dataStats[1],
            sampleStats[1] < dataStats[1]
                ? ": samples are smoother (less varied) than the data, as is usual for a VAE trained with a "
                    + "squared-error likelihood"
                : ""));
    String time =
        String.format(
            Locale.ROOT,
            "Time: %.1f s of training (%.2f s per epoch, %.1f ms per image per epoch) on this shared machine.",
            trainSeconds,
            trainSeconds / epochs,
            1000 * perImage);
    r.paragraph(
        reduced || ctx.quick()
            ? time
                + String.format(
                    Locale.ROOT,
                    " The full configuration (%d images, %d epochs, width %d, whose convolutions cost about "
                        + "(%d/%d)² = %.0f× this width's) would take about %.1f h at that rate; the projection "
                        + "assumes the cost scales with images × epochs × width², which holds for the convolutions "
                        + "that dominate.",
                    fullImages,
                    FULL_EPOCHS,
                    FULL_WIDTH,
                    FULL_WIDTH,
                    width,
                    Math.pow((double) FULL_WIDTH / width, 2),
                    projected / 3600)
            : time + " This run is the full configuration.");
    var m = ctx.metrics();
    m.put("data", d.kind());
    m.put("epochs", epochs);
    m.put("train_images", n);
    m.put("width", width);
    m.put("latent", latent);
    m.put("reduced", reduced);
    m.put("train_reconstruction", rec);
    m.put("train_kl", kl);
    m.put("test_reconstruction", trec[e - 1]);
    m.put("test_kl", tkl[e - 1]);
    m.put("test_mse_per_pixel", testMse);
    m.put("sample_pixel_mean_std", List.of(sampleStats[0], sampleStats[1]));
    m.put("data_pixel_mean_std", List.of(dataStats[0], dataStats[1]));
    m.put("train_seconds", trainSeconds);
    m.put("projected_full_hours", projected / 3600);
  }

  /** Test reconstruction and KL terms per image, in eval mode, with sampled codes. */
  static double[] evaluate(ConvVae vae, Tensor xt, Generator g) {
    boolean was = vae.isTraining();
    vae.eval();
    double rec = 0, kl = 0;
    int n = xt.size(0);
    try (var ng = GradMode.noGrad()) {
      for (int s = 0; s < n; s += 250) {
        int len = Math.min(250, n - s);
        Tensor xb = xt.narrow(0, s, len);
        ConvVae.Pass p = vae.pass(xb, g);
        rec += ConvVae.reconstructionLoss(p, xb).item() * len;
        kl += ConvVae.klLoss(p).item() * len;
      }
    }
    if (was) vae.train();
    return new double[] {rec / n, kl / n};
  }

  static double meanSquaredError(ConvVae vae, Tensor xt) {
    double sum = 0;
    int n = xt.size(0);
    for (int s = 0; s < n; s += 250) {
      int len = Math.min(250, n - s);
      Tensor xb = xt.narrow(0, s, len);
      sum += vae.call(xb).sub(xb).square().sum().item();
    }
    return sum / xt.numel();
  }

  /** Mean and standard deviation of all values. */
  static double[] stats(Tensor t) {
    float[] v = t.toFloatArray();
    double s = 0, s2 = 0;
    for (float f : v) {
      s += f;
      s2 += (double) f * f;
    }
    double mean = s / v.length;
    return new double[] {mean, Math.sqrt(Math.max(0, s2 / v.length - mean * mean))};
  }

  /** One image [1, C, 32, 32] in [−1, 1] as C·32·32 floats in [0, 1]. */
  static float[] unit(Tensor img) {
    float[] v = img.contiguous().toFloatArray();
    for (int i = 0; i < v.length; i++) v[i] = (v[i] + 1) / 2;
    return v;
  }

  private static void plotLoss(
      java.nio.file.Path png, double[] ep, double[] rec, double[] kl, double[] trec, double[] tkl)
      throws java.io.IOException {
    Map<String, double[][]> curves = new LinkedHashMap<>();
    curves.put("train reconstruction", new double[][] {ep, rec});
    curves.put("test reconstruction", new double[][] {ep, trec});
    curves.put("train KL", new double[][] {ep, kl});
    curves.put("test KL", new double[][] {ep, tkl});
    Plots.lines(
        png, "Conv VAE: loss terms per image", "epoch", "loss per image (log scale)", curves, true);
  }

  @Override
  public List<String> replot(java.nio.file.Path dir) throws java.io.IOException {
    java.nio.file.Path f = dir.resolve("loss_curve.csv");
    if (!java.nio.file.Files.exists(f)) return List.of();
    Map<String, double[]> csv = Csv.read(f);
    plotLoss(
        dir.resolve("loss_curve.png"),
        csv.get("epoch"),
        csv.get("train_reconstruction"),
        csv.get("train_kl"),
        csv.get("test_reconstruction"),
        csv.get("test_kl"));
    return List.of("loss_curve.png");
  }
}
