package org.jgrad.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jgrad.autograd.GradMode;
import org.jgrad.tensor.Tensor;

/**
 * Stops training when a monitored metric has not improved by more than {@code minDelta} for {@code
 * patience} consecutive epochs, optionally restoring the weights of the best epoch (Keras' {@code
 * EarlyStopping}).
 *
 * <pre>{@code
 * var stopper = new EarlyStopping(EarlyStopping.Mode.MIN, 5, 1e-4)
 *     .restoreBestWeights(model::stateDict, model::loadStateDict);
 * for (int epoch = 0; epoch < 200; epoch++) {
 *   train(model);
 *   if (stopper.step(validationLoss(model))) break;   // best weights are back in the model
 * }
 * }</pre>
 *
 * <p>An epoch improves when {@code metric < best − minDelta} (MIN) or {@code metric > best +
 * minDelta} (MAX); a NaN metric never improves. The snapshot supplier is called at each improvement
 * and its tensors are copied, so it may return live parameters.
 */
public final class EarlyStopping {

  /** Whether smaller (a loss) or larger (an accuracy) is better. */
  public enum Mode {
    MIN,
    MAX
  }

  private final Mode mode;
  private final int patience;
  private final double minDelta;
  private Supplier<Map<String, Tensor>> snapshot;
  private Consumer<Map<String, Tensor>> restore;
  private Map<String, Tensor> bestState;
  private double best;
  private int bestEpoch = -1;
  private int epoch = -1;
  private int wait;
  private boolean stopped;

  /**
   * @param patience epochs without improvement before stopping (≥ 1)
   * @param minDelta the smallest change that counts as an improvement (≥ 0)
   */
  public EarlyStopping(Mode mode, int patience, double minDelta) {
    this.mode = Objects.requireNonNull(mode, "mode");
    if (patience < 1)
      throw new IllegalArgumentException(
          "EarlyStopping: patience must be at least 1, got " + patience);
    if (!(minDelta >= 0))
      throw new IllegalArgumentException("EarlyStopping: minDelta must be >= 0, got " + minDelta);
    this.patience = patience;
    this.minDelta = minDelta;
    this.best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
  }

  /**
   * Keeps a copy of the weights at each improvement and puts them back when training stops.
   *
   * @param snapshot returns the current weights by name (e.g. {@code model::stateDict})
   * @param restore loads weights by name (e.g. {@code model::loadStateDict})
   */
  public EarlyStopping restoreBestWeights(
      Supplier<Map<String, Tensor>> snapshot, Consumer<Map<String, Tensor>> restore) {
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    this.restore = Objects.requireNonNull(restore, "restore");
    return this;
  }

  /** True when {@code metric} would count as an improvement over the best so far. */
  public boolean isImprovement(double metric) {
    if (Double.isNaN(metric)) return false;
    return mode == Mode.MIN ? metric < best - minDelta : metric > best + minDelta;
  }

  /**
   * Records one epoch's metric; returns true when training should stop (the best weights have then
   * been restored, if asked for).
   */
  public boolean step(double metric) {
    epoch++;
    if (isImprovement(metric)) {
      best = metric;
      bestEpoch = epoch;
      wait = 0;
      if (snapshot != null) bestState = copy(snapshot.get());
    } else {
      wait++;
      if (wait >= patience && !stopped) {
        stopped = true;
        restoreBest();
      }
    }
    return stopped;
  }

  /**
   * Loads the best snapshot into the model; false when there is none (no restore configured or no
   * improvement).
   */
  public boolean restoreBest() {
    if (restore == null || bestState == null) return false;
    restore.accept(copy(bestState));
    return true;
  }

  private static Map<String, Tensor> copy(Map<String, Tensor> state) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (var ng = GradMode.noGrad()) {
      state.forEach((k, v) -> out.put(k, v.detach().clone()));
    }
    return out;
  }

  public boolean shouldStop() {
    return stopped;
  }

  /** The best metric seen (±infinity before the first improvement). */
  public double best() {
    return best;
  }

  /** The 0-based epoch of the best metric, or -1. */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** Consecutive epochs without improvement. */
  public int epochsWithoutImprovement() {
    return wait;
  }

  /** A copy of the best weights, or null. */
  public Map<String, Tensor> bestState() {
    return bestState == null ? null : copy(bestState);
  }

  public Mode mode() {
    return mode;
  }
}
