package org.jgrad.data.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloaderTest {
  @TempDir Path root;
  @TempDir Path remote;

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(bos)) {
      gz.write(raw);
    }
    return bos.toByteArray();
  }

  private URI put(String name, byte[] content) throws IOException {
    Path p = remote.resolve(name);
    Files.write(p, content);
    return p.toUri();
  }

  private List<String> leftovers(Path dir) throws IOException {
    if (!Files.exists(dir)) return List.of();
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.contains(".part") || n.endsWith(".tmp") || n.startsWith(".extract"))
          .toList();
    }
  }

  @Test
  void storesVerifiedFileAndDoesNotFetchAgain() throws Exception {
    byte[] content = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
    URI u = put("t.csv", content);
    RemoteFile f =
        new RemoteFile("sub/t.csv", sha256(content), RemoteFile.Kind.STORE, List.of(u), List.of());
    Path p = Downloader.ensure(f, root, Progress.NONE, true);
    assertEquals(root.resolve("sub/t.csv"), p);
    assertArrayEquals(content, Files.readAllBytes(p));
    Files.delete(remote.resolve("t.csv")); // a second ensure must not need the source
    assertEquals(p, Downloader.ensure(f, root, Progress.NONE, true));
    Downloader.verify(f, root);
    assertEquals(List.of(), leftovers(root));
  }

  @Test
  void theNextDownloadSweepsWhatAnInterruptedOneLeftBehind() throws Exception {
    byte[] content = "x\n".getBytes(StandardCharsets.UTF_8);
    URI u = put("t.csv", content);
    RemoteFile f =
        new RemoteFile("sub/t.csv", sha256(content), RemoteFile.Kind.STORE, List.of(u), List.of());
    Files.createDirectories(root.resolve("sub"));
    Files.writeString(root.resolve("sub/.t.csv.31337.tmp"), "half a download from a killed JVM");
    Downloader.download(f, root, Progress.NONE);
    assertArrayEquals(content, Files.readAllBytes(root.resolve("sub/t.csv")));
    assertEquals(List.of(), leftovers(root));
  }

  @Test
  void gunzipKindStoresDecompressedContent() throws Exception {
    byte[] raw = new byte[5000];
    for (int i = 0; i < raw.length; i++) raw[i] = (byte) (i % 251);
    URI u = put("x.gz", gzip(raw));
    RemoteFile f =
        new RemoteFile("mnist/x", sha256(raw), RemoteFile.Kind.GUNZIP, List.of(u), List.of());
    assertArrayEquals(raw, Files.readAllBytes(Downloader.ensure(f, root, Progress.NONE, true)));
  }

  @Test
  void storedGzipIsCheckedOnItsDecompressedContent() throws Exception {
    byte[] raw = "payload".getBytes(StandardCharsets.UTF_8);
    byte[] gz = gzip(raw);
    URI u = put("y.gz", gz);
    RemoteFile f =
        new RemoteFile("fm/y.gz", sha256(raw), RemoteFile.Kind.STORE, List.of(u), List.of());
    assertArrayEquals(gz, Files.readAllBytes(Downloader.ensure(f, root, Progress.NONE, true)));
    assertEquals(sha256(raw), Downloader.contentSha256(root.resolve("fm/y.gz"), true));
  }

  @Test
  void textLinesAreNormalisedLikeFetchScript() throws Exception {
    byte[] remoteText =
        "5.1, 3.5,Iris-setosa\r\n\r\n4.9,3.0,Iris-setosa\r\n\n".getBytes(StandardCharsets.UTF_8);
    byte[] normal = "5.1,3.5,Iris-setosa\n4.9,3.0,Iris-setosa\n".getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(normal, Downloader.normalizeTextLines(remoteText));
    assertArrayEquals(
        "a\n".getBytes(StandardCharsets.UTF_8),
        Downloader.normalizeTextLines("a".getBytes(StandardCharsets.UTF_8)));
    URI u = put("iris.data", remoteText);
    RemoteFile f = RemoteFile.textLines("uci/iris.csv", sha256(normal), u.toString());
    assertArrayEquals(normal, Files.readAllBytes(Downloader.ensure(f, root, Progress.NONE, true)));
  }

  @Test
  void checksumMismatchLeavesNothingAndSaysWhatToDo() throws Exception {
    URI u = put("bad.bin", "tampered".getBytes(StandardCharsets.UTF_8));
    String expected = sha256("original".getBytes(StandardCharsets.UTF_8));
    RemoteFile f =
        new RemoteFile("d/bad.bin", expected, RemoteFile.Kind.STORE, List.of(u), List.of());
    IOException e =
        assertThrows(IOException.class, () -> Downloader.ensure(f, root, Progress.NONE, true));
    String m = e.getMessage();
    assertTrue(
        m.contains("d/bad.bin")
            && m.contains(expected)
            && m.contains("data/fetch.sh")
            && m.contains(sha256("tampered".getBytes(StandardCharsets.UTF_8))),
        m);
    assertFalse(Files.exists(root.resolve("d/bad.bin")));
    assertEquals(List.of(), leftovers(root));
  }

  @Test
  void failingMirrorFallsBackToTheNext() throws Exception {
    byte[] content = "ok".getBytes(StandardCharsets.UTF_8);
    URI good = put("good", content);
    URI missing = remote.resolve("missing").toUri();
    RemoteFile f =
        new RemoteFile(
            "m/good", sha256(content), RemoteFile.Kind.STORE, List.of(missing, good), List.of());
    assertArrayEquals(content, Files.readAllBytes(Downloader.ensure(f, root, Progress.NONE, true)));
  }

  @Test
  void allMirrorsFailingListsEveryUrl() throws Exception {
    URI a = remote.resolve("a").toUri();
    URI b = remote.resolve("b").toUri();
    RemoteFile f =
        new RemoteFile("m/z", sha256(new byte[1]), RemoteFile.Kind.STORE, List.of(a, b), List.of());
    IOException e =
        assertThrows(IOException.class, () -> Downloader.ensure(f, root, Progress.NONE, true));
    assertTrue(
        e.getMessage().contains(a.toString()) && e.getMessage().contains(b.toString()),
        e.getMessage());
    assertEquals(List.of(), leftovers(root));
  }

  @Test
  void downloadsOffGiveTheMissingFileMessage() throws Exception {
    RemoteFile f =
        RemoteFile.store(
            "mnist/train-images-idx3-ubyte", sha256(new byte[1]), "https://example.invalid/x");
    IOException e =
        assertThrows(IOException.class, () -> Downloader.ensure(f, root, Progress.NONE, false));
    assertTrue(
        e.getMessage().contains("mnist/train-images-idx3-ubyte")
            && e.getMessage().contains("data/fetch.sh")
            && e.getMessage().contains(root.toString())
            && e.getMessage().contains("jgrad.data.dir"),
        e.getMessage());
  }

  @Test
  void verifyReportsAWrongStoredFile() throws Exception {
    Files.createDirectories(root.resolve("u"));
    Files.writeString(root.resolve("u/f.csv"), "changed");
    RemoteFile f = RemoteFile.store("u/f.csv", sha256("orig".getBytes(StandardCharsets.UTF_8)));
    IOException e = assertThrows(IOException.class, () -> Downloader.verify(f, root));
    assertTrue(
        e.getMessage().contains("u/f.csv") && e.getMessage().contains(f.sha256()), e.getMessage());
  }

  /**
   * A ustar archive written by hand: 512-byte headers with octal fields and the header checksum.
   */
  static byte[] tar(String[] names, byte[][] contents) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < names.length; i++) {
      byte[] h = new byte[512];
      boolean dir = contents[i] == null;
      byte[] n = names[i].getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(n, 0, h, 0, n.length);
      field(h, 100, 8, "0000644");
      field(h, 108, 8, "0000000");
      field(h, 116, 8, "0000000");
      field(h, 124, 12, String.format("%011o", dir ? 0 : contents[i].length));
      field(h, 136, 12, "00000000000");
      h[156] = (byte) (dir ? '5' : '0');
      field(h, 257, 6, "ustar");
      h[263] = '0';
      h[264] = '0';
      for (int k = 148; k < 156; k++) h[k] = ' ';
      int sum = 0;
      for (byte b : h) sum += b & 0xFF;
      field(h, 148, 8, String.format("%06o", sum) + "\0 ");
      out.write(h);
      if (!dir) {
        out.write(contents[i]);
        out.write(new byte[(512 - contents[i].length % 512) % 512]);
      }
    }
    out.write(new byte[1024]);
    return out.toByteArray();
  }

  private static void field(byte[] h, int off, int len, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, Math.min(len, b.length));
  }

  @Test
  void tarGzArchiveIsVerifiedAndExtracted() throws Exception {
    byte[] b1 = new byte[3073];
    b1[0] = 4;
    byte[] archive =
        gzip(
            tar(
                new String[] {
                  "cifar-10-batches-bin/",
                  "cifar-10-batches-bin/data_batch_1.bin",
                  "cifar-10-batches-bin/batches.meta.txt"
                },
                new byte[][] {null, b1, "airplane\n".getBytes(StandardCharsets.UTF_8)}));
    URI u = put("cifar.tar.gz", archive);
    RemoteFile f =
        new RemoteFile(
            "cifar-10-batches-bin",
            sha256(archive),
            RemoteFile.Kind.TAR_GZ,
            List.of(u),
            List.of("cifar-10-batches-bin/data_batch_1.bin"));
    assertFalse(Downloader.present(f, root));
    Downloader.ensure(f, root, Progress.NONE, true);
    assertTrue(Downloader.present(f, root));
    assertArrayEquals(
        b1, Files.readAllBytes(root.resolve("cifar-10-batches-bin/data_batch_1.bin")));
    assertEquals(
        "airplane\n", Files.readString(root.resolve("cifar-10-batches-bin/batches.meta.txt")));
    assertEquals(List.of(), leftovers(root));
    assertEquals(
        4, Cifar10Reader.read(root.resolve("cifar-10-batches-bin/data_batch_1.bin")).labels()[0]);
  }

  @Test
  void tarEntryEscapingTheDestinationIsRefused() throws Exception {
    byte[] archive =
        gzip(
            tar(new String[] {"../evil.txt"}, new byte[][] {"x".getBytes(StandardCharsets.UTF_8)}));
    URI u = put("evil.tar.gz", archive);
    RemoteFile f =
        new RemoteFile("x", sha256(archive), RemoteFile.Kind.TAR_GZ, List.of(u), List.of("x/y"));
    IOException e =
        assertThrows(IOException.class, () -> Downloader.ensure(f, root, Progress.NONE, true));
    assertTrue(e.getMessage().contains("outside the destination"), e.getMessage());
    assertFalse(Files.exists(root.getParent().resolve("evil.txt")));
    assertEquals(List.of(), leftovers(root));
  }

  @Test
  void httpDownloadReportsPlainProgressLines() throws Exception {
    byte[] body = new byte[300_000];
    for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 7);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/data.bin",
        ex -> {
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream os = ex.getResponseBody()) {
            for (int off = 0; off < body.length; off += 10_000)
              os.write(body, off, Math.min(10_000, body.length - off));
          }
        });
    server.createContext(
        "/short.bin",
        ex -> {
          // promises more than it sends, then closes: an interrupted download
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body, 0, 1000);
          ex.close();
        });
    server.createContext(
        "/gone",
        ex -> {
          ex.sendResponseHeaders(404, -1);
          ex.close();
        });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      RemoteFile f =
          RemoteFile.store("h/data.bin", sha256(body), base + "/gone", base + "/data.bin");
      Downloader.ensure(
          f, root, Progress.lines(new PrintStream(log, true, StandardCharsets.UTF_8)), true);
      assertArrayEquals(body, Files.readAllBytes(root.resolve("h/data.bin")));
      String text = log.toString(StandardCharsets.UTF_8);
      assertTrue(
          text.contains("downloading h/data.bin from " + base + "/data.bin (293.0 KB)"), text);
      assertTrue(text.contains("  h/data.bin: 100% (293.0 KB of 293.0 KB)"), text);
      assertTrue(text.contains("done, sha256 ok"), text);
      assertFalse(text.contains("\r"), "plain lines must not use carriage returns");

      RemoteFile s = RemoteFile.store("h/short.bin", sha256(body), base + "/short.bin");
      IOException e =
          assertThrows(IOException.class, () -> Downloader.ensure(s, root, Progress.NONE, true));
      assertTrue(
          e.getMessage().contains("h/short.bin") && e.getMessage().contains(base + "/short.bin"),
          e.getMessage());
      assertFalse(
          Files.exists(root.resolve("h/short.bin")),
          "a partial download must not sit under the final name");
      assertEquals(List.of(), leftovers(root));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void dataDirLookupPrefersTheSystemProperty() {
    String old = System.getProperty(DataDir.PROPERTY);
    try {
      System.setProperty(DataDir.PROPERTY, root.toString());
      assertEquals(root, DataDir.root());
      assertEquals(root.resolve("mnist"), DataDir.resolve("mnist"));
      assertTrue(DataDir.describe().contains("-Djgrad.data.dir"));
      System.clearProperty(DataDir.PROPERTY);
      String env = System.getenv(DataDir.ENV);
      Path expected =
          env != null && !env.isBlank()
              ? Path.of(env)
              : Path.of(System.getProperty("user.home"), ".jgrad", "data");
      assertEquals(expected, DataDir.root());
    } finally {
      if (old == null) System.clearProperty(DataDir.PROPERTY);
      else System.setProperty(DataDir.PROPERTY, old);
    }
  }

  @Test
  void remoteFileRejectsBadSpecs() {
    assertThrows(IllegalArgumentException.class, () -> RemoteFile.store("../x", "0".repeat(64)));
    assertThrows(IllegalArgumentException.class, () -> RemoteFile.store("/abs", "0".repeat(64)));
    assertThrows(IllegalArgumentException.class, () -> RemoteFile.store("x", "123"));
  }
}
