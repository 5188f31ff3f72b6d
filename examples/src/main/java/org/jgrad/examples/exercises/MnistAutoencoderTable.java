package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.examples.models.Models;
import org.jgrad.examples.support.ClassifierRuns;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.MnistSource;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RowBatches;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.BCELoss;
import org.jgrad.nn.Flatten;
import org.jgrad.nn.Linear;
import org.jgrad.nn.MSELoss;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.Sigmoid;
import org.jgrad.optim.Adam;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.jgrad.train.History;

/**
 * Issue 13, item 6: single-hidden-layer MNIST autoencoders (784 → k → 784, ReLU code, sigmoid
 * output, binary cross-entropy, Adam) with encoding sizes 16, 64 and 128, and their training loss,
 * test loss and time after 1, 5, 20 and 100 epochs; a reconstruction grid; and a stacked
 * autoencoder (784 → 128 → 64), pretrained greedily layer by layer and then fine-tuned as a
 * classifier, against the same network trained end to end from a random start.
 *
 * <pre>{@code
 * Main.runOne(new MnistAutoencoderTable(), true, 0, Path.of("runs"));
 * }</pre>
 */
public final class MnistAutoencoderTable implements Exercise {
  static final int[] SIZES = {16, 64, 128};
  static final int[] CHECKPOINTS = {1, 5, 20, 100};
  static final int BATCH = 256, FULL_TRAIN = 60_000;
  static final String NAME = "mnist-autoencoder-table";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "MNIST autoencoders: encoding size × epochs table, stacked autoencoder pretraining";
  }

  static Sequential autoencoder(int k) {
    return new Sequential(
        new Flatten(), new Linear(784, k), new ReLU(), new Linear(k, 784), new Sigmoid());
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    int nTrain = ctx.pick(300, Integer.getInteger("jgrad.aetable.train", FULL_TRAIN));
    int nTest = ctx.pick(100, Integer.getInteger("jgrad.aetable.test", 10_000));
    int maxEpochs = ctx.pick(2, Integer.getInteger("jgrad.aetable.epochs", 100));
    MnistSource.Split data = MnistSource.load(ctx, nTrain, nTest);
    Tensor x = data.trainX(), flat = x.flatten(1, 3);
    Tensor tx = data.testX(), tflat = tx.flatten(1, 3);
    List<Integer> marks = new ArrayList<>();
    for (int c : CHECKPOINTS) if (c <= maxEpochs) marks.add(c);
    if (!marks.contains(maxEpochs)) marks.add(maxEpochs);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Autoencoders 784 → k → 784 (ReLU code, sigmoid output), binary cross-entropy, Adam (lr"
                + " 1e-3), batch %d, on %d training images; test loss on %d test images. One run of"
                + " %d epochs per encoding size: the table reads it after %s epochs, with the"
                + " training time up to that epoch (training passes only, after a few untimed"
                + " warm-up steps on a throwaway model).",
            BATCH,
            x.size(0),
            tx.size(0),
            maxEpochs,
            marks));

    // ---------------- encoding size × epochs
    Map<Integer, History> hist = new LinkedHashMap<>();
    Map<Integer, Sequential> models = new LinkedHashMap<>();
    BCELoss bce = new BCELoss();
    // A few untimed steps of a throwaway model first, so that the first size's time does not
    // include JIT compilation.
    Sequential warm = autoencoder(8);
    int nw = Math.min(x.size(0), 3 * BATCH);
    ctx.trainer(warm, new Adam(warm.parameters(), Adam.options().lr(1e-3)), bce::forward)
        .train(RowBatches.inOrder(x.narrow(0, 0, nw), flat.narrow(0, 0, nw), BATCH))
        .epochs(1)
        .build()
        .fit();
    for (int k : SIZES) {
      Tensor.manualSeed(ctx.seed() * 1000 + k);
      Sequential ae = autoencoder(k);
      Adam opt = new Adam(ae.parameters(), Adam.options().lr(1e-3));
      History h =
          ctx.trainer(ae, opt, bce::forward)
              .train(RowBatches.shuffled(x, flat, BATCH, new Generator(ctx.seed() + k)))
              .validation(RowBatches.inOrder(tx, tflat, 1000))
              .epochs(maxEpochs)
              .callback(ctx.logEpochs("k=" + k + " epoch %d/%d: loss %.4f", maxEpochs))
              .build()
              .fit();
      hist.put(k, h);
      models.put(k, ae);
    }
    List<String> hdr = new ArrayList<>(List.of("epoch"));
    List<double[]> cols = new ArrayList<>(List.of(ClassifierRuns.epochs(maxEpochs)));
    List<List<Object>> rows = new ArrayList<>();
    List<Object> table = new ArrayList<>();
    Map<String, double[][]> curves = new LinkedHashMap<>();
    double[] ep = ClassifierRuns.epochs(maxEpochs);
    for (int k : SIZES) {
      History h = hist.get(k);
      double[] loss = h.column("loss"), test = h.column("val_loss"), t = h.column("train_seconds");
      double[] cum = new double[t.length];
      for (int i = 0; i < t.length; i++) cum[i] = t[i] + (i > 0 ? cum[i - 1] : 0);
      hdr.addAll(List.of("k" + k + "_train_loss", "k" + k + "_test_loss", "k" + k + "_seconds"));
      cols.addAll(List.of(loss, test, cum));
      curves.put("k = " + k + " train", new double[][] {ep, loss});
      curves.put("k = " + k + " test", new double[][] {ep, test});
      for (int e : marks) {
        rows.add(List.of(k, e, loss[e - 1], test[e - 1], cum[e - 1]));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("encoding", k);
        row.put("epochs", e);
        row.put("train_loss", loss[e - 1]);
        row.put("test_loss", test[e - 1]);
        row.put("seconds", cum[e - 1]);
        table.add(row);
      }
    }
    Csv.write(ctx.file("curves.csv"), hdr, cols);
    plot(ctx.out(), curves);
    r.heading("Encoding size × epochs");
    r.table(
        List.of("encoding size", "epochs", "training loss", "test loss", "training time (s)"),
        rows);
    r.image("loss.png", "Training and test loss per epoch (binary cross-entropy)");
    reconstructionGrid(ctx, models, tx);
    r.image("reconstructions.png", "Test digits (top row) and their reconstructions by each size");
    r.paragraph(tableReading(hist, marks));
    if (!ctx.quick() && (x.size(0) < FULL_TRAIN || maxEpochs < 100)) {
      // The full table: every size for 100 epochs on all training images.
      double total = 0;
      for (History h : hist.values()) {
        double per = java.util.Arrays.stream(h.column("train_seconds")).sum() / maxEpochs;
        total += per / x.size(0) * FULL_TRAIN * 100;
      }
      r.paragraph(
          String.format(
              Locale.ROOT,
              "**Reduced configuration.** This run used %d of the %d training images and %d"
                  + " epochs (-Djgrad.aetable.train / .epochs), because the full one does not finish"
                  + " on the shared 2-core machine it ran on. At the seconds per epoch measured"
                  + " here, the full table (%d images, 100 epochs, three sizes) would take about %.0f"
                  + " s (%.1f h) of training.",
              x.size(0),
              FULL_TRAIN,
              maxEpochs,
              FULL_TRAIN,
              total,
              total / 3600));
    }

    // ---------------- stacked autoencoder
    Map<String, Object> stacked = stacked(ctx, data, stackedEpochs(ctx), ctx.pick(2, 5));
    var m = ctx.metrics();
    m.put("ae_table", table);
    m.put("test_accuracy", stacked.get("test_accuracy"));
    m.put("params", stacked.get("params"));
    m.put("stacked", stacked);
    m.put("epochs", maxEpochs);
    m.put("train_images", x.size(0));
    m.put("real_mnist", data.real());
  }

  static String tableReading(Map<Integer, History> hist, List<Integer> marks) {
    int last = marks.get(marks.size() - 1);
    int bestK = -1;
    double bestTest = Double.POSITIVE_INFINITY;
    StringBuilder s = new StringBuilder();
    for (var e : hist.entrySet()) {
      double t = e.getValue().column("val_loss")[last - 1];
      if (t < bestTest) {
        bestTest = t;
        bestK = e.getKey();
      }
    }
    s.append(
        String.format(
            Locale.ROOT,
            "After %d epochs the lowest test loss is k = %d's (%.4f). ",
            last,
            bestK,
            bestTest));
    for (var e : hist.entrySet()) {
      double[] l = e.getValue().column("loss"), t = e.getValue().column("val_loss");
      s.append(
          String.format(
              Locale.ROOT,
              "k = %d: training loss %.4f after epoch 1, %.4f after epoch %d (%s); test − training"
                  + " loss at the end %+.4f. ",
              e.getKey(),
              l[0],
              l[last - 1],
              last,
              l[last - 1] < l[0] ? "falling" : "not falling",
              t[last - 1] - l[last - 1]));
    }
    return s.toString();
  }

  private static void reconstructionGrid(RunContext ctx, Map<Integer, Sequential> models, Tensor tx)
      throws IOException {
    int cols = Math.min(10, tx.size(0));
    Tensor digits = tx.narrow(0, 0, cols);
    float[][] images = new float[cols * (models.size() + 1)][];
    float[] orig = digits.toFloatArray();
    for (int c = 0; c < cols; c++)
      images[c] = java.util.Arrays.copyOfRange(orig, c * 784, (c + 1) * 784);
    List<String> labels = new ArrayList<>(List.of("input"));
    int row = 1;
    try (var ng = GradMode.noGrad()) {
      for (var e : models.entrySet()) {
        e.getValue().eval();
        float[] rec = e.getValue().call(digits).toFloatArray();
        for (int c = 0; c < cols; c++)
          images[row * cols + c] = java.util.Arrays.copyOfRange(rec, c * 784, (c + 1) * 784);
        labels.add("k = " + e.getKey());
        row++;
      }
    }
    Plots.imageGrid(
        ctx.file("reconstructions.png"), images, models.size() + 1, cols, 28, 28, 3, labels);
  }

  /**
   * The stacked autoencoder of greedy pretraining: layer 1 (784 → 128 → 784) and layer 2 (128 → 64
   * → 128, trained on layer 1's codes), stacked as 784 → 128 → 64 → 128 → 784.
   */
  record Stacked(Linear enc1, Linear dec1, Linear enc2, Linear dec2, double seconds) {
    /** x → enc1 → ReLU → enc2 → ReLU → dec2 → dec1 → sigmoid, on images or flat rows. */
    Sequential autoencoder() {
      return new Sequential(
          new Flatten(), enc1, new ReLU(), enc2, new ReLU(), dec2, dec1, new Sigmoid());
    }

    static Stacked fresh() {
      return new Stacked(
          new Linear(784, 128), new Linear(128, 784), new Linear(128, 64), new Linear(64, 128), 0);
    }
  }

  /** Greedy layer-wise pretraining of the two layers on the flat rows {@code trX}, no labels. */
  static Stacked pretrainStacked(RunContext ctx, Tensor trX, int epochs) throws Exception {
    // Layer 1: 784 -> 128 -> 784 on the pixels.
    Tensor.manualSeed(ctx.seed() * 1000 + 7);
    Linear enc1 = new Linear(784, 128), dec1 = new Linear(128, 784);
    Sequential ae1 = new Sequential(enc1, new ReLU(), dec1, new Sigmoid());
    long t0 = System.nanoTime();
    ctx.trainer(ae1, new Adam(ae1.parameters(), Adam.options().lr(1e-3)), new BCELoss()::forward)
        .train(RowBatches.shuffled(trX, trX, BATCH, new Generator(ctx.seed() + 11)))
        .epochs(epochs)
        .callback(ctx.logEpochs("stacked layer 1 epoch %d/%d: loss %.4f", epochs))
        .build()
        .fit();
    // Layer 2: 128 -> 64 -> 128 on layer 1's codes, which are fixed now.
    Tensor codes;
    try (var ng = GradMode.noGrad()) {
      codes = enc1.call(trX).relu();
    }
    Linear enc2 = new Linear(128, 64), dec2 = new Linear(64, 128);
    Sequential ae2 = new Sequential(enc2, new ReLU(), dec2);
    ctx.trainer(ae2, new Adam(ae2.parameters(), Adam.options().lr(1e-3)), new MSELoss()::forward)
        .train(RowBatches.shuffled(codes, codes, BATCH, new Generator(ctx.seed() + 12)))
        .epochs(epochs)
        .callback(ctx.logEpochs("stacked layer 2 epoch %d/%d: loss %.4f", epochs))
        .build()
        .fit();
    return new Stacked(enc1, dec1, enc2, dec2, (System.nanoTime() - t0) / 1e9);
  }

  static Path stackedCheckpoint(Path dir) {
    return dir.resolve("stacked-autoencoder.safetensors");
  }

  /** What a reused checkpoint must match: the data, its size, the epochs, the seed and the mode. */
  static Map<String, String> stackedMeta(
      RunContext ctx, String source, int trainRows, int pretrainEpochs) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("exercise", NAME);
    m.put("model", "stacked autoencoder 784-128-64-128-784");
    m.put("quick", String.valueOf(ctx.quick()));
    m.put("seed", String.valueOf(ctx.seed()));
    m.put("data", source);
    m.put("train_rows", String.valueOf(trainRows));
    m.put("pretrain_epochs", String.valueOf(pretrainEpochs));
    return m;
  }

  /**
   * The stacked autoencoder this exercise saved beside {@code ctx}'s folder with the setup it would
   * use for {@code data}'s first {@code trainRows} rows, or null.
   */
  static Sequential loadStacked(RunContext ctx, String source, int trainRows, int pretrainEpochs)
      throws IOException {
    Sequential ae = Stacked.fresh().autoencoder();
    Path file = stackedCheckpoint(ctx.out().toAbsolutePath().getParent().resolve(NAME));
    return Models.loadCheckpoint(ae, file, stackedMeta(ctx, source, trainRows, pretrainEpochs))
        ? ae
        : null;
  }

  /** Pretraining epochs per layer of this exercise in the run's mode. */
  static int stackedEpochs(RunContext ctx) {
    return ctx.pick(2, 5);
  }

  /** Training rows of the stacked autoencoder for {@code n} training images (the rest validate). */
  static int stackedTrainRows(int n) {
    return n - Math.max(1, n / 10);
  }

  /**
   * Greedy layer-wise pretraining of 784 → 128 → 64, fine-tuning with a softmax layer on top,
   * against the same classifier from a random start.
   */
  static Map<String, Object> stacked(
      RunContext ctx, MnistSource.Split data, int pretrainEpochs, int fineEpochs) throws Exception {
    var r = ctx.report();
    r.heading("Stacked autoencoder: greedy pretraining, then fine-tuning");
    Tensor x = data.trainX(), flat = x.flatten(1, 3), y = data.trainY();
    int n = x.size(0), nTr = stackedTrainRows(n), nVal = n - nTr;
    Tensor trX = flat.narrow(0, 0, nTr), trY = y.narrow(0, 0, nTr);
    Tensor vaX = flat.narrow(0, nTr, nVal), vaY = y.narrow(0, nTr, nVal);
    Tensor teX = data.testX().flatten(1, 3);

    Stacked st = pretrainStacked(ctx, trX, pretrainEpochs);
    Linear enc1 = st.enc1(), enc2 = st.enc2();
    double pretrainSeconds = st.seconds();
    // Saved before fine-tuning, which changes the shared encoders: vae-mnist compares its
    // reconstructions with this autoencoder's.
    Models.saveCheckpoint(
        st.autoencoder(),
        stackedCheckpoint(ctx.out()),
        stackedMeta(ctx, data.source(), nTr, pretrainEpochs));

    // The encoders, then a new softmax layer, fine-tuned together.
    Tensor.manualSeed(ctx.seed() * 1000 + 8);
    Sequential pre = new Sequential(enc1, new ReLU(), enc2, new ReLU(), new Linear(64, 10));
    var fine =
        ClassifierRuns.train(
            ctx,
            "pretrained",
            pre,
            new Adam(pre.parameters(), Adam.options().lr(1e-3)),
            RowBatches.shuffled(trX, trY, BATCH, new Generator(ctx.seed() + 13)),
            vaX,
            vaY,
            teX,
            data.testY(),
            fineEpochs);
    Tensor.manualSeed(ctx.seed() * 1000 + 9);
    Sequential e2e =
        new Sequential(
            new Linear(784, 128), new ReLU(), new Linear(128, 64), new ReLU(), new Linear(64, 10));
    var scratch =
        ClassifierRuns.train(
            ctx,
            "end-to-end",
            e2e,
            new Adam(e2e.parameters(), Adam.options().lr(1e-3)),
            RowBatches.shuffled(trX, trY, BATCH, new Generator(ctx.seed() + 13)),
            vaX,
            vaY,
            teX,
            data.testY(),
            fineEpochs);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Greedy pretraining: layer 1 (784 → 128 → 784, BCE) on the pixels, then layer 2 (128 →"
                + " 64 → 128, MSE) on layer 1's fixed codes, %d epochs each (%.1f s together),"
                + " without labels. Then the two encoders plus a new 64 → 10 layer are fine-tuned"
                + " with cross-entropy for %d epochs; the same 784-128-64-10 network from a random"
                + " start is trained end to end for the same %d epochs on the same batches (%d"
                + " training, %d validation images).",
            pretrainEpochs,
            pretrainSeconds,
            fineEpochs,
            fineEpochs,
            nTr,
            nVal));
    r.table(
        List.of("classifier", "parameters", "validation accuracy", "test accuracy", "time (s)"),
        List.of(
            List.of(
                "pretrained + fine-tuned",
                fine.params(),
                fine.valAccuracy()[fineEpochs - 1],
                fine.testAccuracy(),
                fine.seconds()),
            List.of(
                "end to end",
                scratch.params(),
                scratch.valAccuracy()[fineEpochs - 1],
                scratch.testAccuracy(),
                scratch.seconds())));
    double d = fine.testAccuracy() - scratch.testAccuracy();
    int nTest = teX.size(0);
    double p = Math.max(fine.testAccuracy(), scratch.testAccuracy());
    double se = Math.sqrt(2 * p * (1 - p) / nTest);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Pretraining then fine-tuning scores %.2f%%, end-to-end training %.2f%% (difference"
                + " %+.2f points; its standard error on %d test images is about %.2f points, so the"
                + " difference is %s). After the first fine-tuning epoch the validation accuracies"
                + " were %.2f%% and %.2f%%.",
            100 * fine.testAccuracy(),
            100 * scratch.testAccuracy(),
            100 * d,
            nTest,
            100 * se,
            Math.abs(d) <= 2 * se
                ? "within noise"
                : d > 0 ? "in favour of pretraining" : "in favour of end-to-end training",
            100 * fine.valAccuracy()[0],
            100 * scratch.valAccuracy()[0]));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(
        "test_accuracy",
        Map.of("pretrained", fine.testAccuracy(), "end_to_end", scratch.testAccuracy()));
    out.put("params", fine.params());
    out.put("pretrain_epochs", pretrainEpochs);
    out.put("finetune_epochs", fineEpochs);
    out.put("pretrain_seconds", pretrainSeconds);
    return out;
  }

  private static void plot(Path dir, Map<String, double[][]> curves) throws IOException {
    Plots.lines(
        dir.resolve("loss.png"),
        "Autoencoder loss per epoch",
        "epoch",
        "binary cross-entropy (log scale)",
        curves,
        true);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    Map<String, double[]> csv = Csv.read(dir.resolve("curves.csv"));
    double[] ep = csv.get("epoch");
    Map<String, double[][]> curves = new LinkedHashMap<>();
    for (var e : csv.entrySet()) {
      String key = e.getKey();
      if (!key.startsWith("k") || key.endsWith("_seconds")) continue;
      String k = key.substring(1, key.indexOf('_'));
      curves.put(
          "k = " + k + (key.endsWith("_train_loss") ? " train" : " test"),
          new double[][] {ep, e.getValue()});
    }
    plot(dir, curves);
    return List.of("loss.png");
  }
}
