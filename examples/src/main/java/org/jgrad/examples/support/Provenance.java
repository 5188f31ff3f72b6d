package org.jgrad.examples.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Which source produced a report: the git commit of the working directory, marked when the checkout
 * has uncommitted changes, or {@code "unknown commit"} outside a git checkout.
 *
 * <pre>{@code
 * report.paragraph("Made at " + Provenance.commit() + ".");   // "commit 1a2b3c4" or "commit 1a2b3c4 with local changes"
 * }</pre>
 */
public final class Provenance {
  private static String cached;

  private Provenance() {}

  /**
   * {@code "commit abc1234"}, with {@code " with local changes"} when tracked files other than the
   * outputs under {@code docs/} and {@code runs/} differ from it.
   */
  public static synchronized String commit() {
    if (cached == null) {
      String sha = git("rev-parse", "--short", "HEAD");
      if (sha == null || sha.isBlank()) {
        cached = "unknown commit";
      } else {
        // Reports and run folders are outputs, not sources: rewriting them must not mark the source
        // as changed.
        String dirty =
            git(
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":(exclude,top)docs",
                ":(exclude,top)runs");
        cached =
            "commit "
                + sha.strip()
                + (dirty != null && !dirty.isBlank() ? " with local changes" : "");
      }
    }
    return cached;
  }

  private static String git(String... args) {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "git";
    System.arraycopy(args, 0, cmd, 1, args.length);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
      return out;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
