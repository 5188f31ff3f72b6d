package org.jgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jgrad.data.Batch;
import org.jgrad.data.DataLoader;
import org.jgrad.data.TensorDataset;
import org.jgrad.data.synthetic.Synthetic;
import org.jgrad.nn.CrossEntropyLoss;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.Tanh;
import org.jgrad.optim.Adam;
import org.jgrad.optim.EarlyStopping;
import org.jgrad.optim.LBFGS;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.SGD;
import org.jgrad.optim.lr.StepLR;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

  static TensorDataset moons(int n, long seed) {
    return TensorDataset.of(Synthetic.twoMoons(n, 0.15, seed));
  }

  static Module mlp(long seed) {
    Tensor.manualSeed(seed);
    return new Sequential(new Linear(2, 16), new Tanh(), new Linear(16, 2));
  }

  static PrintStream sink(ByteArrayOutputStream buf) {
    return new PrintStream(buf, true, StandardCharsets.UTF_8);
  }

  @Test
  void trainsTwoMoonsAndWritesHistoryCurveAndBestCheckpoint(@TempDir Path dir) throws Exception {
    Module model = mlp(1);
    Optimizer opt = new Adam(model.parameters(), 0.03);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Trainer trainer =
        Trainer.builder(model, opt, new CrossEntropyLoss()::forward)
            .train(new DataLoader(moons(400, 1), 32, true, 7))
            .validation(new DataLoader(moons(200, 2), 100))
            .metrics(Metric.accuracy())
            .epochs(12)
            .scheduler(new StepLR(opt, 6, 0.5))
            .outputDir(dir)
            .restoreBest(true)
            .progress(sink(log), ProgressBar.Mode.PLAIN)
            .build();
    History h = trainer.fit();

    assertEquals(12, h.size());
    assertEquals(
        List.of(
            "epoch",
            "loss",
            "accuracy",
            "val_loss",
            "val_accuracy",
            "lr",
            "seconds",
            "train_seconds"),
        h.columns());
    for (Map<String, Double> row : h.epochs()) {
      assertTrue(
          row.get("train_seconds") > 0 && row.get("train_seconds") <= row.get("seconds"),
          row.toString());
    }
    assertTrue(h.max("val_accuracy") > 0.9, "two moons are learnable (chance is 0.5): " + h.last());
    assertTrue(h.column("loss")[11] < h.column("loss")[0] / 3, "training loss falls");
    assertEquals(0.03, h.column("lr")[5], 1e-12);
    assertEquals(0.015, h.column("lr")[6], 1e-12);

    History csv = History.readCsv(dir.resolve("history.csv"));
    assertEquals(h.columns(), csv.columns());
    assertArrayEquals(h.column("val_loss"), csv.column("val_loss"));

    BufferedImage png = ImageIO.read(dir.resolve("history.png").toFile());
    assertEquals(3 * 480, png.getWidth(), "loss, accuracy and learning-rate charts side by side");
    assertEquals(360, png.getHeight());

    assertTrue(Files.size(dir.resolve("best.safetensors")) > 0);
    // restoreBest reloaded the epoch with the lowest validation loss
    double best = h.min("val_loss");
    assertEquals(best, trainer.bestMonitored());
    assertEquals(best, trainer.evaluate(new DataLoader(moons(200, 2), 100)).get("loss"), 1e-6);

    String text = log.toString(StandardCharsets.UTF_8);
    assertFalse(text.contains("\r"), "plain mode writes no carriage returns");
    assertTrue(text.contains("Epoch  1/12 13/13"), text);
    assertTrue(text.contains("val_accuracy"), text);
    assertTrue(text.contains("Restored the weights of epoch"), text);
  }

  @Test
  void oneEpochEqualsTheHandWrittenLoop() {
    Module a = mlp(3), b = mlp(3);
    Optimizer optA = new SGD(a.parameters(), SGD.options(0.1).momentum(0.9));
    Optimizer optB = new SGD(b.parameters(), SGD.options(0.1).momentum(0.9));
    CrossEntropyLoss ce = new CrossEntropyLoss();
    Trainer.builder(a, optA, ce::forward)
        .train(new DataLoader(moons(128, 5), 16, true, 11))
        .epochs(2)
        .progress(sink(new ByteArrayOutputStream()), ProgressBar.Mode.OFF)
        .build()
        .fit();

    DataLoader loader = new DataLoader(moons(128, 5), 16, true, 11);
    for (int epoch = 0; epoch < 2; epoch++) {
      b.train();
      for (Batch batch : loader) {
        optB.zeroGrad();
        Tensor loss = ce.forward(b.call(batch.inputs()), batch.targets());
        loss.backward();
        optB.step();
      }
    }
    for (int i = 0; i < a.parameters().size(); i++) {
      assertArrayEquals(b.parameters().get(i).toFloatArray(), a.parameters().get(i).toFloatArray());
    }
  }

  @Test
  void terminalModeDrawsABarWithRateAndEta() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    long[] now = {0};
    ProgressBar bar = new ProgressBar(sink(buf), ProgressBar.Mode.TERMINAL, 10, () -> now[0]);
    bar.start("Epoch 1/5", 100);
    now[0] = 2_000_000_000L; // 40 batches in 2 s: 20 it/s, 60 left → 3 s
    bar.update(40, 0.5);
    String s = buf.toString(StandardCharsets.UTF_8);
    assertTrue(s.startsWith("\rEpoch 1/5 [============>"), s);
    assertTrue(s.contains("40/100  20.0 it/s  ETA 0:03  loss 0.5000"), s);
    now[0] = 5_000_000_000L;
    bar.finish(100, Map.of("loss", 0.25));
    s = buf.toString(StandardCharsets.UTF_8);
    // the summary overwrites the bar (padded with blanks to its length) and ends the line
    assertTrue(s.contains("\rEpoch 1/5 100/100 5.0s 20.0 it/s - loss 0.2500 "), s);
    assertTrue(s.endsWith(" \n"), s);
  }

  @Test
  void plainModeThrottlesProgressLines() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    long[] now = {0};
    ProgressBar bar = new ProgressBar(sink(buf), ProgressBar.Mode.PLAIN, 10, () -> now[0]);
    bar.start("Epoch 1/1", 1000);
    for (int i = 1; i <= 999; i++) {
      now[0] = i * 50_000_000L; // 50 ms per batch: a line every 10 s = every 200 batches
      bar.update(i, 1.0);
    }
    bar.finish(1000, Map.of("loss", 1.0));
    String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(5, lines.length, String.join("\n", lines));
    assertTrue(lines[0].startsWith("Epoch 1/1 200/1000 20.0 it/s ETA 0:40"), lines[0]);
    assertEquals("0:05", ProgressBar.clockTime(5));
    assertEquals("45ms", ProgressBar.duration(0.045));
    assertEquals("4.6s", ProgressBar.duration(4.6));
    assertEquals("1:15", ProgressBar.duration(75));
    assertEquals("1:01:01", ProgressBar.clockTime(3661));
  }

  @Test
  void earlyStoppingAndCallbacksEndTrainingEarly() {
    Module model = mlp(4);
    Optimizer opt = new SGD(model.parameters(), 0.0); // lr 0: the loss never improves
    List<String> events = new ArrayList<>();
    History h =
        Trainer.builder(model, opt, new CrossEntropyLoss()::forward)
            .train(new DataLoader(moons(64, 1), 32))
            .epochs(50)
            .earlyStopping(new EarlyStopping(EarlyStopping.Mode.MIN, 3, 0), "loss")
            .callback(
                new Callback() {
                  @Override
                  public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
                    events.add("end" + epoch);
                  }

                  @Override
                  public void onTrainEnd(Trainer t, History history) {
                    events.add("done");
                  }
                })
            .progress(sink(new ByteArrayOutputStream()), ProgressBar.Mode.OFF)
            .build()
            .fit();
    assertEquals(4, h.size(), "epoch 1 sets the best, epochs 2-4 do not improve");
    assertEquals(List.of("end1", "end2", "end3", "end4", "done"), events);

    Module m2 = mlp(4);
    Trainer t =
        Trainer.builder(m2, new Adam(m2.parameters(), 0.01), new CrossEntropyLoss()::forward)
            .train(new DataLoader(moons(64, 1), 32))
            .epochs(50)
            .callback(
                new Callback() {
                  @Override
                  public void onEpochEnd(Trainer tr, int epoch, Map<String, Double> logs) {
                    if (epoch == 2) tr.stop();
                  }
                })
            .progress(sink(new ByteArrayOutputStream()), ProgressBar.Mode.OFF)
            .build();
    assertEquals(2, t.fit().size());
  }

  @Test
  void lbfgsTrainsFullBatchThroughTheClosure() {
    Module model = mlp(6);
    TensorDataset data = moons(200, 3);
    LBFGS opt =
        new LBFGS(model.parameters(), LBFGS.options().maxIter(10).lineSearchFn("strong_wolfe"));
    History h =
        Trainer.builder(model, opt, new CrossEntropyLoss()::forward)
            .train(List.of(new Batch(data.inputs(), data.targets())))
            .metrics(Metric.accuracy())
            .epochs(5)
            .progress(sink(new ByteArrayOutputStream()), ProgressBar.Mode.OFF)
            .build()
            .fit();
    assertTrue(h.last().get("loss") < 0.1, "LBFGS fits two moons: " + h.last());
    assertTrue(h.last().get("accuracy") > 0.97, h.last().toString());
  }

  @Test
  void misconfigurationsAreReported() {
    Module model = mlp(1);
    Optimizer opt = new SGD(model.parameters(), 0.1);
    assertThrows(
        IllegalArgumentException.class,
        () -> Trainer.builder(model, opt, (o, t) -> o.sum()).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> Trainer.builder(model, opt, (o, t) -> o.sum()).epochs(0));
    Trainer t =
        Trainer.builder(model, opt, new CrossEntropyLoss()::forward)
            .train(new DataLoader(moons(32, 1), 32))
            .epochs(1)
            .earlyStopping(new EarlyStopping(EarlyStopping.Mode.MAX, 2, 0), "val_accuracy")
            .progress(sink(new ByteArrayOutputStream()), ProgressBar.Mode.OFF)
            .build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, t::fit);
    assertTrue(e.getMessage().contains("'val_accuracy'"), e.getMessage());
  }

  @Test
  void trainLossMinimisesACustomLossAndEqualsTheHandWrittenLoop() {
    Module a = mlp(8), b = mlp(8);
    Optimizer optA = new SGD(a.parameters(), SGD.options(0.1).momentum(0.9));
    Optimizer optB = new SGD(b.parameters(), SGD.options(0.1).momentum(0.9));
    CrossEntropyLoss ce = new CrossEntropyLoss();
    double lambda = 0.01;
    java.util.function.Function<Module, Tensor> l2 =
        m -> {
          Tensor sum = null;
          for (Tensor p : m.parameters())
            sum = sum == null ? p.square().sum() : sum.add(p.square().sum());
          return sum.mul(lambda);
        };
    History h =
        Trainer.builder(a, optA, ce::forward)
            .trainLoss(
                (m, batch) -> ce.forward(m.call(batch.inputs()), batch.targets()).add(l2.apply(m)))
            .train(new DataLoader(moons(96, 5), 16, true, 11))
            .validation(new DataLoader(moons(64, 6), 64))
            .metrics(Metric.accuracy())
            .epochs(2)
            .progress(sink(new ByteArrayOutputStream()), ProgressBar.Mode.OFF)
            .build()
            .fit();

    DataLoader loader = new DataLoader(moons(96, 5), 16, true, 11);
    double lastEpochLoss = 0;
    for (int epoch = 0; epoch < 2; epoch++) {
      b.train();
      double sum = 0;
      for (Batch batch : loader) {
        optB.zeroGrad();
        Tensor loss = ce.forward(b.call(batch.inputs()), batch.targets()).add(l2.apply(b));
        loss.backward();
        optB.step();
        sum += loss.item() * batch.size();
      }
      lastEpochLoss = sum / 96;
    }
    for (int i = 0; i < a.parameters().size(); i++) {
      assertArrayEquals(b.parameters().get(i).toFloatArray(), a.parameters().get(i).toFloatArray());
    }
    assertEquals(
        lastEpochLoss,
        h.last().get("loss"),
        1e-12,
        "the loss column is the mean of the custom loss");
    assertFalse(
        h.columns().contains("accuracy"), "no training metrics without the output: " + h.columns());
    assertTrue(h.columns().contains("val_accuracy"), h.columns().toString());
    // validation is scored with lossFn, without the regularisation term
    Trainer probe = Trainer.builder(b, optB, ce::forward).train(List.of()).build();
    assertEquals(
        probe.evaluate(new DataLoader(moons(64, 6), 64)).get("loss"),
        h.last().get("val_loss"),
        1e-7);
  }

  @Test
  void evaluationSetsAddPrefixedColumnsAndSmallBatchesCanBeSkipped() {
    Module model = mlp(9);
    Optimizer opt = new Adam(model.parameters(), 0.01);
    TensorDataset train = moons(33, 7); // batches of 16, 16 and 1
    List<Integer> sizes = new ArrayList<>();
    Trainer t =
        Trainer.builder(model, opt, new CrossEntropyLoss()::forward)
            .train(new DataLoader(train, 16, true, 3))
            .evaluation("train_eval_", List.of(new Batch(train.inputs(), train.targets())))
            .evaluation("test_", new DataLoader(moons(50, 8), 20))
            .metrics(Metric.accuracy())
            .minBatchSize(2)
            .epochs(3)
            .callback(
                new Callback() {
                  @Override
                  public void onBatchEnd(Trainer tr, int epoch, int batch, double loss) {
                    sizes.add(batch);
                  }
                })
            .progress(sink(new ByteArrayOutputStream()), ProgressBar.Mode.OFF)
            .build();
    History h = t.fit();
    assertEquals(List.of(0, 1, 0, 1, 0, 1), sizes, "the batch of one row is skipped every epoch");
    assertEquals(
        List.of(
            "epoch",
            "loss",
            "accuracy",
            "train_eval_loss",
            "train_eval_accuracy",
            "test_loss",
            "test_accuracy",
            "lr",
            "seconds",
            "train_seconds"),
        h.columns());
    Map<String, Double> now = t.evaluate(List.of(new Batch(train.inputs(), train.targets())));
    assertEquals(
        now.get("loss"),
        h.last().get("train_eval_loss"),
        1e-12,
        "measured after the epoch's updates");
    assertEquals(now.get("accuracy"), h.last().get("train_eval_accuracy"), 1e-12);
    assertEquals(
        t.evaluate(new DataLoader(moons(50, 8), 20)).get("loss"), h.last().get("test_loss"), 1e-12);

    assertThrows(
        IllegalArgumentException.class,
        () -> Trainer.builder(model, opt, (o, y) -> o.sum()).evaluation("val_", List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> Trainer.builder(model, opt, (o, y) -> o.sum()).minBatchSize(0));
    Trainer none =
        Trainer.builder(model, opt, new CrossEntropyLoss()::forward)
            .train(new DataLoader(moons(1, 1), 16))
            .minBatchSize(2)
            .progress(sink(new ByteArrayOutputStream()), ProgressBar.Mode.OFF)
            .build();
    IllegalStateException e = assertThrows(IllegalStateException.class, none::fit);
    assertTrue(e.getMessage().contains("minBatchSize 2"), e.getMessage());
  }

  @Test
  void earlyStoppingRestoresTheBestWeightsAlsoWhenTheEpochsRunOut() {
    Module model = mlp(10);
    Optimizer opt =
        new SGD(model.parameters(), 2.0); // a large step: the validation loss goes up and down
    DataLoader val = new DataLoader(moons(100, 9), 100);
    EarlyStopping es =
        new EarlyStopping(EarlyStopping.Mode.MIN, 100, 0)
            .restoreBestWeights(model::stateDict, model::loadStateDict);
    Trainer t =
        Trainer.builder(model, opt, new CrossEntropyLoss()::forward)
            .train(new DataLoader(moons(64, 4), 8, true, 5))
            .validation(val)
            .epochs(8)
            .earlyStopping(es, "val_loss")
            .progress(sink(new ByteArrayOutputStream()), ProgressBar.Mode.OFF)
            .build();
    History h = t.fit();
    assertEquals(8, h.size(), "patience 100 never stops");
    assertTrue(
        h.min("val_loss") < h.last().get("val_loss"),
        "the test needs a last epoch worse than the best: "
            + java.util.Arrays.toString(h.column("val_loss")));
    assertEquals(
        h.min("val_loss"), t.evaluate(val).get("loss"), 1e-7, "the best epoch's weights are back");
  }
}
