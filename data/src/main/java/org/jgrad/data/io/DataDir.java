package org.jgrad.data.io;

import java.nio.file.Path;

/**
 * Where data sets live on this machine. The first that is set wins:
 *
 * <ol>
 *   <li>the system property {@value #PROPERTY} ({@code -Djgrad.data.dir=/data/jgrad}),
 *   <li>the environment variable {@value #ENV},
 *   <li>{@code ~/.jgrad/data}.
 * </ol>
 *
 * Layout under it is the one {@code data/fetch.sh} writes: {@code mnist/}, {@code fashion-mnist/},
 * {@code uci/}, {@code temperature/}, {@code cifar-10-batches-bin/}.
 *
 * <pre>{@code
 * Path mnistDir = DataDir.root().resolve("mnist");
 * }</pre>
 */
public final class DataDir {
  /** System property naming the data directory. */
  public static final String PROPERTY = "jgrad.data.dir";

  /** Environment variable naming the data directory. */
  public static final String ENV = "JGRAD_DATA_DIR";

  /** System property that, when "true", forbids downloads (missing files are an error). */
  public static final String OFFLINE_PROPERTY = "jgrad.data.offline";

  /** Environment variable that, when "1" or "true", forbids downloads. */
  public static final String OFFLINE_ENV = "JGRAD_DATA_OFFLINE";

  private DataDir() {}

  /** The data directory (not created here). */
  public static Path root() {
    String p = System.getProperty(PROPERTY);
    if (p != null && !p.isBlank()) return Path.of(p);
    String e = System.getenv(ENV);
    if (e != null && !e.isBlank()) return Path.of(e);
    return Path.of(System.getProperty("user.home"), ".jgrad", "data");
  }

  /** A file or directory under the data directory. */
  public static Path resolve(String relative) {
    return root().resolve(relative);
  }

  /** Whether downloads are switched off by {@value #OFFLINE_PROPERTY} or {@value #OFFLINE_ENV}. */
  public static boolean offline() {
    String p = System.getProperty(OFFLINE_PROPERTY);
    if (p != null) return p.equalsIgnoreCase("true") || p.equals("1");
    String e = System.getenv(OFFLINE_ENV);
    return e != null && (e.equalsIgnoreCase("true") || e.equals("1"));
  }

  /** One sentence saying how the directory was chosen, for error messages. */
  public static String describe() {
    String p = System.getProperty(PROPERTY);
    if (p != null && !p.isBlank()) return "data directory " + p + " (from -D" + PROPERTY + ")";
    String e = System.getenv(ENV);
    if (e != null && !e.isBlank()) return "data directory " + e + " (from $" + ENV + ")";
    return "data directory "
        + root()
        + " (default; set -D"
        + PROPERTY
        + " or $"
        + ENV
        + " to change it)";
  }
}
