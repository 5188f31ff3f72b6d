package org.jgrad.train;

import java.util.Objects;
import java.util.function.BiFunction;
import org.jgrad.backend.DType;
import org.jgrad.tensor.Tensor;

/**
 * A quantity accumulated over the batches of an epoch, such as accuracy. The {@link Trainer} calls
 * {@link #reset()} at the start of each pass, {@link #update} with each batch's model output and
 * targets (outside grad mode), and reads {@link #value()} at the end.
 *
 * <pre>{@code
 * Metric acc = Metric.accuracy();
 * Metric mae = Metric.mean("mae", (out, y) -> out.sub(y).abs().mean().item());
 * }</pre>
 */
public interface Metric {

  /** The column name in the history ("accuracy"; validation adds a "val_" prefix). */
  String name();

  void reset();

  void update(Tensor output, Tensor target);

  /** The value over everything seen since {@link #reset()}; NaN before any update. */
  double value();

  /**
   * Classification accuracy. Outputs of shape [B, C] with C ≥ 2 are scored by their argmax against
   * integer class targets [B] (or one-hot [B, C]); outputs of shape [B] or [B, 1] are binary
   * scores, counted as class 1 when ≥ 0.5 (use {@link #binaryAccuracy(double)} for logits, with
   * threshold 0).
   */
  static Metric accuracy() {
    return new Accuracy("accuracy", 0.5);
  }

  /**
   * Binary accuracy with a decision threshold on the output (0.5 for probabilities, 0 for logits).
   */
  static Metric binaryAccuracy(double threshold) {
    return new Accuracy("accuracy", threshold);
  }

  /**
   * A batch-size-weighted mean of a per-batch value, e.g. mean absolute error. {@code fn} returns
   * the batch's mean.
   */
  static Metric mean(String name, BiFunction<Tensor, Tensor, Double> fn) {
    Objects.requireNonNull(fn, "fn");
    return new Metric() {
      private double sum;
      private long count;

      @Override
      public String name() {
        return name;
      }

      @Override
      public void reset() {
        sum = 0;
        count = 0;
      }

      @Override
      public void update(Tensor output, Tensor target) {
        int n = output.dim() == 0 ? 1 : output.size(0);
        sum += fn.apply(output, target) * n;
        count += n;
      }

      @Override
      public double value() {
        return count == 0 ? Double.NaN : sum / count;
      }
    };
  }

  /** Accuracy; see {@link Metric#accuracy()}. */
  final class Accuracy implements Metric {
    private final String name;
    private final double threshold;
    private long correct;
    private long total;

    Accuracy(String name, double threshold) {
      this.name = name;
      this.threshold = threshold;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void reset() {
      correct = 0;
      total = 0;
    }

    @Override
    public void update(Tensor output, Tensor target) {
      if (output.dim() == 0)
        throw new IllegalArgumentException("accuracy: expected a batch of outputs, got a scalar");
      int b = output.size(0);
      boolean binary = output.dim() == 1 || (output.dim() == 2 && output.size(1) == 1);
      long[] predicted;
      if (binary) {
        double[] v = output.toDoubleArray();
        predicted = new long[v.length];
        for (int i = 0; i < v.length; i++) predicted[i] = v[i] >= threshold ? 1 : 0;
      } else if (output.dim() == 2) {
        predicted = output.argmax(1, false).toLongArray();
      } else {
        throw new IllegalArgumentException(
            "accuracy: expected outputs [B], [B, 1] or [B, C], got shape "
                + java.util.Arrays.toString(output.shape()));
      }
      long[] truth;
      if (!binary && target.dim() == 2 && target.size(1) == output.size(1)) {
        truth = target.argmax(1, false).toLongArray(); // one-hot or soft targets
      } else {
        if (target.numel() != b) {
          throw new IllegalArgumentException(
              "accuracy: "
                  + b
                  + " outputs but targets of shape "
                  + java.util.Arrays.toString(target.shape()));
        }
        Tensor t = target.dtype() == DType.INT64 ? target : target.to(DType.FLOAT64);
        double[] v = t.toDoubleArray();
        truth = new long[v.length];
        for (int i = 0; i < v.length; i++) truth[i] = Math.round(v[i]);
      }
      for (int i = 0; i < b; i++) if (predicted[i] == truth[i]) correct++;
      total += b;
    }

    @Override
    public double value() {
      return total == 0 ? Double.NaN : (double) correct / total;
    }
  }
}
