package org.jgrad.examples.support;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Caps for a full run that a machine cannot finish in the time it has: {@code
 * -Djgrad.examples.maxTrain=N} limits the training images and {@code -Djgrad.examples.maxEpochs=N}
 * the epochs of the exercises that read them. Quick runs ignore both. An exercise that applied a
 * cap says so in its report and metrics with {@link #report}, with the time the full configuration
 * would take, projected from the measured time per training image and epoch.
 *
 * <pre>{@code
 * int n = Reduced.train(ctx, 600, 60000);      // 60000 unless capped
 * int epochs = Reduced.epochs(ctx, 2, 30);
 * ...
 * Reduced.report(ctx, seconds, (double) n * epochs, 60000.0 * 30);
 * }</pre>
 */
public final class Reduced {
  private Reduced() {}

  private static int cap(RunContext ctx, String key, int quick, int full) {
    if (ctx.quick()) return quick;
    Integer c = Integer.getInteger(key);
    if (c != null && c < 1) {
      throw new IllegalArgumentException("-D" + key + " must be positive, got " + c);
    }
    return c == null ? full : Math.min(c, full);
  }

  /** Training images: {@code quick} in quick mode, else {@code full} capped by maxTrain. */
  public static int train(RunContext ctx, int quick, int full) {
    return cap(ctx, "jgrad.examples.maxTrain", quick, full);
  }

  /** Epochs: {@code quick} in quick mode, else {@code full} capped by maxEpochs. */
  public static int epochs(RunContext ctx, int quick, int full) {
    return cap(ctx, "jgrad.examples.maxEpochs", quick, full);
  }

  /** Whether this run is a full run with a cap set. */
  public static boolean active(RunContext ctx) {
    return !ctx.quick()
        && (Integer.getInteger("jgrad.examples.maxTrain") != null
            || Integer.getInteger("jgrad.examples.maxEpochs") != null);
  }

  /**
   * When a cap is active, adds a paragraph and the metric {@code reduced} saying what was run and
   * projecting the full configuration's training time linearly from {@code seconds} spent on {@code
   * doneImageEpochs} image-epochs to {@code fullImageEpochs}.
   */
  public static void report(
      RunContext ctx, double seconds, double doneImageEpochs, double fullImageEpochs) {
    report(
        ctx,
        seconds,
        seconds * fullImageEpochs / doneImageEpochs,
        String.format(
            Locale.ROOT,
            "%.3g of the full %.3g training image-epochs",
            doneImageEpochs,
            fullImageEpochs));
  }

  /**
   * As {@link #report(RunContext, double, double, double)} with the projection already made (e.g.
   * summed over models of different cost); {@code done} says what part of the full configuration
   * ran.
   */
  public static void report(RunContext ctx, double seconds, double projected, String done) {
    if (!active(ctx)) return;
    ctx.report()
        .paragraph(
            String.format(
                Locale.ROOT,
                "**Reduced full run.** This machine could not finish the full configuration in the time it had, so "
                    + "this run used -Djgrad.examples.maxTrain=%s and -Djgrad.examples.maxEpochs=%s: %s, in %.0f s "
                    + "of training. At the same speed (per image and epoch, linearly) the full configuration would "
                    + "take about %.0f s (%.1f h) of training.",
                Integer.getInteger("jgrad.examples.maxTrain"),
                Integer.getInteger("jgrad.examples.maxEpochs"),
                done,
                seconds,
                projected,
                projected / 3600));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("max_train", String.valueOf(Integer.getInteger("jgrad.examples.maxTrain")));
    m.put("max_epochs", String.valueOf(Integer.getInteger("jgrad.examples.maxEpochs")));
    m.put("done", done);
    m.put("train_seconds", seconds);
    m.put("projected_full_train_seconds", projected);
    ctx.metrics().put("reduced", m);
  }
}
