package org.jgrad.examples.support;

import java.util.Arrays;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.data.Batch;
import org.jgrad.nn.CrossEntropyLoss;
import org.jgrad.nn.Module;
import org.jgrad.optim.Optimizer;
import org.jgrad.tensor.Tensor;
import org.jgrad.train.Callback;
import org.jgrad.train.History;
import org.jgrad.train.Metric;
import org.jgrad.train.Trainer;

/**
 * Trains an image classifier with cross-entropy through the {@link Trainer} and collects what the
 * classification exercises report: per-epoch loss and accuracy, training time (the training passes
 * alone), test accuracy and test predictions.
 *
 * <pre>{@code
 * ClassifierRuns.Result r = ClassifierRuns.train(ctx, "baseline", model, adam,
 *     RowBatches.shuffled(x, y, 64, g), valX, valY, testX, testY, 5);
 * r.testAccuracy();  r.predictions();
 * }</pre>
 */
public final class ClassifierRuns {
  private ClassifierRuns() {}

  /** Curves per epoch, the final test accuracy, the test predictions and the time. */
  public record Result(
      double[] trainLoss,
      double[] trainAccuracy,
      double[] valAccuracy,
      double testAccuracy,
      int[] predictions,
      double seconds,
      long params) {
    /** Mean training time of one epoch. */
    public double secondsPerEpoch() {
      return seconds / trainLoss.length;
    }
  }

  /**
   * Trains {@code model} for {@code epochs} on {@code train}, validating on (valX, valY) after each
   * epoch, then predicts the test set.
   */
  public static Result train(
      RunContext ctx,
      String key,
      Module model,
      Optimizer opt,
      Iterable<Batch> train,
      Tensor valX,
      Tensor valY,
      Tensor testX,
      Tensor testY,
      int epochs) {
    return train(ctx, key, model, opt, train, valX, valY, testX, testY, epochs, b -> b);
  }

  /** As above, with {@code extra} adding to the Trainer's configuration (e.g. a scheduler). */
  public static Result train(
      RunContext ctx,
      String key,
      Module model,
      Optimizer opt,
      Iterable<Batch> train,
      Tensor valX,
      Tensor valY,
      Tensor testX,
      Tensor testY,
      int epochs,
      java.util.function.UnaryOperator<Trainer.Builder> extra) {
    Trainer.Builder builder =
        ctx.trainer(model, opt, new CrossEntropyLoss()::forward)
            .train(train)
            .validation(RowBatches.inOrder(valX, valY, 500))
            .metrics(Metric.accuracy())
            .epochs(epochs)
            .callback(
                new Callback() {
                  @Override
                  public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
                    ctx.log(
                        "%s epoch %d/%d: loss %.4f acc %.4f, val acc %.4f (%.1f s)",
                        key,
                        epoch,
                        epochs,
                        logs.get("loss"),
                        logs.get("accuracy"),
                        logs.get("val_accuracy"),
                        logs.get("train_seconds"));
                  }
                });
    Trainer trainer = extra.apply(builder).build();
    History h = trainer.fit();
    int[] pred = predict(model, testX, 500);
    int[] truth = labels(testY);
    int right = 0;
    for (int i = 0; i < truth.length; i++) if (pred[i] == truth[i]) right++;
    double acc = truth.length == 0 ? Double.NaN : (double) right / truth.length;
    ctx.log("%s test accuracy %.4f", key, acc);
    return new Result(
        h.column("loss"),
        h.column("accuracy"),
        h.column("val_accuracy"),
        acc,
        pred,
        Arrays.stream(h.column("train_seconds")).sum(),
        model.numParameters());
  }

  /**
   * A few untimed training steps of a throwaway model, so that the first timed model does not pay
   * for JIT compilation of the kernels and the training loop.
   */
  public static void warmUp(Module throwaway, Tensor x, Tensor y, int batch) {
    int n = Math.min(x.size(0), 3 * batch);
    org.jgrad.optim.SGD opt = new org.jgrad.optim.SGD(throwaway.parameters(), 0.01);
    Trainer.builder(throwaway, opt, new CrossEntropyLoss()::forward)
        .train(RowBatches.inOrder(x.narrow(0, 0, n), y.narrow(0, 0, n), batch))
        .metrics(Metric.accuracy())
        .epochs(1)
        .progress(System.out, org.jgrad.train.ProgressBar.Mode.OFF)
        .build()
        .fit();
  }

  /** Arg-max class of every row of {@code x}, in eval mode without gradients. */
  public static int[] predict(Module model, Tensor x, int batch) {
    boolean was = model.isTraining();
    model.eval();
    int n = x.size(0);
    int[] out = new int[n];
    try (var ng = GradMode.noGrad()) {
      for (int s = 0; s < n; s += batch) {
        int len = Math.min(batch, n - s);
        long[] p = model.call(x.narrow(0, s, len)).argmax(1).toLongArray();
        for (int i = 0; i < len; i++) out[s + i] = (int) p[i];
      }
    } finally {
      model.train(was);
    }
    return out;
  }

  /** int64 labels as ints. */
  public static int[] labels(Tensor y) {
    long[] l = y.toLongArray();
    int[] out = new int[l.length];
    for (int i = 0; i < l.length; i++) out[i] = (int) l[i];
    return out;
  }

  /** Epoch numbers 1..n as doubles, for plots and CSV. */
  public static double[] epochs(int n) {
    double[] e = new double[n];
    for (int i = 0; i < n; i++) e[i] = i + 1;
    return e;
  }
}
