package org.jgrad.train;

import java.io.Console;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Training progress on a terminal: a one-line bar redrawn in place with the batch count, the rate
 * (batches per second), the time left in the epoch and the running loss, then one summary line per
 * epoch. When the output is not a terminal (a log file, CI) it prints plain lines instead: the
 * epoch summaries and, for long epochs, a progress line at most every {@code plainInterval}
 * seconds, so logs stay short and free of carriage returns.
 *
 * <pre>{@code
 * Epoch 3/20 [==============>               ] 120/235  51.3 it/s  ETA 0:02  loss 0.3412
 * Epoch 3/20 235/235 4.6s 51.1 it/s - loss 0.3012 - accuracy 0.9123 - val_loss 0.2876 - val_accuracy 0.9201
 * }</pre>
 */
public final class ProgressBar {

  /** How to report. AUTO draws a bar on a terminal and plain lines otherwise. */
  public enum Mode {
    AUTO,
    TERMINAL,
    PLAIN,
    OFF
  }

  private static final int WIDTH = 30;

  private final PrintStream out;
  private final boolean terminal;
  private final boolean off;
  private final double plainInterval;
  private final java.util.function.LongSupplier clock;
  private String label = "";
  private int total;
  private long start;
  private long lastDraw;
  private int lastLength;

  /** Reports to {@code out} in {@code mode}; plain progress lines at most every 10 s. */
  public ProgressBar(PrintStream out, Mode mode) {
    this(out, mode, 10.0, System::nanoTime);
  }

  ProgressBar(
      PrintStream out, Mode mode, double plainInterval, java.util.function.LongSupplier nanoClock) {
    this.out = Objects.requireNonNull(out, "out");
    Mode m = mode == Mode.AUTO ? (isTerminal() ? Mode.TERMINAL : Mode.PLAIN) : mode;
    this.terminal = m == Mode.TERMINAL;
    this.off = m == Mode.OFF;
    this.plainInterval = plainInterval;
    this.clock = nanoClock;
  }

  /**
   * True when standard output is an interactive terminal: {@code System.console()} exists and, on
   * JDK 22+ (where a console exists even for redirected output), {@code Console.isTerminal()} says
   * so. {@code TERM=dumb} counts as no terminal.
   */
  public static boolean isTerminal() {
    Console c = System.console();
    if (c == null || "dumb".equals(System.getenv("TERM"))) return false;
    try {
      // Console.isTerminal() is JDK 22+ API; this code compiles for release 21
      return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  /** True when drawing an in-place bar (rather than plain lines or nothing). */
  public boolean isBar() {
    return terminal;
  }

  /** Starts a pass over {@code total} batches ({@code total} ≤ 0 when unknown). */
  public void start(String label, int total) {
    this.label = label;
    this.total = total;
    this.start = clock.getAsLong();
    this.lastDraw = start;
    this.lastLength = 0;
  }

  /** {@code done} batches are finished; {@code loss} is the running mean loss. */
  public void update(int done, double loss) {
    if (off) return;
    long now = clock.getAsLong();
    double elapsed = (now - start) / 1e9;
    if (terminal) {
      if (done < total && now - lastDraw < 100_000_000L && done > 1) return; // redraw at most 10×/s
      lastDraw = now;
      StringBuilder sb = new StringBuilder(label).append(' ');
      if (total > 0) {
        int filled = (int) ((long) WIDTH * Math.min(done, total) / total);
        sb.append('[').append("=".repeat(filled));
        if (filled < WIDTH) sb.append('>').append(" ".repeat(WIDTH - filled - 1));
        sb.append("] ").append(done).append('/').append(total);
      } else {
        sb.append(done);
      }
      sb.append(String.format(Locale.ROOT, "  %s it/s", rate(done, elapsed)));
      if (total > 0 && done > 0 && done < total)
        sb.append("  ETA ").append(clockTime(elapsed / done * (total - done)));
      if (!Double.isNaN(loss)) sb.append(String.format(Locale.ROOT, "  loss %.4f", loss));
      String line = sb.toString();
      int pad = Math.max(0, lastLength - line.length());
      out.print("\r" + line + " ".repeat(pad));
      out.flush();
      lastLength = line.length();
    } else if ((now - lastDraw) / 1e9 >= plainInterval && done < total) {
      lastDraw = now;
      out.println(
          String.format(
              Locale.ROOT,
              "%s %d/%s %s it/s%s loss %.4f",
              label,
              done,
              total > 0 ? Integer.toString(total) : "?",
              rate(done, elapsed),
              total > 0 && done > 0 ? " ETA " + clockTime(elapsed / done * (total - done)) : "",
              loss));
    }
  }

  /** Ends the pass with a summary line of {@code logs} (the epoch's metrics). */
  public void finish(int done, Map<String, Double> logs) {
    if (off) return;
    double elapsed = (clock.getAsLong() - start) / 1e9;
    StringBuilder sb = new StringBuilder(label).append(' ').append(done);
    if (total > 0) sb.append('/').append(total);
    sb.append(' ')
        .append(duration(elapsed))
        .append(' ')
        .append(rate(done, elapsed))
        .append(" it/s");
    logs.forEach(
        (k, v) -> {
          if (!k.equals("epoch") && !k.equals("seconds"))
            sb.append(" - ").append(k).append(' ').append(format(k, v));
        });
    String line = sb.toString();
    if (terminal) {
      out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())) + "\n");
    } else {
      out.println(line);
    }
    out.flush();
    lastLength = 0;
  }

  /** Prints a message on its own line (after clearing a bar in progress). */
  public void message(String text) {
    if (off) return;
    if (terminal && lastLength > 0) out.print("\r" + " ".repeat(lastLength) + "\r");
    out.println(text);
    out.flush();
  }

  private static String rate(int done, double seconds) {
    return seconds <= 0 ? "-" : String.format(Locale.ROOT, "%.1f", done / seconds);
  }

  static String format(String key, double v) {
    if (key.equals("lr")) return String.format(Locale.ROOT, "%.3g", v);
    return String.format(Locale.ROOT, "%.4f", v);
  }

  /** "45ms" under a second, "4.6s" under a minute, else minutes:seconds. */
  static String duration(double seconds) {
    if (seconds < 1) return Math.round(seconds * 1000) + "ms";
    if (seconds < 60) return String.format(Locale.ROOT, "%.1fs", seconds);
    return clockTime(seconds);
  }

  /** Minutes:seconds, or hours:minutes:seconds past an hour. */
  static String clockTime(double seconds) {
    long s = Math.round(seconds);
    if (s >= 3600) return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
