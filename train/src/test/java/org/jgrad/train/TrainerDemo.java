package org.jgrad.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jgrad.data.DataLoader;
import org.jgrad.data.TensorDataset;
import org.jgrad.data.synthetic.Synthetic;
import org.jgrad.nn.CrossEntropyLoss;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.optim.AdamW;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.lr.OneCycleLR;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The README's example: a small MLP on two moons with AdamW and a one-cycle schedule. It runs only
 * when asked, because it writes into the repository:
 *
 * <pre>
 * ./mvnw -B -ntp -o -pl optim -am test -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest=TrainerDemo -Djgrad.demo.dir="$PWD/docs/trainer-demo"
 * </pre>
 */
class TrainerDemo {

  @Test
  @EnabledIfSystemProperty(
      named = "jgrad.demo.dir",
      matches = ".+",
      disabledReason =
          "writes into the repository; "
              + "run with -Djgrad.demo.dir=<absolute dir> to regenerate docs/trainer-demo")
  void twoMoons() throws Exception {
    Path out = Path.of(System.getProperty("jgrad.demo.dir"));

    TensorDataset train = TensorDataset.of(Synthetic.twoMoons(1000, 0.2, 1));
    TensorDataset val = TensorDataset.of(Synthetic.twoMoons(300, 0.2, 2));
    Tensor.manualSeed(0);
    Module model =
        new Sequential(
            new Linear(2, 32), new ReLU(), new Linear(32, 32), new ReLU(), new Linear(32, 2));
    Optimizer opt = new AdamW(model.parameters(), AdamW.options().lr(0.01));
    DataLoader trainLoader = new DataLoader(train, 32, true, 42);

    History history =
        Trainer.builder(model, opt, new CrossEntropyLoss()::forward)
            .train(trainLoader)
            .validation(new DataLoader(val, 300))
            .metrics(Metric.accuracy())
            .epochs(20)
            .batchScheduler(
                new OneCycleLR(opt, OneCycleLR.options(0.02).epochs(20, trainLoader.size())))
            .outputDir(out) // history.csv, history.png, best.safetensors
            .restoreBest(true) // reload the epoch with the lowest val_loss at the end
            .build()
            .fit();

    assertTrue(history.max("val_accuracy") > 0.95, history.last().toString());
    assertTrue(Files.exists(out.resolve("history.png")));
  }
}
