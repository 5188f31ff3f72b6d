package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.examples.models.MnistCnnVariants;
import org.jgrad.examples.support.ClassifierRuns;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.MnistSource;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RowBatches;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.Sequential;
import org.jgrad.optim.Adam;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Issue 13, item 7: a baseline four-convolution MNIST CNN against four variants (5×5 kernels with
 * 128 channels, dilated convolutions with global average pooling, an inception-like block, a light
 * dropout-regularised net): parameters, validation accuracy per epoch, test accuracy and training
 * time.
 *
 * <pre>{@code
 * Main.runOne(new CnnVariants(), true, 0, Path.of("runs"));
 * }</pre>
 */
public final class CnnVariants implements Exercise {
  static final int BATCH = 64;

  /** The full configuration: all of MNIST's training images, 5 epochs per model. */
  static final int FULL_TRAIN = 60_000, FULL_EPOCHS = 5;

  @Override
  public String name() {
    return "cnn-variants";
  }

  @Override
  public String title() {
    return "MNIST CNN variants: kernel size, dilation + global pooling, inception block, dropout";
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    int nLoad = ctx.pick(160, intProp("jgrad.cnnvariants.train", FULL_TRAIN));
    int nTest = ctx.pick(100, intProp("jgrad.cnnvariants.test", 10_000));
    int epochs = ctx.pick(2, intProp("jgrad.cnnvariants.epochs", FULL_EPOCHS));
    MnistSource.Split data = MnistSource.load(ctx, nLoad, nTest);
    int n = data.trainX().size(0), nVal = n / 10, nTrain = n - nVal;
    Tensor trX = data.trainX().narrow(0, 0, nTrain), trY = data.trainY().narrow(0, 0, nTrain);
    Tensor vaX = data.trainX().narrow(0, nTrain, nVal), vaY = data.trainY().narrow(0, nTrain, nVal);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Training: %d images (the last %d of the %d loaded are the validation set), Adam (lr 1e-3),"
                + " batch %d, %d epochs per model, each model from its own seeded initialisation and the"
                + " same batch order; test: %d images. Times are the training passes alone (after a few"
                + " untimed warm-up steps on a throwaway model), measured one model after the other"
                + " on the same machine.",
            nTrain,
            nVal,
            n,
            BATCH,
            epochs,
            data.testX().size(0)));

    Map<String, ClassifierRuns.Result> res = new LinkedHashMap<>();
    ClassifierRuns.warmUp(MnistCnnVariants.build("light_dropout"), trX, trY, BATCH);
    for (String key : MnistCnnVariants.KEYS) {
      Tensor.manualSeed(ctx.seed() * 100 + 1);
      Sequential model = MnistCnnVariants.build(key);
      ctx.log("%s: %d parameters", key, model.numParameters());
      Adam opt = new Adam(model.parameters(), Adam.options().lr(1e-3));
      res.put(
          key,
          ClassifierRuns.train(
              ctx,
              key,
              model,
              opt,
              RowBatches.shuffled(trX, trY, BATCH, new Generator(ctx.seed() + 5)),
              vaX,
              vaY,
              data.testX(),
              data.testY(),
              epochs));
    }

    double[] ep = ClassifierRuns.epochs(epochs);
    List<String> hdr = new ArrayList<>(List.of("epoch"));
    List<double[]> cols = new ArrayList<>(List.of(ep));
    List<List<Object>> rows = new ArrayList<>();
    Map<String, Object> params = new LinkedHashMap<>(), acc = new LinkedHashMap<>();
    Map<String, Object> secs = new LinkedHashMap<>(), val = new LinkedHashMap<>();
    for (var e : res.entrySet()) {
      var x = e.getValue();
      hdr.addAll(
          List.of(e.getKey() + "_train_loss", e.getKey() + "_train_acc", e.getKey() + "_val_acc"));
      cols.addAll(List.of(x.trainLoss(), x.trainAccuracy(), x.valAccuracy()));
      rows.add(
          List.of(
              e.getKey(),
              MnistCnnVariants.describe(e.getKey()),
              x.params(),
              x.valAccuracy()[epochs - 1],
              x.testAccuracy(),
              x.seconds(),
              x.secondsPerEpoch()));
      params.put(e.getKey(), x.params());
      acc.put(e.getKey(), x.testAccuracy());
      secs.put(e.getKey(), x.seconds());
      val.put(e.getKey(), x.valAccuracy()[epochs - 1]);
    }
    Csv.write(ctx.file("curves.csv"), hdr, cols);
    plot(ctx.out(), curves(res.keySet(), ep, k -> res.get(k).valAccuracy()));
    r.heading("Results");
    r.table(
        List.of(
            "model",
            "layers",
            "parameters",
            "final validation accuracy",
            "test accuracy",
            "training time (s)",
            "s per epoch"),
        rows);
    r.image("accuracy.png", "Validation accuracy per epoch");
    r.paragraph(reading(res, data.testX().size(0), data.real(), ctx.quick()));
    if (!ctx.quick() && (nLoad < FULL_TRAIN || epochs < FULL_EPOCHS)) {
      r.paragraph(extrapolation(res, nTrain, nLoad, epochs));
    }

    var m = ctx.metrics();
    m.put("params", params);
    m.put("test_accuracy", acc);
    m.put("val_accuracy", val);
    m.put("train_seconds", secs);
    m.put("epochs", epochs);
    m.put("train_images", nTrain);
    m.put("real_mnist", data.real());
  }

  /** What the full configuration would take at the speeds this reduced run measured. */
  static String extrapolation(
      Map<String, ClassifierRuns.Result> res, int nTrain, int nLoad, int epochs) {
    double fullTrain = FULL_TRAIN - FULL_TRAIN / 10, total = 0;
    for (var x : res.values()) total += x.secondsPerEpoch() / nTrain * fullTrain * FULL_EPOCHS;
    return String.format(
        Locale.ROOT,
        "**Reduced configuration.** This run used %d of the %d training images and %d of %d epochs"
            + " (-Djgrad.cnnvariants.train / .epochs), because the full one does not finish on the"
            + " shared 2-core machine it ran on. At the seconds per epoch measured here, scaled to"
            + " %.0f training images, the full configuration would take about %.0f s (%.1f h) for"
            + " the five models together.",
        nLoad,
        FULL_TRAIN,
        epochs,
        FULL_EPOCHS,
        fullTrain,
        total,
        total / 3600);
  }

  static int intProp(String name, int def) {
    return Integer.getInteger(name, def);
  }

  /** The reading: best and cheapest models, and which gaps exceed twice the standard error. */
  static String reading(
      Map<String, ClassifierRuns.Result> res, int nTest, boolean real, boolean quick) {
    String best = null, fewest = null, fastest = null;
    for (var e : res.entrySet()) {
      var x = e.getValue();
      if (best == null || x.testAccuracy() > res.get(best).testAccuracy()) best = e.getKey();
      if (fewest == null || x.params() < res.get(fewest).params()) fewest = e.getKey();
      if (fastest == null || x.seconds() < res.get(fastest).seconds()) fastest = e.getKey();
    }
    double pb = res.get(best).testAccuracy();
    // The standard error of a difference of two accuracies near pb on nTest images.
    double se = Math.sqrt(2 * pb * (1 - pb) / nTest);
    StringBuilder s =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "The highest test accuracy is %s's, %.2f%%. The fewest parameters: %s (%d, %.2f%%);"
                    + " the shortest training: %s (%.1f s). ",
                best,
                100 * pb,
                fewest,
                res.get(fewest).params(),
                100 * res.get(fewest).testAccuracy(),
                fastest,
                res.get(fastest).seconds()));
    List<String> close = new ArrayList<>(), behind = new ArrayList<>();
    for (var e : res.entrySet()) {
      if (e.getKey().equals(best)) continue;
      (pb - e.getValue().testAccuracy() <= 2 * se ? close : behind).add(e.getKey());
    }
    s.append(
        String.format(
            Locale.ROOT,
            "With %d test images a difference of two accuracies has a standard error of about %.2f"
                + " points; ",
            nTest,
            100 * se));
    if (!close.isEmpty()) {
      s.append(String.join(", ", close))
          .append(close.size() == 1 ? " is" : " are")
          .append(" within two standard errors of the best (not separable by this test set)")
          .append(behind.isEmpty() ? ". " : ", and ");
    }
    if (!behind.isEmpty()) {
      s.append(String.join(", ", behind))
          .append(behind.size() == 1 ? " is" : " are")
          .append(" more than two standard errors behind it. ");
    }
    if (quick || !real) {
      s.append("This is a quick run on a few hundred images; the ranking says little about MNIST.");
    }
    return s.toString();
  }

  static Map<String, double[][]> curves(
      Iterable<String> keys, double[] ep, java.util.function.Function<String, double[]> y) {
    Map<String, double[][]> c = new LinkedHashMap<>();
    for (String k : keys) c.put(k, new double[][] {ep, y.apply(k)});
    return c;
  }

  private static void plot(Path dir, Map<String, double[][]> val) throws IOException {
    Plots.lines(
        dir.resolve("accuracy.png"),
        "Validation accuracy per epoch",
        "epoch",
        "validation accuracy",
        val,
        false);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    Map<String, double[]> csv = Csv.read(dir.resolve("curves.csv"));
    double[] ep = csv.get("epoch");
    List<String> keys = new ArrayList<>();
    for (String k : csv.keySet())
      if (k.endsWith("_val_acc")) keys.add(k.substring(0, k.length() - 8));
    plot(dir, curves(keys, ep, k -> csv.get(k + "_val_acc")));
    return List.of("accuracy.png");
  }
}
