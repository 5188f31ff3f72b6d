package org.jgrad.examples.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One coursework exercise: a runnable program that writes {@code report.md}, {@code metrics.json},
 * PNG figures and CSV curves into its output folder.
 *
 * <pre>{@code
 * public final class MyExercise implements Exercise {
 *   public String name() { return "my-exercise"; }
 *   public String title() { return "What it shows"; }
 *   public void run(RunContext ctx) { ctx.metrics().put("answer", 42); }
 * }
 * }</pre>
 */
public interface Exercise {
  /** The run name used on the command line, e.g. {@code bump-gd-adam}. */
  String name();

  /** A one-line title for listings and the index. */
  String title();

  void run(RunContext ctx) throws Exception;

  /**
   * Whether the exercise trains on {@link RunContext#device()} (the runner's {@code --device}); the
   * others run on the CPU only and the runner refuses another device for them.
   */
  default boolean supportsDevice() {
    return false;
  }

  /**
   * Redraws this exercise's figures from the CSV files a full run left in {@code dir}, with the
   * same plotting code as {@link #run}, and returns the names of the figures it redrew. Figures
   * whose data a run does not save (image grids, heat maps) are left alone. The default redraws
   * nothing.
   */
  default List<String> replot(Path dir) throws IOException {
    return List.of();
  }
}
