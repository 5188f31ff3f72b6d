package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.examples.analysis.SampleScorer;
import org.jgrad.examples.models.Gan;
import org.jgrad.examples.models.Models;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.MnistSource;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.Reduced;
import org.jgrad.examples.support.RunContext;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Part 3, exercise 3: GANs on MNIST. A fully connected GAN (discriminator and generator loss per
 * epoch, samples of fixed codes over training), the same with a lower discriminator learning rate,
 * latent interpolation, and a DCGAN (transposed-convolution generator, convolutional discriminator,
 * batch norm, LeakyReLU); samples compared side by side and scored by a digit classifier ({@code
 * fid_proxy}, {@code classifier_score}). The fully connected generator is saved as {@code
 * gan-fc-generator.safetensors}, which {@code vae-mnist} reuses for its GAN-vs-VAE grid.
 */
public final class GanMnist implements Exercise {
  static final String NAME = "gan-mnist";
  static final int LATENT = 64;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "GANs on MNIST: fully connected (two discriminator learning rates) and DCGAN";
  }

  /** Training settings of the GANs. */
  public record Setup(
      int trainCount,
      int testCount,
      int fcEpochs,
      int dcEpochs,
      int dcWidth,
      int batch,
      double lr,
      double lowLrD,
      int sampleCount,
      int scorerEpochs,
      boolean quick,
      long seed) {
    public static Setup of(RunContext ctx) {
      return new Setup(
          Reduced.train(ctx, 384, 60000),
          ctx.pick(200, 10000),
          Reduced.epochs(ctx, 2, 30),
          Reduced.epochs(ctx, 1, 10),
          ctx.pick(8, 32),
          64,
          2e-4,
          4e-5,
          ctx.pick(100, 1000),
          3,
          ctx.quick(),
          ctx.seed());
    }

    Map<String, String> meta(String source) {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("exercise", NAME);
      m.put("model", "Gan.fullyConnected");
      m.put("latent", String.valueOf(LATENT));
      m.put("quick", String.valueOf(quick));
      m.put("train_images", String.valueOf(trainCount));
      m.put("epochs", String.valueOf(fcEpochs));
      m.put("seed", String.valueOf(seed));
      m.put("data", source);
      return m;
    }
  }

  /** A trained GAN with per-epoch means and fixed-code samples after chosen epochs. */
  public record Trained(
      Gan gan,
      double[] lossD,
      double[] lossG,
      double[] dReal,
      double[] dFake,
      List<float[][]> snapshots,
      List<Integer> snapshotEpochs,
      double seconds) {}

  /** Scales [0, 1] images to the generators' [−1, 1]. */
  static Tensor toSigned(Tensor x) {
    return x.mul(2).sub(1);
  }

  /**
   * Trains {@code gan} on {@code x} ([N, 1, 28, 28] in [0, 1]) for {@code epochs} epochs, keeping
   * the generator's output for {@code fixedZ} after about six evenly spaced epochs.
   */
  public static Trained train(
      RunContext ctx,
      String label,
      Gan gan,
      Tensor x,
      int epochs,
      int batch,
      double lrG,
      double lrD,
      Tensor fixedZ,
      long seed) {
    Gan.Optimizers opt = gan.adam(lrG, lrD);
    Generator g = new Generator(seed);
    Tensor signed = toSigned(x);
    int n = x.size(0);
    double[] ld = new double[epochs], lg = new double[epochs], dr = new double[epochs];
    double[] df = new double[epochs];
    List<float[][]> snaps = new ArrayList<>();
    List<Integer> snapEpochs = new ArrayList<>();
    int every = Math.max(1, (int) Math.ceil(epochs / 6.0));
    long t0 = System.nanoTime();
    for (int e = 0; e < epochs; e++) {
      Tensor perm = Tensor.randperm(n, g);
      // the last partial batch is dropped: a batch of one image would break batch norm
      int steps = Math.max(1, n / batch);
      for (int k = 0; k < steps; k++) {
        int start = k * batch, m = Math.min(batch, n - start);
        Tensor real = signed.indexSelect(0, perm.narrow(0, start, m));
        Gan.StepLosses l = gan.step(real, opt, g);
        ld[e] += l.d();
        lg[e] += l.g();
        dr[e] += l.dReal();
        df[e] += l.dFake();
      }
      ld[e] /= steps;
      lg[e] /= steps;
      dr[e] /= steps;
      df[e] /= steps;
      if ((e + 1) % every == 0 || e == epochs - 1) {
        snaps.add(Models.images(Gan.toUnit(gan.generate(fixedZ)), fixedZ.size(0)));
        snapEpochs.add(e + 1);
      }
      ctx.log(
          "%s epoch %d/%d: D loss %.4f, G loss %.4f, D(real) %.3f, D(fake) %.3f (%.0f s)",
          label, e + 1, epochs, ld[e], lg[e], dr[e], df[e], (System.nanoTime() - t0) / 1e9);
    }
    return new Trained(gan, ld, lg, dr, df, snaps, snapEpochs, (System.nanoTime() - t0) / 1e9);
  }

  /** The fully connected GAN of this exercise with its seed. */
  public static Trained trainFullyConnected(
      RunContext ctx, String label, Tensor x, Setup s, double lrD, Tensor fixedZ) {
    Tensor.manualSeed(s.seed() * 1000 + 21);
    return train(
        ctx,
        label,
        Gan.fullyConnected(LATENT),
        x,
        s.fcEpochs(),
        s.batch(),
        s.lr(),
        lrD,
        fixedZ,
        s.seed() * 17 + 1);
  }

  static Path checkpoint(Path dir) {
    return dir.resolve("gan-fc-generator.safetensors");
  }

  /**
   * The fully connected generator {@code gan-mnist} saved beside {@code ctx}'s folder with the same
   * setup, or null.
   */
  static Gan loadFullyConnected(RunContext ctx, Setup s, String source) throws IOException {
    Gan gan = Gan.fullyConnected(LATENT);
    Path file = checkpoint(ctx.out().toAbsolutePath().getParent().resolve(NAME));
    return Models.loadCheckpoint(gan.generator(), file, s.meta(source)) ? gan : null;
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    Setup s = Setup.of(ctx);
    var r = ctx.report();
    MnistSource.Split d = MnistSource.load(ctx, s.trainCount(), s.testCount());
    Tensor x = d.trainX();
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Images scaled to [−1, 1]; codes z ~ N(0, I) of size %d. Fully connected GAN: G z→256→512→784 "
                + "(LeakyReLU 0.2, Tanh), D 784→512→256→1 (LeakyReLU 0.2). DCGAN: G linear → %d×7×7 → BN → ReLU → "
                + "ConvTranspose2d(%d→%d, 4, stride 2, pad 1) → BN → ReLU → ConvTranspose2d(%d→1, 4, 2, 1) → Tanh; "
                + "D Conv2d(1→%d, 4, 2, 1) → LeakyReLU 0.2 → Conv2d(%d→%d, 4, 2, 1) → BN → LeakyReLU → linear → 1. "
                + "Each step: one discriminator update on a real batch and a fake batch (BCE on logits), then one "
                + "generator update with the non-saturating loss −log D(G(z)) on a fresh fake batch. Adam β = (0.5, "
                + "0.999), batch %d, learning rate %s for both networks; the variant lowers the discriminator's to "
                + "%s. Training images: %d; fully connected GANs %d epochs, DCGAN %d epochs.",
            LATENT,
            2 * s.dcWidth(),
            2 * s.dcWidth(),
            s.dcWidth(),
            s.dcWidth(),
            s.dcWidth(),
            s.dcWidth(),
            2 * s.dcWidth(),
            s.batch(),
            s.lr(),
            s.lowLrD(),
            x.size(0),
            s.fcEpochs(),
            s.dcEpochs()));

    Tensor fixedZ = Tensor.randn(new Generator(s.seed() + 4242), 10, LATENT);
    Trained fc = trainFullyConnected(ctx, "FC GAN", x, s, s.lr(), fixedZ);
    Models.saveCheckpoint(fc.gan().generator(), checkpoint(ctx.out()), s.meta(d.source()));
    Trained low = trainFullyConnected(ctx, "FC GAN, lower D lr", x, s, s.lowLrD(), fixedZ);
    Tensor.manualSeed(s.seed() * 1000 + 22);
    Trained dc =
        train(
            ctx,
            "DCGAN",
            Gan.dcgan(LATENT, s.dcWidth()),
            x,
            s.dcEpochs(),
            s.batch(),
            s.lr(),
            s.lr(),
            fixedZ,
            s.seed() * 17 + 2);
    double seconds = fc.seconds() + low.seconds() + dc.seconds();
    double doneFc = (double) x.size(0) * s.fcEpochs(), doneDc = (double) x.size(0) * s.dcEpochs();
    double projected =
        (fc.seconds() + low.seconds()) * (60000.0 * 30) / doneFc
            + dc.seconds() * (60000.0 * 10) / doneDc;
    Reduced.report(
        ctx,
        seconds,
        projected,
        String.format(
            Locale.ROOT,
            "%d training images, %d epochs per fully connected GAN and %d for the DCGAN (full: 60000 images, 30 and 10 epochs)",
            x.size(0),
            s.fcEpochs(),
            s.dcEpochs()));

    // ---- curves
    List<String> headers = new ArrayList<>(List.of("epoch"));
    List<double[]> cols = new ArrayList<>();
    cols.add(epochs(s.fcEpochs()));
    Map<String, Trained> fcs = new LinkedHashMap<>();
    fcs.put("fc", fc);
    fcs.put("fc_low_d_lr", low);
    for (var e : fcs.entrySet()) {
      headers.addAll(
          List.of(
              e.getKey() + "_d_loss",
              e.getKey() + "_g_loss",
              e.getKey() + "_d_real",
              e.getKey() + "_d_fake"));
      cols.addAll(
          List.of(
              e.getValue().lossD(),
              e.getValue().lossG(),
              e.getValue().dReal(),
              e.getValue().dFake()));
    }
    Csv.write(ctx.file("gan_losses.csv"), headers, cols);
    Csv.write(
        ctx.file("dcgan_losses.csv"),
        List.of("epoch", "dcgan_d_loss", "dcgan_g_loss", "dcgan_d_real", "dcgan_d_fake"),
        List.of(epochs(s.dcEpochs()), dc.lossD(), dc.lossG(), dc.dReal(), dc.dFake()));
    plotLosses(ctx.out(), fc, low, dc);

    // ---- samples over training (fixed codes)
    List<float[]> grid = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int k = 0; k < fc.snapshots().size(); k++) {
      labels.add("epoch " + fc.snapshotEpochs().get(k));
      for (float[] im : fc.snapshots().get(k)) grid.add(im);
    }
    Plots.imageGrid(
        ctx.file("samples_over_training.png"),
        grid.toArray(new float[0][]),
        labels.size(),
        10,
        28,
        28,
        3,
        labels);

    // ---- side by side
    Generator sg = new Generator(s.seed() + 777);
    Tensor z = Tensor.randn(sg, s.sampleCount(), LATENT);
    Tensor fcS = Gan.toUnit(fc.gan().generate(z)),
        lowS = Gan.toUnit(low.gan().generate(z)),
        dcS = Gan.toUnit(dc.gan().generate(z));
    grid.clear();
    labels.clear();
    Tensor[] sets = {d.testX(), fcS, lowS, dcS};
    String[] names = {"real test digits", "FC GAN", "FC GAN, lower D lr", "DCGAN"};
    for (int k = 0; k < sets.length; k++) {
      for (int row = 0; row < 2; row++) {
        labels.add(names[k]);
        for (int c = 0; c < 10; c++) grid.add(Models.image(sets[k], row * 10 + c));
      }
    }
    Plots.imageGrid(
        ctx.file("samples_compared.png"),
        grid.toArray(new float[0][]),
        labels.size(),
        10,
        28,
        28,
        3,
        labels);

    // ---- latent interpolation between two pairs of codes
    grid.clear();
    labels.clear();
    for (int pair = 0; pair < 2; pair++) {
      Tensor line = Gan.interpolate(z.select(0, 2 * pair), z.select(0, 2 * pair + 1), 10);
      labels.add("FC GAN, pair " + (pair + 1));
      for (float[] im : Models.images(Gan.toUnit(fc.gan().generate(line)), 10)) grid.add(im);
      labels.add("DCGAN, pair " + (pair + 1));
      for (float[] im : Models.images(Gan.toUnit(dc.gan().generate(line)), 10)) grid.add(im);
    }
    Plots.imageGrid(
        ctx.file("interpolation.png"),
        grid.toArray(new float[0][]),
        labels.size(),
        10,
        28,
        28,
        3,
        labels);

    // ---- scores
    SampleScorer scorer =
        SampleScorer.train(ctx, x, d.trainY(), d.testX(), d.testY(), s.scorerEpochs());
    SampleScorer.Scores scFc = scorer.score(fcS),
        scLow = scorer.score(lowS),
        scDc = scorer.score(dcS),
        scReal = scorer.realReference(s.sampleCount());

    r.heading("Losses");
    r.image(
        "gan_losses.png",
        "Mean discriminator loss (the mean of its BCE on real and on fake images) and generator loss per epoch; "
            + "the dotted line is log 2 ≈ 0.693, the value of both when D outputs 1/2 everywhere");
    r.table(
        List.of(
            "model",
            "epochs",
            "final D loss",
            "final G loss",
            "final D(real)",
            "final D(fake)",
            "time (s)"),
        List.of(lossRow("FC GAN", fc), lossRow("FC GAN, lower D lr", low), lossRow("DCGAN", dc)));
    r.heading("Samples");
    r.image("samples_over_training.png", "FC GAN: the same ten codes after successive epochs");
    r.image(
        "samples_compared.png",
        "Real test digits and samples of the three GANs (the same codes for all three)");
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Scores of %d samples each by a 784–256–10 classifier trained on the training images (test accuracy "
                + "%.4f); the real reference is %d test digits against %d others.",
            s.sampleCount(),
            scorer.testAccuracy(),
            scReal.count(),
            scReal.count()));
    r.table(
        List.of(
            "samples",
            "classifier confidence",
            "classifier score (max 10)",
            "FID proxy",
            "class histogram"),
        List.of(
            scoreRow("FC GAN", scFc),
            scoreRow("FC GAN, lower D lr", scLow),
            scoreRow("DCGAN", scDc),
            scoreRow("real test digits", scReal)));
    r.heading("Latent interpolation");
    r.image(
        "interpolation.png",
        "Generator outputs along straight lines between two pairs of codes (ten evenly spaced points)");
    r.heading("Reading");
    r.paragraph(reading(fc, low, dc, scFc, scLow, scDc, scReal));

    Map<String, Object> fid = new LinkedHashMap<>(), cs = new LinkedHashMap<>();
    fid.put("fc", scFc.fid());
    fid.put("fc_low_d_lr", scLow.fid());
    fid.put("dcgan", scDc.fid());
    fid.put("real", scReal.fid());
    cs.put("fc", scFc.classifierScore());
    cs.put("fc_low_d_lr", scLow.classifierScore());
    cs.put("dcgan", scDc.classifierScore());
    cs.put("real", scReal.classifierScore());
    ctx.metrics().put("fid_proxy", fid);
    ctx.metrics().put("classifier_score", cs);
    ctx.metrics().put("sample_classifier_test_accuracy", scorer.testAccuracy());
    ctx.metrics().put("final_d_loss", byModel(fc.lossD(), low.lossD(), dc.lossD()));
    ctx.metrics().put("final_g_loss", byModel(fc.lossG(), low.lossG(), dc.lossG()));
    ctx.metrics().put("train_images", x.size(0));
    ctx.metrics().put("fc_epochs", s.fcEpochs());
    ctx.metrics().put("dcgan_epochs", s.dcEpochs());
    ctx.metrics().put("train_seconds", seconds);
    ctx.metrics().put("data", d.source());
  }

  private static Map<String, Object> byModel(double[] fc, double[] low, double[] dc) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("fc", last(fc));
    m.put("fc_low_d_lr", last(low));
    m.put("dcgan", last(dc));
    return m;
  }

  private static double[] epochs(int n) {
    double[] e = new double[n];
    for (int i = 0; i < n; i++) e[i] = i + 1;
    return e;
  }

  private static double last(double[] a) {
    return a[a.length - 1];
  }

  private static List<Object> lossRow(String name, Trained t) {
    return List.of(
        name,
        t.lossD().length,
        last(t.lossD()),
        last(t.lossG()),
        last(t.dReal()),
        last(t.dFake()),
        String.format(Locale.ROOT, "%.1f", t.seconds()));
  }

  static List<Object> scoreRow(String name, SampleScorer.Scores sc) {
    return List.of(
        name,
        sc.confidence(),
        sc.classifierScore(),
        sc.fid(),
        java.util.Arrays.toString(sc.histogram()));
  }

  private static String reading(
      Trained fc,
      Trained low,
      Trained dc,
      SampleScorer.Scores scFc,
      SampleScorer.Scores scLow,
      SampleScorer.Scores scDc,
      SampleScorer.Scores scReal) {
    StringBuilder b = new StringBuilder();
    double gapFc = last(fc.dReal()) - last(fc.dFake()),
        gapLow = last(low.dReal()) - last(low.dFake());
    b.append(
        String.format(
            Locale.ROOT,
            "At the end of training the FC GAN's discriminator gives real images %.3f and fakes %.3f on average "
                + "(D loss %.3f, G loss %.3f; at the equilibrium both would be 0.5, with D loss log 2 = 0.693). ",
            last(fc.dReal()),
            last(fc.dFake()),
            last(fc.lossD()),
            last(fc.lossG())));
    b.append(
        String.format(
            Locale.ROOT,
            "Lowering the discriminator's learning rate to a fifth %s the gap between D(real) and D(fake) (%.3f against "
                + "%.3f) and gives G loss %.3f against %.3f; its samples have FID proxy %.2f against %.2f, so by this "
                + "measure the slower discriminator %s. ",
            gapLow < gapFc ? "narrows" : "does not narrow",
            gapLow,
            gapFc,
            last(low.lossG()),
            last(fc.lossG()),
            scLow.fid(),
            scFc.fid(),
            scLow.fid() < scFc.fid() ? "helped" : "did not help"));
    b.append(
        String.format(
            Locale.ROOT,
            "The DCGAN (%d epochs against %d) reaches FID proxy %.2f and classifier score %.2f, against %.2f and %.2f for "
                + "the FC GAN; real digits score %.2f and %.2f. ",
            dc.lossD().length,
            fc.lossD().length,
            scDc.fid(),
            scDc.classifierScore(),
            scFc.fid(),
            scFc.classifierScore(),
            scReal.fid(),
            scReal.classifierScore()));
    int minFc = java.util.Arrays.stream(scFc.histogram()).min().orElse(0);
    int maxFc = java.util.Arrays.stream(scFc.histogram()).max().orElse(0);
    b.append(
        String.format(
            Locale.ROOT,
            "The FC GAN's samples are labelled between %d and %d times per digit class (out of %d)%s",
            minFc,
            maxFc,
            scFc.count(),
            minFc == 0
                ? ": at least one digit never appears, a sign of mode collapse."
                : maxFc > 3 * Math.max(1, minFc)
                    ? ": some digits are strongly over-represented, partial mode collapse."
                    : ": all ten digits appear in similar numbers."));
    return b.toString();
  }

  private static void plotLosses(Path dir, Trained fc, Trained low, Trained dc) throws IOException {
    plotLosses(
        dir,
        epochs(fc.lossD().length),
        fc.lossD(),
        fc.lossG(),
        low.lossD(),
        low.lossG(),
        epochs(dc.lossD().length),
        dc.lossD(),
        dc.lossG());
  }

  private static void plotLosses(
      Path dir,
      double[] ep,
      double[] fcD,
      double[] fcG,
      double[] lowD,
      double[] lowG,
      double[] dcEp,
      double[] dcD,
      double[] dcG)
      throws IOException {
    Plots.lines(
        dir.resolve("gan_losses.png"),
        "GAN losses per epoch",
        "epoch",
        "mean BCE",
        Plots.series(
            "FC D",
            new double[][] {ep, fcD},
            "FC G",
            new double[][] {ep, fcG},
            "FC lower D lr: D",
            new double[][] {ep, lowD},
            "FC lower D lr: G",
            new double[][] {ep, lowG},
            "DCGAN D",
            new double[][] {dcEp, dcD},
            "DCGAN G",
            new double[][] {dcEp, dcG},
            Plots.reference("log 2 (equilibrium)"),
            new double[][] {
              {1, Math.max(ep[ep.length - 1], dcEp[dcEp.length - 1])}, {Math.log(2), Math.log(2)}
            }),
        false);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    var a = Csv.read(dir.resolve("gan_losses.csv"));
    var c = Csv.read(dir.resolve("dcgan_losses.csv"));
    plotLosses(
        dir,
        a.get("epoch"),
        a.get("fc_d_loss"),
        a.get("fc_g_loss"),
        a.get("fc_low_d_lr_d_loss"),
        a.get("fc_low_d_lr_g_loss"),
        c.get("epoch"),
        c.get("dcgan_d_loss"),
        c.get("dcgan_g_loss"));
    return List.of("gan_losses.png");
  }
}
