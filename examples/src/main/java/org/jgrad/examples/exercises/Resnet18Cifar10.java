package org.jgrad.examples.exercises;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jgrad.data.Batch;
import org.jgrad.data.datasets.Cifar10;
import org.jgrad.data.datasets.FashionMnist;
import org.jgrad.data.io.Cifar10Reader;
import org.jgrad.data.io.DataDir;
import org.jgrad.data.io.ImageData;
import org.jgrad.data.metrics.Metrics;
import org.jgrad.data.transforms.ImageOps;
import org.jgrad.examples.models.ResNet18;
import org.jgrad.examples.support.ClassifierRuns;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.Report;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.CrossEntropyLoss;
import org.jgrad.optim.SGD;
import org.jgrad.optim.lr.CosineAnnealingLR;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Issue 13, item 8: ResNet-18 (CIFAR variant) with random-crop and flip augmentation on CIFAR-10
 * from the data directory. CIFAR-10 cannot be downloaded on machines without web access, so full
 * runs without it use Fashion-MNIST as a stated substitute, and quick runs without it use generated
 * files in CIFAR-10's binary format (read back through {@link Cifar10Reader}). Per-class error
 * table, the confusion of the two most-confused classes, ten sample predictions; in full mode also
 * the measured time of the standard width-64 network, scaled to its full training.
 *
 * <pre>{@code
 * Main.runOne(new Resnet18Cifar10(), true, 0, Path.of("runs"));
 * }</pre>
 */
public final class Resnet18Cifar10 implements Exercise {
  static final int FULL_WIDTH = 64, FULL_EPOCHS = 30;

  @Override
  public String name() {
    return "resnet18-cifar10";
  }

  @Override
  public String title() {
    return "ResNet-18 on CIFAR-10 with augmentation (Fashion-MNIST when CIFAR-10 is absent)";
  }

  /**
   * Images as normalised float arrays [N, C, H, W], labels, class names and where they came from.
   */
  record Images(
      float[] trainX,
      long[] trainY,
      float[] testX,
      long[] testY,
      int channels,
      int size,
      List<String> classes,
      String source,
      boolean cifar,
      float[] rawTest) {
    int nTrain() {
      return trainY.length;
    }

    int nTest() {
      return testY.length;
    }

    int imageSize() {
      return channels * size * size;
    }
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    int nTrain = ctx.pick(256, Integer.getInteger("jgrad.resnet.train", 50_000));
    int nTest = ctx.pick(100, Integer.getInteger("jgrad.resnet.test", 10_000));
    int width = ctx.pick(8, Integer.getInteger("jgrad.resnet.width", FULL_WIDTH));
    int epochs = ctx.pick(2, Integer.getInteger("jgrad.resnet.epochs", FULL_EPOCHS));
    int batch = ctx.pick(64, 128);
    Images d = load(ctx, nTrain, nTest);
    int n = d.nTrain(), nVal = n / 10, nTr = n - nVal, c = d.channels(), s = d.size();
    int per = d.imageSize();
    float[] trX = java.util.Arrays.copyOfRange(d.trainX(), 0, nTr * per);
    long[] trY = java.util.Arrays.copyOfRange(d.trainY(), 0, nTr);
    Tensor vaX =
        Tensor.of(java.util.Arrays.copyOfRange(d.trainX(), nTr * per, n * per), nVal, c, s, s);
    Tensor vaY = Tensor.ofLongs(java.util.Arrays.copyOfRange(d.trainY(), nTr, n), nVal);
    Tensor teX = Tensor.of(d.testX(), d.nTest(), c, s, s);
    Tensor teY = Tensor.ofLongs(d.testY(), d.nTest());

    Tensor.manualSeed(ctx.seed() * 100 + 18);
    ResNet18 net = new ResNet18(c, width, d.classes().size());
    long params = net.numParameters();
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Model: ResNet-18, CIFAR variant (3×3 stem without max-pooling, stages of 2 basic blocks"
                + " with %d/%d/%d/%d channels, global average pooling, linear layer), %d parameters%s."
                + " Augmentation: zero-padding by 4 and a random %d×%d crop, random horizontal flip;"
                + " inputs normalised per channel with the training set's mean and standard"
                + " deviation. Training: %d images (%d more for validation), SGD (lr 0.05, momentum"
                + " 0.9, Nesterov, weight decay 5e-4) with cosine annealing over %d epochs, batch %d;"
                + " test: %d images.",
            width,
            2 * width,
            4 * width,
            8 * width,
            params,
            width == FULL_WIDTH ? "" : " (width " + width + " instead of the standard 64)",
            s,
            s,
            nTr,
            nVal,
            epochs,
            batch,
            d.nTest()));

