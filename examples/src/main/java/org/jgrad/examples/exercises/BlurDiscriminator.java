package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.data.metrics.Metrics;
import org.jgrad.data.transforms.Transforms;
import org.jgrad.examples.models.DenseAutoencoder;
import org.jgrad.examples.models.DigitClassifier;
import org.jgrad.examples.models.DisNet;
import org.jgrad.examples.models.Models;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.MnistSource;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RowBatches;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.Parameter;
import org.jgrad.nn.Reduction;
import org.jgrad.nn.functional.F;
import org.jgrad.optim.Adam;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.jgrad.train.Callback;
import org.jgrad.train.Trainer;

/**
 * Exercise 6: Gaussian-blurred MNIST. {@code dis_net}, a small CNN, learns to tell blurred from
 * clear images; dense autoencoders (latent 2, 16, 256) learn to map blurred images to clear ones
 * with L1 loss, once plainly and once "guided" by an added loss from the frozen {@code dis_net}
 * (binary cross-entropy towards "clear", weight {@code jgrad.blur.lambda}, 0.005 by default). A
 * digit classifier trained on clean MNIST reads the reconstructions.
 */
public final class BlurDiscriminator implements Exercise {
  static final int[] LATENTS = {2, 16, 256};
  static final int BLUR_KERNEL = 7;
  static final double BLUR_SIGMA = 1.5;

  @Override
  public String name() {
    return "blur-discriminator";
  }

