package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jgrad.data.Batch;
import org.jgrad.data.DataLoader;
import org.jgrad.data.TensorDataset;
import org.jgrad.examples.models.KerasMnistCnn;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.MnistSource;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RowBatches;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.CrossEntropyLoss;
import org.jgrad.nn.Module;
import org.jgrad.nn.Sequential;
import org.jgrad.optim.Adadelta;
import org.jgrad.optim.Adam;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.SGD;
import org.jgrad.tensor.Tensor;
import org.jgrad.train.Callback;
import org.jgrad.train.Metric;
import org.jgrad.train.ProgressBar;
import org.jgrad.train.Trainer;

/**
 * Exercise 12: the Keras MNIST CNN (34,826 parameters) trained with Adam, SGD (lr 0.01, momentum
 * 0.4) and Adadelta (lr 0.1, ρ 0.95, ε 1e-7): accuracy curves and test accuracy per optimizer.
 *
 * <pre>{@code
 * Main.runOne(new MnistCnnOptimizers(), true, 0, Path.of("runs"));
 * }</pre>
 */
public final class MnistCnnOptimizers implements Exercise {
  static final int BATCH = 128;

  /** The Keras CNN trains on {@code --device} (e.g. cuda), so its timings compare devices. */
  @Override
  public boolean supportsDevice() {
    return true;
  }

  @Override
  public String name() {
    return "mnist-cnn-optimizers";
  }

  @Override
  public String title() {
    return "The Keras MNIST CNN trained with Adam, SGD and Adadelta";
  }

  record Opt(String key, String label, Function<Module, Optimizer> make) {}

  /** Per-epoch history of one optimizer. */
  record History(
      double[] trainLoss,
      double[] trainAcc,
      double[] valLoss,
      double[] valAcc,
      double testAcc,
      double testLoss,
      double seconds) {}

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    int nLoad = ctx.pick(2000, 60_000), nTest = ctx.pick(1000, 10_000), epochs = ctx.pick(3, 15);
    MnistSource.Split data = MnistSource.load(ctx, nLoad, nTest);
    int n = data.trainX().size(0), nVal = n / 10, nTrain = n - nVal;
    // As Keras' validation_split: the last 10% of the training images, taken before any shuffling.
    TensorDataset train =
        new TensorDataset(data.trainX().narrow(0, 0, nTrain), data.trainY().narrow(0, 0, nTrain));
    TensorDataset val =
        new TensorDataset(
            data.trainX().narrow(0, nTrain, nVal), data.trainY().narrow(0, nTrain, nVal));
    TensorDataset test = new TensorDataset(data.testX(), data.testY());

