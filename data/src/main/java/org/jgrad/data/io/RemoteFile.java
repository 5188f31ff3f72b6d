package org.jgrad.data.io;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * A data file that lives at {@code path} under the data directory and can be downloaded from one of
 * {@code urls} (tried in order).
 *
 * <p>{@code sha256} is the checksum of what is kept on disk, read as content: for a stored name
 * ending in {@code .gz} it is the checksum of the decompressed bytes (so a recompressed copy with
 * the same data is accepted, as {@code data/fetch.sh} does), for {@link Kind#TAR_GZ} it is the
 * checksum of the downloaded archive.
 *
 * <pre>{@code
 * RemoteFile f = new RemoteFile("mnist/t10k-labels-idx1-ubyte", "ff7bcfd4...", RemoteFile.Kind.GUNZIP,
 *         List.of(URI.create("https://example.org/mnist/t10k-labels-idx1-ubyte.gz")), List.of());
 * Path p = Downloader.ensure(f);
 * }</pre>
 *
 * @param path relative path under the data directory (a directory for {@link Kind#TAR_GZ})
 * @param sha256 expected SHA-256, lower-case hex
 * @param kind how the download becomes the stored file
 * @param urls where to download from, in order of preference
 * @param members for {@link Kind#TAR_GZ}: the archive members (relative to the data directory) that
 *     must exist for the download to count as present; empty otherwise
 */
public record RemoteFile(
    String path, String sha256, Kind kind, List<URI> urls, List<String> members) {
  /** How a download becomes the stored file. */
  public enum Kind {
    /** Stored byte for byte. */
    STORE,
    /** The download is gzip; the decompressed bytes are stored. */
    GUNZIP,
    /**
     * A text table; blanks and carriage returns are removed and empty lines dropped, which is how
     * {@code data/fetch.sh} turns ARFF data sections into CSV.
     */
    TEXT_LINES,
    /** A .tar.gz archive whose members are extracted into the data directory. */
    TAR_GZ
  }

  public RemoteFile {
    if (path.isBlank() || path.startsWith("/") || path.contains("..")) {
      throw new IllegalArgumentException(
          "RemoteFile: path must be relative and inside the data directory: " + path);
    }
    if (!sha256.matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException(
          "RemoteFile: sha256 for " + path + " must be 64 hex digits, got " + sha256);
    }
    sha256 = sha256.toLowerCase(Locale.ROOT);
    urls = List.copyOf(urls);
    members = List.copyOf(members);
  }

  /** A file downloaded as is, checksum of its content. */
  public static RemoteFile store(String path, String sha256, String... urls) {
    return new RemoteFile(path, sha256, Kind.STORE, uris(urls), List.of());
  }

  /** A gzip download kept decompressed under {@code path}. */
  public static RemoteFile gunzip(String path, String sha256, String... urls) {
    return new RemoteFile(path, sha256, Kind.GUNZIP, uris(urls), List.of());
  }

  /** A text table normalised as described in {@link Kind#TEXT_LINES}. */
  public static RemoteFile textLines(String path, String sha256, String... urls) {
    return new RemoteFile(path, sha256, Kind.TEXT_LINES, uris(urls), List.of());
  }

  private static List<URI> uris(String... urls) {
    return java.util.Arrays.stream(urls).map(URI::create).toList();
  }
}
