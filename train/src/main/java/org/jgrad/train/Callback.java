package org.jgrad.train;

import java.util.Map;

/**
 * Hooks into {@link Trainer#fit()} for what the trainer does not do itself (custom logging, sample
 * generation, weight averaging, …). Every method does nothing by default; call {@link
 * Trainer#stop()} from any of them to end training after the current epoch.
 *
 * <pre>{@code
 * trainer.callback(new Callback() {
 *   public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
 *     if (logs.get("val_accuracy") > 0.99) t.stop();
 *   }
 * });
 * }</pre>
 */
public interface Callback {
  default void onTrainBegin(Trainer trainer) {}

  /** Before the first batch of {@code epoch} (1-based). */
  default void onEpochBegin(Trainer trainer, int epoch) {}

  /**
   * After the optimizer step of batch {@code batch} (0-based) of {@code epoch}; {@code loss} is
   * that batch's loss.
   */
  default void onBatchEnd(Trainer trainer, int epoch, int batch, double loss) {}

  /** After validation; {@code logs} holds the epoch's row of the history (unmodifiable). */
  default void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {}

  default void onTrainEnd(Trainer trainer, History history) {}
}