  @Override
  public String title() {
    return "Deblurring autoencoders guided by a blurred-vs-clear CNN (dis_net)";
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    int trainCount = ctx.pick(2000, 60000), testCount = ctx.pick(1000, 10000);
    int clfEpochs = ctx.pick(2, 3),
        disEpochs = ctx.pick(1, 2),
        aeEpochs = ctx.pick(5, 10),
        batch = ctx.pick(32, 64);
    double lr = 1e-3;
    double lambda = Double.parseDouble(System.getProperty("jgrad.blur.lambda", "0.005"));
    var r = ctx.report();
    MnistSource.Split d = MnistSource.load(ctx, trainCount, testCount);
    var blur = Transforms.gaussianBlur(BLUR_KERNEL, BLUR_SIGMA);
    Tensor trX = d.trainX(), teX = d.testX(), trB = blur.apply(trX), teB = blur.apply(teX);
    int[] teY = Models.labels(d.testY());
    int n = trX.size(0);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Blur: Gaussian, %d×%d kernel, σ = %.1f (reflect padding), applied to every image. Training on "
                + "%d images, testing on %d. Adam (lr %s) and batch %d throughout.",
            BLUR_KERNEL,
            BLUR_KERNEL,
            BLUR_SIGMA,
            n,
            teX.size(0),
            lr,
            batch));

    // ---- digit classifier on clean images
    Tensor.manualSeed(ctx.seed() * 1000 + 1);
    DigitClassifier clf = new DigitClassifier();
    Adam clfOpt = new Adam(clf.parameters(), Adam.options().lr(lr));
    Generator g = new Generator(ctx.seed() + 11);
    Tensor trY = d.trainY();
    ctx.trainer(clf, clfOpt, F::crossEntropy)
        .train(RowBatches.shuffled(trX, trY, batch, g))
        .epochs(clfEpochs)
        .callback(ctx.logEpochs("digit classifier epoch %d/%d: cross-entropy %.4f", clfEpochs))
        .build()
        .fit();
    double clfClear = Metrics.accuracy(teY, Models.predictLabels(clf, teX, 500));
    double clfBlurred = Metrics.accuracy(teY, Models.predictLabels(clf, teB, 500));
    ctx.log(
        "digit classifier: test accuracy %.4f on clear, %.4f on blurred images",
        clfClear, clfBlurred);

    // ---- dis_net: clear (1) vs blurred (0)
    Tensor.manualSeed(ctx.seed() * 1000 + 2);
    DisNet dis = new DisNet();
    Adam disOpt = new Adam(dis.parameters(), Adam.options().lr(lr));
    // Each mini-batch holds the same images clear (the batch's inputs) and blurred (its targets),
    // so
    // the only cue is the blur itself.
    ctx.trainer(
            dis,
            disOpt,
            (logit, t) -> F.binaryCrossEntropyWithLogits(logit, t, null, null, Reduction.MEAN))
        .trainLoss(
            (model, b) -> {
              int m = b.size();
              Tensor x = Tensor.cat(List.of(b.inputs(), b.targets()), 0);
              Tensor t = Tensor.cat(List.of(Tensor.ones(m, 1), Tensor.zeros(m, 1)), 0);
              return F.binaryCrossEntropyWithLogits(model.call(x), t, null, null, Reduction.MEAN);
            })
        .train(RowBatches.shuffled(trX, trB, Math.max(1, batch / 2), g))
        .epochs(disEpochs)
        .callback(ctx.logEpochs("dis_net epoch %d/%d: BCE %.4f", disEpochs))
        .build()
        .fit();
    double scoreClear = meanClearScore(dis, teX), scoreBlurred = meanClearScore(dis, teB);
    double disAcc = disAccuracy(dis, teX, teB);
    ctx.log(
        "dis_net: test accuracy %.4f, mean clear score %.3f on clear and %.3f on blurred images",
        disAcc, scoreClear, scoreBlurred);
    for (Parameter p : dis.parameters()) p.requiresGrad(false);
    dis.eval();

    // ---- deblurring autoencoders, plain and guided
    Map<String, Object> l1Map = new LinkedHashMap<>(),
        scoreMap = new LinkedHashMap<>(),
        accMap = new LinkedHashMap<>();
    Map<String, Object> sharpMap = new LinkedHashMap<>();
    sharpMap.put("clear", sharpness(teX));
    sharpMap.put("blurred", sharpness(teB));
    l1Map.put("blurred", Models.l1(teB, teX));
    scoreMap.put("clear", scoreClear);
    scoreMap.put("blurred", scoreBlurred);
    accMap.put("clear", clfClear);
    accMap.put("blurred", clfBlurred);
    List<List<Object>> rows = new ArrayList<>();
    rows.add(List.of("clear test images", "-", 0.0, scoreClear, clfClear, sharpMap.get("clear")));
    rows.add(
        List.of(
            "blurred test images",
            "-",
            l1Map.get("blurred"),
            scoreBlurred,
            clfBlurred,
            sharpMap.get("blurred")));
    int[] show = Models.firstOfEachDigit(d.testY());
    List<float[]> grid = new ArrayList<>();
    for (int i : show) grid.add(i < 0 ? null : Models.image(teB, i));
    for (int i : show) grid.add(i < 0 ? null : Models.image(teX, i));
    Map<String, double[][]> curves = new LinkedHashMap<>();
    List<String> headers = new ArrayList<>(List.of("epoch"));
    List<double[]> cols = new ArrayList<>();
    double[] ep = new double[aeEpochs];
    for (int e = 0; e < aeEpochs; e++) ep[e] = e + 1;
    cols.add(ep);
    List<String> readings = new ArrayList<>();
    for (int latent : LATENTS) {
      double[] l1 = new double[2], score = new double[2], acc = new double[2];
      for (int k = 0; k < 2; k++) {
        boolean guided = k == 1;
        String key = (guided ? "guided_" : "plain_") + latent;
        Tensor.manualSeed(
            ctx.seed() * 1000 + 100 + latent); // plain and guided start from the same weights
        DenseAutoencoder ae = new DenseAutoencoder(latent);
        Adam opt = new Adam(ae.parameters(), Adam.options().lr(lr));
        Generator ga = new Generator(ctx.seed() + 37L * latent);
        double[] trainL1 = new double[aeEpochs];
        long t0 = System.nanoTime();
        // The reconstruction term alone, summed over the epoch's batches (the loss column of the
        // guided models includes the dis_net term).
        double[] l1Sum = {0};
        ctx.trainer(ae, opt, Models.Recon.L1::loss)
            .trainLoss(
                (model, b) -> {
                  Tensor out = model.call(b.inputs());
                  Tensor rec = F.l1Loss(out, b.targets(), Reduction.MEAN);
                  l1Sum[0] += rec.item() * b.size();
                  if (!guided) return rec;
                  // The evaluation clamps outputs to [0, 1], so dis_net judges the clamped image
                  // here too.
                  Tensor logit = dis.call(out.clamp(0, 1));
                  Tensor adv =
                      F.binaryCrossEntropyWithLogits(
                          logit, Tensor.onesLike(logit), null, null, Reduction.MEAN);
                  return rec.add(adv.mul(lambda));
                })
            .train(RowBatches.shuffled(trB, trX, batch, ga))
            .epochs(aeEpochs)
            .callback(
                new Callback() {
                  @Override
                  public void onEpochBegin(Trainer t, int epoch) {
                    l1Sum[0] = 0;
                  }

                  @Override
                  public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
                    trainL1[epoch - 1] = l1Sum[0] / n;
                    ctx.log(
                        "%s latent %d epoch %d/%d: train L1 %.4f (%.0f s)",
                        guided ? "guided" : "plain",
                        latent,
                        epoch,
                        aeEpochs,
                        trainL1[epoch - 1],
                        (System.nanoTime() - t0) / 1e9);
                  }
                })
            .build()
            .fit();
        Tensor recon = Models.predict(ae, teB, 500);
        l1[k] = Models.l1(recon, teX);
        score[k] = meanClearScore(dis, recon);
        acc[k] = Metrics.accuracy(teY, Models.predictLabels(clf, recon, 500));
        l1Map.put(key, l1[k]);
        scoreMap.put(key, score[k]);
        accMap.put(key, acc[k]);
        sharpMap.put(key, sharpness(recon));
        rows.add(
            List.of(
                (guided ? "guided" : "plain") + " autoencoder",
                latent,
                l1[k],
                score[k],
                acc[k],
                sharpMap.get(key)));
        curves.put(key.replace('_', ' '), new double[][] {ep, trainL1});
        headers.add("train_l1_" + key);
        cols.add(trainL1);
        for (int i : show) grid.add(i < 0 ? null : Models.image(recon, i));
      }
      readings.add(
          String.format(
              Locale.ROOT,
              "Latent %d: guidance moved dis_net's mean clear score from %.3f to %.3f, the test L1 from %.4f "
                  + "to %.4f (%s), and the classifier's accuracy on the reconstructions from %.3f to %.3f.",
              latent,
              score[0],
              score[1],
              l1[0],
              l1[1],
              l1[1] <= l1[0]
                  ? "no cost in L1"
                  : String.format(Locale.ROOT, "+%.0f%%", 100 * (l1[1] - l1[0]) / l1[0]),
              acc[0],
              acc[1]));
    }
    Csv.write(ctx.file("ae_train_l1.csv"), headers, cols);
    plotCurves(ctx.out(), curves);
    Plots.imageGrid(
        ctx.file("reconstructions.png"),
        grid.toArray(new float[0][]),
        2 + 2 * LATENTS.length,
        10,
        28,
        28,
        3,
        rowLabels());

    r.heading("dis_net and the digit classifier");
    r.paragraph(
        String.format(
            Locale.ROOT,
            "dis_net (conv 1→8 stride 2 → conv 8→16 stride 2 → conv 16→16 → linear, %d parameters), "
                + "trained %d epoch(s) on each training image both clear and blurred: test accuracy **%.4f** on the %d clear + %d blurred test "
                + "images; mean \"clear\" score (sigmoid of its logit) %.3f on clear and %.3f on blurred images.",
            dis.numParameters(),
            disEpochs,
            disAcc,
            teX.size(0),
            teX.size(0),
            scoreClear,
            scoreBlurred));
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Digit classifier (conv 1→8 → pool → conv 8→16 → pool → linear 64 → linear 10, %d parameters), "
                + "trained %d epoch(s) on the clear training images: test accuracy %.4f on clear and %.4f on blurred images.",
            clf.numParameters(),
            clfEpochs,
            clfClear,
            clfBlurred));
    r.heading("Deblurring autoencoders");
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Dense autoencoders (784 → 512 → latent → 512 → 784) take the blurred image and are trained "
                + "for %d epochs with L1 loss to the clear image. The guided ones add λ·BCE(dis_net(output), clear) with λ = %s, through the "
                + "frozen dis_net (its weights fixed, its gradient flowing to the autoencoder); both start from the same initial weights.",
            aeEpochs,
            lambda));
    r.table(
        List.of(
            "images",
            "latent",
            "test L1 to clear",
            "dis_net mean clear score",
            "classifier accuracy",
            "mean abs. Laplacian"),
        rows);
    r.paragraph(
        "The last column measures high-frequency content: the mean absolute response to the 3×3 Laplacian kernel "
            + "(0 1 0 / 1 −4 1 / 0 1 0). Blurring lowers it; sharp edges, and also speckle noise, raise it.");
    r.image(
        "reconstructions.png",
        "Rows: blurred input; clear target; then plain and guided outputs for latent 2, 16 and 256");
    r.image(
        "ae_train_l1.png",
        "Training L1 per epoch (the reconstruction term only, also for the guided models)");
    r.heading("Reading");
    for (String s : readings) r.paragraph(s);
    r.paragraph(summary(scoreMap, l1Map, accMap, sharpMap));

    ctx.metrics().put("dis_net_accuracy", disAcc);
    ctx.metrics().put("clear_score", scoreMap);
    ctx.metrics().put("test_l1", l1Map);
    ctx.metrics().put("classifier_accuracy", accMap);
    ctx.metrics().put("laplacian", sharpMap);
    ctx.metrics().put("lambda", lambda);
    ctx.metrics().put("blur_sigma", BLUR_SIGMA);
    ctx.metrics().put("train_images", n);
    ctx.metrics().put("data", d.source());
  }

  private static String summary(
      Map<String, Object> score,
      Map<String, Object> l1,
      Map<String, Object> acc,
      Map<String, Object> sharp) {
    int higherScore = 0,
        lowerL1 = 0,
        higherAcc = 0,
        plainBlurred = 0,
        sharperThanPlain = 0,
        beatBlur = 0;
    double gMin = Double.POSITIVE_INFINITY, gMax = 0;
    for (int latent : LATENTS) {
      if (num(score, "guided_" + latent) > num(score, "plain_" + latent)) higherScore++;
      if (num(l1, "guided_" + latent) < num(l1, "plain_" + latent)) lowerL1++;
      if (num(acc, "guided_" + latent) > num(acc, "plain_" + latent)) higherAcc++;
      if (num(score, "plain_" + latent) < 0.5) plainBlurred++;
      if (num(l1, "plain_" + latent) < num(l1, "blurred")) beatBlur++;
      double gs = num(sharp, "guided_" + latent);
      if (gs > num(sharp, "plain_" + latent)) sharperThanPlain++;
      gMin = Math.min(gMin, gs);
      gMax = Math.max(gMax, gs);
    }
    int k = LATENTS.length;
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "Over the %d latent sizes, guidance raised dis_net's mean clear score "
                    + "in %d, lowered the L1 error in %d and raised the classifier's accuracy in %d. ",
                k,
                higherScore,
                lowerL1,
                higherAcc));
    b.append(
        String.format(
            Locale.ROOT,
            "As a baseline, the blurred input itself is %.4f from the clear image in L1; %s. ",
            num(l1, "blurred"),
            beatBlur == k
                ? "every plain autoencoder does better than that"
                : beatBlur == 0
                    ? "no plain autoencoder gets below that, so through their bottlenecks they lose more than the blur does"
                    : beatBlur
                        + " of the "
                        + k
                        + " plain autoencoders get below it (the narrow codes lose more detail than the blur does)"));
    if (plainBlurred > 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "dis_net calls the plain reconstructions blurred (mean clear score below 0.5) in %d of %d "
                  + "cases: an autoencoder trained with L1 alone averages over the digits that share a code, and that average is smooth. ",
              plainBlurred,
              k));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "The guided outputs' mean absolute Laplacian is %.4f–%.4f, against %.4f for clear and %.4f for blurred test "
                + "images; it is above the plain outputs' in %d of %d cases. ",
            gMin,
            gMax,
            num(sharp, "clear"),
            num(sharp, "blurred"),
            sharperThanPlain,
            k));
    if (higherScore > 0 && higherAcc < higherScore && sharperThanPlain > 0) {
      b.append(
          "Where the clear score rose while the classifier did not improve, dis_net was satisfied by added high-frequency texture "
              + "rather than by better digits (compare the guided rows of the grid with the clear row): a discriminator trained once on clear versus "
              + "blurred images and then frozen is easy to fool, which is why a GAN keeps training its discriminator on the generator's "
              + "outputs.");
    } else if (higherAcc > 0) {
      b.append(
          "Where the classifier's accuracy rose as well, the guidance produced digits that are both sharper and more legible.");
    }
    return b.toString();
  }

  /** Mean absolute response to the 3×3 Laplacian: high-frequency content of a batch of images. */
  static double sharpness(Tensor images) {
    try (var ng = GradMode.noGrad()) {
      Tensor k = Tensor.of(new float[] {0, 1, 0, 1, -4, 1, 0, 1, 0}, 1, 1, 3, 3);
      return F.conv2d(images, k, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1)
          .abs()
          .mean()
          .item();
    }
  }

  private static double num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).doubleValue();
  }

  private static double meanClearScore(DisNet dis, Tensor images) {
    try (var ng = GradMode.noGrad()) {
      return Models.map(dis, images, 500, dis::clearScore).mean().item();
    }
  }

  private static double disAccuracy(DisNet dis, Tensor clear, Tensor blurred) {
    double[] c = Models.predict(dis, clear, 500).toDoubleArray(),
        b = Models.predict(dis, blurred, 500).toDoubleArray();
    int ok = 0;
    for (double v : c) if (v > 0) ok++;
    for (double v : b) if (v <= 0) ok++;
    return (double) ok / (c.length + b.length);
  }

  /** Labels of the reconstruction grid's rows, in the order the run fills them. */
  static List<String> rowLabels() {
    List<String> labels = new ArrayList<>(List.of("blurred input", "clear target"));
    for (int latent : LATENTS) {
      labels.add("plain " + latent);
      labels.add("guided " + latent);
    }
    return labels;
  }

  private static void plotCurves(Path dir, Map<String, double[][]> curves) throws IOException {
    Plots.lines(
        dir.resolve("ae_train_l1.png"),
        "Deblurring autoencoders: training L1 per epoch",
        "epoch",
        "training L1 (reconstruction part)",
        curves,
        false);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    Map<String, double[]> csv = Csv.read(dir.resolve("ae_train_l1.csv"));
    double[] ep = csv.get("epoch");
    Map<String, double[][]> curves = new LinkedHashMap<>();
    for (var e : csv.entrySet()) {
      if (e.getKey().startsWith("train_l1_")) {
        curves.put(
            e.getKey().substring("train_l1_".length()).replace('_', ' '),
            new double[][] {ep, e.getValue()});
      }
    }
    plotCurves(dir, curves);
    return List.of("ae_train_l1.png");
  }
}
