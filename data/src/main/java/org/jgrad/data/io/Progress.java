package org.jgrad.data.io;

import java.io.PrintStream;
import java.net.URI;
import java.util.Locale;

/**
 * Reports download progress. {@link #console()} draws a one-line bar when a terminal is attached
 * and otherwise prints plain lines (every 10 %), which is what a log file or CI output wants.
 *
 * <pre>{@code
 * Downloader.ensure(file, DataDir.root(), Progress.console(), true);
 * Downloader.ensure(file, DataDir.root(), Progress.NONE, true);    // silent
 * }</pre>
 */
public interface Progress {
  /** A download of {@code name} from {@code from} starts; {@code totalBytes} is -1 if unknown. */
  void start(String name, URI from, long totalBytes);

  /** {@code bytes} have arrived so far. */
  void update(long bytes);

  /** The download ended; {@code message} says how (e.g. "sha256 ok"). */
  void finish(boolean ok, String message);

  /** Reports nothing. */
  Progress NONE =
      new Progress() {
        @Override
        public void start(String name, URI from, long totalBytes) {}

        @Override
        public void update(long bytes) {}

        @Override
        public void finish(boolean ok, String message) {}
      };

  /** A bar on a terminal, plain lines otherwise; both on {@code System.err}. */
  static Progress console() {
    return interactive() ? new Bar(System.err) : new Lines(System.err);
  }

  /**
   * Whether a terminal is attached. {@code System.console()} is null when output is redirected on
   * JDK 21 and 25, but JDK 22-23 may return a console for pipes too; there {@code isTerminal()}
   * (JDK 22+, called reflectively because the code targets release 21) decides.
   */
  private static boolean interactive() {
    java.io.Console c = System.console();
    if (c == null) return false;
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true;
    }
  }

  /** Plain progress lines, one per 10 % crossed (or per 8 MB when the size is unknown). */
  static Progress lines(PrintStream out) {
    return new Lines(out);
  }

  /** Formats a byte count as "12.3 MB". */
  static String bytes(long b) {
    if (b < 1024) return b + " B";
    if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KB", b / 1024.0);
    return String.format(Locale.ROOT, "%.1f MB", b / (1024.0 * 1024));
  }

  /** Plain lines. */
  final class Lines implements Progress {
    private final PrintStream out;
    private String name;
    private long total;
    private long nextReport;

    Lines(PrintStream out) {
      this.out = out;
    }

    @Override
    public void start(String name, URI from, long totalBytes) {
      this.name = name;
      this.total = totalBytes;
      this.nextReport = step();
      out.println(
          "downloading "
              + name
              + " from "
              + from
              + (totalBytes >= 0 ? " (" + bytes(totalBytes) + ")" : ""));
    }

    private long step() {
      return total > 0 ? Math.max(1, total / 10) : 8L << 20;
    }

    @Override
    public void update(long b) {
      if (b >= nextReport) {
        out.println(
            "  "
                + name
                + ": "
                + (total > 0
                    ? (100 * b / total) + "% (" + bytes(b) + " of " + bytes(total) + ")"
                    : bytes(b)));
        while (nextReport <= b) nextReport += step();
      }
    }

    @Override
    public void finish(boolean ok, String message) {
      out.println(
          "  "
              + name
              + ": "
              + (ok ? "done" : "failed")
              + (message.isEmpty() ? "" : ", " + message));
    }
  }

  /** A redrawn bar for terminals. */
  final class Bar implements Progress {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private String name;
    private long total;
    private long lastDraw;

    Bar(PrintStream out) {
      this.out = out;
    }

    @Override
    public void start(String name, URI from, long totalBytes) {
      this.name = name;
      this.total = totalBytes;
      out.println("downloading " + name + " from " + from);
      draw(0);
    }

    @Override
    public void update(long b) {
      long now = System.nanoTime();
      if (now - lastDraw > 100_000_000L) {
        lastDraw = now;
        draw(b);
      }
    }

    private void draw(long b) {
      if (total > 0) {
        int filled = (int) (WIDTH * b / total);
        out.print(
            "\r  ["
                + "#".repeat(filled)
                + ".".repeat(WIDTH - filled)
                + "] "
                + String.format(
                    Locale.ROOT, "%3d%% %s / %s", 100 * b / total, bytes(b), bytes(total))
                + "   ");
      } else {
        out.print("\r  " + bytes(b) + "   ");
      }
      out.flush();
    }

    @Override
    public void finish(boolean ok, String message) {
      out.println(
          "\r  "
              + name
              + ": "
              + (ok ? "done" : "failed")
              + (message.isEmpty() ? "" : ", " + message)
              + " ".repeat(WIDTH));
    }
  }
}