    Tensor.manualSeed(ctx.seed());
    Sequential model = KerasMnistCnn.build();
    String summary = model.summary(1, 1, 28, 28);
    long params = model.numParameters();
    Map<String, Tensor> init = PerceptronRegression.copy(model.stateDict());
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Model: the CNN of Keras' MNIST example, built from jgrad's `nn` layers "
                + "(PyTorch's default initialisation rather than Keras' Glorot; the final softmax is part of "
                + "`CrossEntropyLoss`). Training: %d images (the last %d of the %d loaded are held out for validation, as "
                + "Keras' `validation_split=0.1`), batch %d, %d epochs per optimizer, each starting from the same initial "
                + "weights (after a few untimed warm-up steps on a throwaway copy); test: %d images.",
            nTrain,
            nVal,
            n,
            BATCH,
            epochs,
            test.size()));
    r.code(summary);
    ctx.log("model has %d parameters", params);

    List<Opt> opts =
        List.of(
            new Opt(
                "adam",
                "Adam (lr 1e-3, β 0.9/0.999, ε 1e-7)",
                m -> new Adam(m.parameters(), Adam.options().lr(1e-3).eps(1e-7))),
            new Opt(
                "sgd",
                "SGD (lr 0.01, momentum 0.4)",
                m -> new SGD(m.parameters(), SGD.options(0.01).momentum(0.4))),
            new Opt(
                "adadelta",
                "Adadelta (lr 0.1, ρ 0.95, ε 1e-7)",
                m -> new Adadelta(m.parameters(), Adadelta.options().lr(0.1).rho(0.95).eps(1e-7))));
    warmUp(train);
    Map<String, History> hist = new LinkedHashMap<>();
    for (Opt o : opts) {
      model.loadStateDict(PerceptronRegression.copy(init));
      Tensor.manualSeed(ctx.seed() + 1); // the same dropout masks' stream for every optimizer
      hist.put(o.key(), train(ctx, model, o, train, val, test, epochs));
    }

    double[] ep = new double[epochs];
    for (int i = 0; i < epochs; i++) ep[i] = i + 1;
    Map<String, double[][]> accCurves = new LinkedHashMap<>(), lossCurves = new LinkedHashMap<>();
    List<String> hdr = new ArrayList<>(List.of("epoch"));
    List<double[]> cols = new ArrayList<>(List.of(ep));
    List<List<Object>> rows = new ArrayList<>();
    Map<String, Object> testAcc = new LinkedHashMap<>();
    for (Opt o : opts) {
      History h = hist.get(o.key());
      accCurves.put(o.key() + " train", new double[][] {ep, h.trainAcc()});
      accCurves.put(o.key() + " validation", new double[][] {ep, h.valAcc()});
      lossCurves.put(o.key() + " train", new double[][] {ep, h.trainLoss()});
      lossCurves.put(o.key() + " validation", new double[][] {ep, h.valLoss()});
      for (String s : List.of("train_loss", "train_acc", "val_loss", "val_acc"))
        hdr.add(o.key() + "_" + s);
      cols.addAll(List.of(h.trainLoss(), h.trainAcc(), h.valLoss(), h.valAcc()));
      rows.add(
          List.of(
              o.label(),
              h.trainAcc()[epochs - 1],
              h.valAcc()[epochs - 1],
              h.testAcc(),
              h.testLoss(),
              h.seconds()));
      testAcc.put(o.key(), h.testAcc());
    }
    plotCurves(ctx.out(), accCurves, lossCurves);
    Csv.write(ctx.file("curves.csv"), hdr, cols);
    r.heading("Results");
    r.table(
        List.of(
            "optimizer",
            "final train accuracy",
            "final validation accuracy",
            "test accuracy",
            "test loss",
            "training time (s)"),
        rows);
    r.image("accuracy.png", "Training and validation accuracy per epoch");
    r.image("loss.png", "Training and validation loss per epoch");
    r.paragraph(reading(opts, hist, epochs, data.real(), ctx.quick()));

    var m = ctx.metrics();
    m.put("params", params);
    m.put("test_accuracy", testAcc);
    m.put("epochs", epochs);
    m.put("batch_size", BATCH);
    m.put("train_images", nTrain);
    m.put("real_mnist", data.real());
  }

  private static String reading(
      List<Opt> opts, Map<String, History> hist, int epochs, boolean real, boolean quick) {
    String best = null;
    for (Opt o : opts) {
      if (best == null || hist.get(o.key()).testAcc() > hist.get(best).testAcc()) best = o.key();
    }
    double adam = hist.get("adam").testAcc();
    StringBuilder s =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "After %d epochs the highest test accuracy is " + "%s's, %.2f%%. ",
                epochs,
                best,
                100 * hist.get(best).testAcc()));
    for (Opt o : opts) {
      History h = hist.get(o.key());
      s.append(
          String.format(
              Locale.ROOT,
              "%s: %.2f%% (validation accuracy after epoch 1: %.2f%%). ",
              o.key(),
              100 * h.testAcc(),
              100 * h.valAcc()[0]));
    }
    if (real && !quick) {
      s.append(
          adam >= 0.99
              ? String.format(Locale.ROOT, "Adam reaches the 99%% target (%.2f%%).", 100 * adam)
              : String.format(
                  Locale.ROOT,
                  "Adam stays below the 99%% target (%.2f%%); more epochs would be needed.",
                  100 * adam));
    } else {
      s.append(
          "This is a quick run on a small subset, so the 99% target for Adam does not apply to it.");
    }
    return s.toString();
  }

  static History train(
      RunContext ctx,
      Sequential model,
      Opt o,
      TensorDataset train,
      TensorDataset val,
      TensorDataset test,
      int epochs) {
    model.to(ctx.device()); // before the optimizer, which keeps the parameters it is given
    Optimizer opt = o.make().apply(model);
    Trainer trainer =
        ctx.trainer(model, opt, new CrossEntropyLoss()::forward)
            .train(new DataLoader(train, BATCH, true, ctx.seed() + 5))
            // RowBatches rather than new DataLoader(val, 1000): a DataLoader built without a seed
            // draws one from
            // the global generator, which would shift the dropout masks of every later step.
            .validation(RowBatches.inOrder(val.inputs(), val.targets(), 1000))
            .metrics(Metric.accuracy())
            .epochs(epochs)
            .callback(
                new Callback() {
                  @Override
                  public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
                    ctx.log(
                        "%s epoch %d/%d: train loss %.4f acc %.4f, val loss %.4f acc %.4f (%.1f s)",
                        o.key(),
                        epoch,
                        epochs,
                        logs.get("loss"),
                        logs.get("accuracy"),
                        logs.get("val_loss"),
                        logs.get("val_accuracy"),
                        logs.get("seconds"));
                  }
                })
            .build();
    org.jgrad.train.History h = trainer.fit();
    Map<String, Double> t =
        trainer.evaluate(RowBatches.inOrder(test.inputs(), test.targets(), 1000));
    ctx.log("%s test accuracy %.4f", o.key(), t.get("accuracy"));
    // the time of the training passes alone, without the validation after each epoch
    double seconds = java.util.Arrays.stream(h.column("train_seconds")).sum();
    return new History(
        h.column("loss"),
        h.column("accuracy"),
        h.column("val_loss"),
        h.column("val_accuracy"),
        t.get("accuracy"),
        t.get("loss"),
        seconds);
  }

  /**
   * A few untimed steps on a throwaway model, so the first optimizer's time does not include JIT
   * compilation.
   */
  private static void warmUp(TensorDataset train) {
    Sequential m = KerasMnistCnn.build();
    SGD opt = new SGD(m.parameters(), 0.01);
    List<Batch> first = new ArrayList<>();
    for (Batch b : new DataLoader(train, BATCH, false, 0)) {
      first.add(b);
      if (first.size() == 3) break;
    }
    // through the Trainer, so its own code is compiled before the timed runs too
    Trainer.builder(m, opt, new CrossEntropyLoss()::forward)
        .train(first)
        .metrics(Metric.accuracy())
        .epochs(1)
        .progress(System.out, ProgressBar.Mode.OFF)
        .build()
        .fit();
  }

  private static void plotCurves(
      Path dir, Map<String, double[][]> accCurves, Map<String, double[][]> lossCurves)
      throws IOException {
    Plots.lines(
        dir.resolve("accuracy.png"),
        "Accuracy per epoch (train: running, with dropout; validation: eval mode)",
        "epoch",
        "accuracy",
        accCurves,
        false);
    Plots.lines(
        dir.resolve("loss.png"),
        "Cross-entropy per epoch",
        "epoch",
        "loss (log scale)",
        lossCurves,
        true);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    Map<String, double[]> csv = Csv.read(dir.resolve("curves.csv"));
    double[] ep = csv.get("epoch");
    Map<String, double[][]> acc = new LinkedHashMap<>(), loss = new LinkedHashMap<>();
    for (var e : csv.entrySet()) {
      // Columns are OPT_train_loss, OPT_train_acc, OPT_val_loss, OPT_val_acc.
      String[] p = e.getKey().split("_");
      if (p.length != 3) continue;
      String label = p[0] + (p[1].equals("train") ? " train" : " validation");
      (p[2].equals("acc") ? acc : loss).put(label, new double[][] {ep, e.getValue()});
    }
    plotCurves(dir, acc, loss);
    return List.of("accuracy.png", "loss.png");
  }
}