    if (!ctx.quick()) timeFullNetwork(ctx, d, trX, trY, nTr);

    SGD opt =
        new SGD(net.parameters(), SGD.options(0.05).momentum(0.9).nesterov(true).weightDecay(5e-4));
    CosineAnnealingLR sched = new CosineAnnealingLR(opt, epochs);
    var res =
        ClassifierRuns.train(
            ctx,
            "resnet18",
            net,
            opt,
            new Augmented(trX, trY, nTr, c, s, batch, new Generator(ctx.seed() + 21)),
            vaX,
            vaY,
            teX,
            teY,
            epochs,
            b -> b.scheduler(sched));

    double[] ep = ClassifierRuns.epochs(epochs);
    Csv.write(
        ctx.file("curves.csv"),
        List.of("epoch", "train_loss", "train_acc", "val_acc"),
        List.of(ep, res.trainLoss(), res.trainAccuracy(), res.valAccuracy()));
    plot(ctx.out(), ep, res.trainAccuracy(), res.valAccuracy());

    int[] truth = ClassifierRuns.labels(teY);
    int k = d.classes().size();
    int[][] conf = Metrics.confusionMatrix(truth, res.predictions(), k);
    r.heading("Results");
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Test accuracy %.2f%% after %d epochs (%.1f s of training, %.1f s per epoch).",
            100 * res.testAccuracy(),
            epochs,
            res.seconds(),
            res.secondsPerEpoch()));
    r.image("accuracy.png", "Training (augmented, running) and validation accuracy per epoch");
    List<List<Object>> rows = new ArrayList<>();
    Map<String, Object> perClass = new LinkedHashMap<>();
    int worst = 0;
    double worstRate = -1;
    for (int i = 0; i < k; i++) {
      int support = 0, wrong = 0, top = -1;
      for (int j = 0; j < k; j++) {
        support += conf[i][j];
        if (j != i) {
          wrong += conf[i][j];
          if (conf[i][j] > 0 && (top < 0 || conf[i][j] > conf[i][top])) top = j;
        }
      }
      double rate = support == 0 ? Double.NaN : (double) wrong / support;
      if (support > 0 && rate > worstRate) {
        worstRate = rate;
        worst = i;
      }
      rows.add(
          List.of(
              d.classes().get(i),
              support,
              wrong,
              rate,
              top < 0 ? "-" : d.classes().get(top) + " (" + conf[i][top] + ")"));
      perClass.put(d.classes().get(i), rate);
    }
    r.heading("Per-class error");
    r.table(
        List.of("class", "test images", "errors", "error rate", "most frequent wrong answer"),
        rows);
    int a = 0, b = 1, most = -1;
    for (int i = 0; i < k; i++) {
      for (int j = i + 1; j < k; j++) {
        if (conf[i][j] + conf[j][i] > most) {
          most = conf[i][j] + conf[j][i];
          a = i;
          b = j;
        }
      }
    }
    String na = d.classes().get(a), nb = d.classes().get(b);
    r.heading("The two most-confused classes");
    r.table(
        List.of("true \\ predicted", na, nb, "other"),
        List.of(
            List.of(na, conf[a][a], conf[a][b], rowTotal(conf[a]) - conf[a][a] - conf[a][b]),
            List.of(nb, conf[b][a], conf[b][b], rowTotal(conf[b]) - conf[b][a] - conf[b][b])));
    r.paragraph(
        String.format(
            Locale.ROOT,
            "%s and %s are mistaken for each other %d times (%d %s → %s, %d %s → %s), the most of"
                + " any pair; the class with the highest error rate is %s (%.1f%%).",
            na,
            nb,
            most,
            conf[a][b],
            na,
            nb,
            conf[b][a],
            nb,
            na,
            d.classes().get(worst),
            100 * worstRate));

    int shown = Math.min(10, d.nTest());
    List<List<Object>> sample = new ArrayList<>();
    List<Object> samples = new ArrayList<>();
    List<String> captions = new ArrayList<>();
    int right = 0;
    for (int i = 0; i < shown; i++) {
      String t = d.classes().get(truth[i]), p = d.classes().get(res.predictions()[i]);
      boolean ok = truth[i] == res.predictions()[i];
      if (ok) right++;
      sample.add(List.of(i, t, p, ok ? "yes" : "no"));
      samples.add(Map.of("index", i, "true", t, "predicted", p));
      captions.add((ok ? "" : "✗ ") + p);
    }
    r.heading("Ten sample predictions");
    sampleGrid(ctx.file("samples.png"), d, shown, captions);
    r.image("samples.png", "The first test images with the predicted class (✗ = wrong)");
    r.table(List.of("test image", "true class", "predicted", "correct"), sample);
    r.paragraph(String.format(Locale.ROOT, "%d of these %d are right.", right, shown));
    if (ctx.quick() || !d.cifar()) {
      r.paragraph(
          d.cifar()
              ? "This is a quick run on a small subset with a narrow network; its accuracy says"
                  + " little about ResNet-18 on CIFAR-10."
              : "These numbers are for "
                  + d.source()
                  + ", not CIFAR-10 (see the data note above).");
    }

    var m = ctx.metrics();
    m.put("test_accuracy", res.testAccuracy());
    m.put("params", params);
    m.put("per_class_error", perClass);
    m.put("most_confused", Map.of("a", na, "b", nb, "a_as_b", conf[a][b], "b_as_a", conf[b][a]));
    m.put("samples", samples);
    m.put("dataset", d.source());
    m.put("cifar10", d.cifar());
    m.put("width", width);
    m.put("epochs", epochs);
    m.put("train_images", nTr);
    m.put("train_seconds", res.seconds());
  }

  private static int rowTotal(int[] row) {
    int t = 0;
    for (int v : row) t += v;
    return t;
  }

  /**
   * Times a few training steps of the standard width-64 network on this data and scales them to its
   * full training (all training images, {@link #FULL_EPOCHS} epochs), so the report can say what
   * the full configuration would cost on this machine.
   */
  private static void timeFullNetwork(RunContext ctx, Images d, float[] trX, long[] trY, int nTr) {
    int steps = Integer.getInteger("jgrad.resnet.timingSteps", 2), batch = 32;
    Tensor.manualSeed(ctx.seed() + 64);
    ResNet18 big = new ResNet18(d.channels(), FULL_WIDTH, d.classes().size());
    SGD opt = new SGD(big.parameters(), SGD.options(0.05).momentum(0.9));
    CrossEntropyLoss ce = new CrossEntropyLoss();
    Iterator<Batch> it =
        new Augmented(trX, trY, nTr, d.channels(), d.size(), batch, new Generator(ctx.seed()))
            .iterator();
    double seconds = 0;
    for (int i = 0; i <= steps; i++) {
      Batch b = it.next();
      long t0 = System.nanoTime();
      opt.zeroGrad();
      ce.forward(big.call(b.inputs()), b.targets()).backward();
      opt.step();
      double dt = (System.nanoTime() - t0) / 1e9;
      ctx.log("width-64 timing step %d/%d: %.1f s", i, steps, dt);
      if (i > 0) seconds += dt; // step 0 is the warm-up
    }
    double perImage = seconds / (steps * batch);
    int fullTrain = d.channels() == 3 ? 50_000 : 60_000; // CIFAR-10 : Fashion-MNIST
    double perEpoch = perImage * fullTrain, total = perEpoch * FULL_EPOCHS;
    ctx.report()
        .paragraph(
            String.format(
                Locale.ROOT,
                "**Cost of the full configuration.** The standard width-64 ResNet-18 (%d"
                    + " parameters) took %.2f s per training image here (%d timed steps of batch %d"
                    + " after one warm-up step), so one epoch over %d images would take about %.0f s"
                    + " (%.1f h) and %d epochs about %.0f s (%.1f days) on this shared 2-core"
                    + " machine; the run below is the reduced configuration stated above.",
                big.numParameters(),
                perImage,
                steps,
                batch,
                fullTrain,
                perEpoch,
                perEpoch / 3600,
                FULL_EPOCHS,
                total,
                total / 86400));
    ctx.metrics()
        .put(
            "full_config_estimate",
            Map.of(
                "seconds_per_image", perImage,
                "seconds_per_epoch", perEpoch,
                "epochs", FULL_EPOCHS,
                "total_seconds", total));
  }

  // ------------------------------------------------------------------ data

  static Images load(RunContext ctx, int nTrain, int nTest) throws IOException {
    try {
      ImageData train = Cifar10.load(true, DataDir.root(), false);
      ImageData test = Cifar10.load(false, DataDir.root(), false);
      ctx.report()
          .paragraph(
              String.format(
                  Locale.ROOT,
                  "Data: CIFAR-10 from %s, first %d training and %d test images.",
                  Report.displayPath(DataDir.root().resolve(Cifar10.DIR)),
                  Math.min(nTrain, train.size()),
                  Math.min(nTest, test.size())));
      return images(train, test, nTrain, nTest, "CIFAR-10", true);
    } catch (IOException e) {
      String missing =
          "CIFAR-10 is not in the data directory ("
              + Report.displayPath(DataDir.root().resolve(Cifar10.DIR))
              + "), and it cannot be downloaded here; put the binary version's"
              + " `cifar-10-batches-bin/` there (or point JGRAD_DATA_DIR / -Djgrad.data.dir at a"
              + " folder holding it) to run on it.";
      ctx.log("CIFAR-10 not found: %s", firstLine(e.getMessage()));
      if (ctx.quick()) {
        Path dir = Files.createTempDirectory("jgrad-cifar-format");
        try {
          Path trainFile = dir.resolve("data_batch_1.bin"),
              testFile = dir.resolve("test_batch.bin");
          Generator g = new Generator(ctx.seed() + 77);
          writeGenerated(trainFile, nTrain, g);
          writeGenerated(testFile, nTest, g);
          ImageData train = Cifar10Reader.read(trainFile), test = Cifar10Reader.read(testFile);
          ctx.report()
              .paragraph(
                  "**Data: generated CIFAR-format files.** "
                      + missing
                      + String.format(
                          Locale.ROOT,
                          " This quick run wrote %d + %d synthetic 32×32 colour images (one hue and"
                              + " stripe orientation per class, random phase, brightness and noise)"
                              + " as CIFAR-10 binary batch files and read them back with"
                              + " `Cifar10Reader`; its numbers say nothing about CIFAR-10.",
                          nTrain,
                          nTest));
          return images(train, test, nTrain, nTest, "generated CIFAR-format images", false);
        } finally {
          try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
          }
          Files.deleteIfExists(dir);
        }
      }
      ImageData train, test;
      try {
        train = FashionMnist.load(true, DataDir.root(), false);
        test = FashionMnist.load(false, DataDir.root(), false);
      } catch (IOException f) {
        throw new IOException(
            missing
                + " The substitute, Fashion-MNIST, is missing too: run `data/fetch.sh` to fill the"
                + " data directory.",
            f);
      }
      ctx.report()
          .paragraph(
              String.format(
                  Locale.ROOT,
                  "**Data: Fashion-MNIST as a substitute for CIFAR-10.** %s This run used"
                      + " Fashion-MNIST from %s instead (28×28 grey images, 10 classes), first %d"
                      + " training and %d test images; the random crop is 28×28 from the image"
                      + " padded by 4.",
                  missing,
                  Report.displayPath(DataDir.root()),
                  Math.min(nTrain, train.size()),
                  Math.min(nTest, test.size())));
      return images(train, test, nTrain, nTest, "Fashion-MNIST", false);
    }
  }

  private static String firstLine(String s) {
    if (s == null) return "missing";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static Images images(
      ImageData train, ImageData test, int nTrain, int nTest, String source, boolean cifar) {
    int n = Math.min(nTrain, train.size()), m = Math.min(nTest, test.size());
    int c = train.channels(), s = train.height();
    float[] tr = unit(train, n), te = unit(test, m), raw = te.clone();
    // Per-channel statistics of the training images, applied to both sets.
    float[] mean = new float[c], std = new float[c];
    int plane = s * s;
    for (int ch = 0; ch < c; ch++) {
      double sum = 0, sq = 0;
      for (int i = 0; i < n; i++) {
        int base = (i * c + ch) * plane;
        for (int p = 0; p < plane; p++) {
          double v = tr[base + p];
          sum += v;
          sq += v * v;
        }
      }
      double mu = sum / ((double) n * plane);
      mean[ch] = (float) mu;
      std[ch] = (float) Math.max(1e-6, Math.sqrt(sq / ((double) n * plane) - mu * mu));
    }
    ImageOps.normalize(tr, n, c, s, s, mean, std);
    ImageOps.normalize(te, m, c, s, s, mean, std);
    return new Images(
        tr, labels(train, n), te, labels(test, m), c, s, train.classNames(), source, cifar, raw);
  }

  private static float[] unit(ImageData d, int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) idx[i] = i;
    float[] out = new float[n * d.imageSize()];
    d.toUnitFloats(idx, out, 0);
    return out;
  }

  private static long[] labels(ImageData d, int n) {
    long[] y = new long[n];
    for (int i = 0; i < n; i++) y[i] = d.labels()[i];
    return y;
  }

  /**
   * {@code n} records of CIFAR-10's binary format (a label byte, then 1024 red, 1024 green and 1024
   * blue bytes): class c is stripes at angle 18°·c in a hue of its own, with random phase,
   * brightness and noise.
   */
  static void writeGenerated(Path file, int n, Generator g) throws IOException {
    byte[] out = new byte[n * Cifar10Reader.RECORD_SIZE];
    for (int i = 0; i < n; i++) {
      int label = g.nextInt(10), o = i * Cifar10Reader.RECORD_SIZE;
      out[o] = (byte) label;
      Color hue = Color.getHSBColor(label / 10f, 0.8f, 1f);
      double ang = Math.PI * label / 10, phase = 2 * Math.PI * g.nextDouble();
      double bright = 0.6 + 0.4 * g.nextDouble();
      double cx = Math.cos(ang), sy = Math.sin(ang);
      int[] rgb = {hue.getRed(), hue.getGreen(), hue.getBlue()};
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          double stripe = 0.5 + 0.5 * Math.sin(0.6 * (x * cx + y * sy) + phase);
          for (int ch = 0; ch < 3; ch++) {
            double v = rgb[ch] * bright * (0.35 + 0.65 * stripe) + 20 * g.nextGaussian();
            out[o + 1 + ch * 1024 + y * 32 + x] = (byte) Math.max(0, Math.min(255, (int) v));
          }
        }
      }
    }
    Files.write(file, out);
  }

  /** Shuffled mini-batches with a fresh random crop (padding 4) and flip of every image. */
  static final class Augmented implements Iterable<Batch> {
    private final float[] x;
    private final long[] y;
    private final int n, c, s, batch;
    private final Generator g;

    Augmented(float[] x, long[] y, int n, int c, int s, int batch, Generator g) {
      this.x = x;
      this.y = y;
      this.n = n;
      this.c = c;
      this.s = s;
      this.batch = batch;
      this.g = g;
    }

    @Override
    public Iterator<Batch> iterator() {
      long[] order = Tensor.randperm(n, g).toLongArray();
      int per = c * s * s;
      return new Iterator<>() {
        int next = 0;

        @Override
        public boolean hasNext() {
          return next < n;
        }

        @Override
        public Batch next() {
          int m = Math.min(batch, n - next);
          float[] bx = new float[m * per];
          long[] by = new long[m];
          int[] top = new int[m], left = new int[m];
          boolean[] flip = new boolean[m];
          for (int i = 0; i < m; i++) {
            int src = (int) order[next + i];
            System.arraycopy(x, src * per, bx, i * per, per);
            by[i] = y[src];
            top[i] = g.nextInt(9);
            left[i] = g.nextInt(9);
            flip[i] = g.nextDouble() < 0.5;
          }
          next += m;
          float[] cropped = ImageOps.crop(bx, m, c, s, s, 4, 0f, s, s, top, left);
          ImageOps.horizontalFlip(cropped, m, c, s, s, flip);
          return new Batch(Tensor.of(cropped, m, c, s, s), Tensor.ofLongs(by, m));
        }
      };
    }
  }

  // ------------------------------------------------------------------ figures

  private static void plot(Path dir, double[] ep, double[] train, double[] val) throws IOException {
    Plots.lines(
        dir.resolve("accuracy.png"),
        "ResNet-18 accuracy per epoch",
        "epoch",
        "accuracy",
        Plots.series(
            "train (augmented)",
            new double[][] {ep, train},
            "validation",
            new double[][] {ep, val}),
        false);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    Map<String, double[]> csv = Csv.read(dir.resolve("curves.csv"));
    plot(dir, csv.get("epoch"), csv.get("train_acc"), csv.get("val_acc"));
    return List.of("accuracy.png");
  }

  /** The first {@code count} test images in colour (or grey), scaled 3×, captioned. */
  private static void sampleGrid(Path file, Images d, int count, List<String> captions)
      throws IOException {
    int scale = 3, s = d.size(), cell = s * scale + 8, capH = 18;
    BufferedImage img = new BufferedImage(count * cell, cell + capH, BufferedImage.TYPE_INT_RGB);
    Graphics2D gr = img.createGraphics();
    gr.setColor(Color.WHITE);
    gr.fillRect(0, 0, img.getWidth(), img.getHeight());
    int plane = s * s, per = d.imageSize();
    for (int k = 0; k < count; k++) {
      for (int y = 0; y < s; y++) {
        for (int x = 0; x < s; x++) {
          int[] v = new int[3];
          for (int ch = 0; ch < 3; ch++) {
            int src = d.channels() == 3 ? ch : 0;
            v[ch] =
                Math.round(
                    255 * Math.max(0, Math.min(1, d.rawTest()[k * per + src * plane + y * s + x])));
          }
          int rgb = new Color(v[0], v[1], v[2]).getRGB();
          for (int a = 0; a < scale; a++)
            for (int b = 0; b < scale; b++)
              img.setRGB(k * cell + 4 + x * scale + b, 4 + y * scale + a, rgb);
        }
      }
    }
    gr.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    gr.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    gr.setColor(Color.BLACK);
    for (int k = 0; k < count; k++) gr.drawString(captions.get(k), k * cell + 4, cell + capH - 5);
    gr.dispose();
    ImageIO.write(img, "png", file.toFile());
  }
}
