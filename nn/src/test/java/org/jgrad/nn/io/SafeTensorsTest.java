package org.jgrad.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jgrad.backend.DType;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path dir;

  static Map<String, Tensor> sample() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("w", Tensor.of(new float[] {1.5f, -2f, 3.25f, 0f, 1e-7f, -0f}, 2, 3));
    m.put("d", Tensor.of(new double[] {Math.PI, -1e300}, 2));
    m.put("n", Tensor.ofLongs(new long[] {-(1L << 50), 5}, 1, 2));
    m.put("mask", Tensor.ofLongs(new long[] {1, 0, 1}, 3).ne(0));
    m.put("s", Tensor.scalar(7));
    m.put("empty", Tensor.zeros(0, 4));
    return m;
  }

  @Test
  void roundTripsEveryDtypeWithMetadata() throws IOException {
    Path f = dir.resolve("a.safetensors");
    SafeTensors.save(sample(), Map.of("format", "pt", "note", "ü"), f);
    SafeTensors.Contents c = SafeTensors.read(f);
    assertEquals(Map.of("format", "pt", "note", "ü"), c.metadata());
    assertEquals(List.copyOf(sample().keySet()), List.copyOf(c.tensors().keySet()));
    for (Map.Entry<String, Tensor> e : sample().entrySet()) {
      Tensor got = c.tensors().get(e.getKey());
      assertEquals(e.getValue().dtype(), got.dtype(), e.getKey());
      assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
      assertArrayEquals(e.getValue().toDoubleArray(), got.toDoubleArray(), e.getKey());
    }
    // -0.0f keeps its sign bit.
    assertEquals(
        Float.floatToRawIntBits(-0f),
        Float.floatToRawIntBits(c.tensors().get("w").toFloatArray()[5]));
  }

  /** The bytes follow the published layout, checked independently of the reader. */
  @Test
  void layoutIsLengthThenJsonThenLittleEndianData() throws IOException {
    Path f = dir.resolve("b.safetensors");
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("a", Tensor.of(new float[] {1f, 2f}, 2));
    m.put("b", Tensor.ofLongs(new long[] {3}, 1));
    SafeTensors.save(m, f);
    byte[] bytes = Files.readAllBytes(f);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong();
    assertEquals(0, (8 + n) % 8, "data section is 8-byte aligned");
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8).strip();
    assertEquals(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]}}",
        header);
    b.position((int) (8 + n));
    assertEquals(1f, b.getFloat());
    assertEquals(2f, b.getFloat());
    assertEquals(3L, b.getLong());
    assertEquals(bytes.length, b.position());
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return f;
  }

  private static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    return b.array();
  }

  private void refused(Path f, String expected) {
    IOException e = assertThrows(IOException.class, () -> SafeTensors.load(f));
    assertTrue(e.getMessage().contains(f.toString()), "message names the file: " + e.getMessage());
    assertTrue(
        e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }

  @Test
  void truncatedFilesAreRefusedNamingTheFile() throws IOException {
    Path good = dir.resolve("good.safetensors");
    SafeTensors.save(sample(), good);
    byte[] all = Files.readAllBytes(good);
    long headerLen = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
    refused(write("t0", new byte[0]), "truncated");
    refused(write("t1", java.util.Arrays.copyOf(all, 5)), "truncated");
    refused(write("t2", java.util.Arrays.copyOf(all, 8 + (int) headerLen / 2)), "truncated");
    for (int cut : new int[] {1, 7, 24}) {
      refused(write("t3_" + cut, java.util.Arrays.copyOf(all, all.length - cut)), "truncated");
    }
  }

  @Test
  void corruptFilesAreRefused() throws IOException {
    byte[] four = new byte[4];
    refused(
        write("c1", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]", four)),
        "corrupt header");
    refused(
        write("c2", file("{\"a\":{\"dtype\":\"Q8\",\"shape\":[1],\"data_offsets\":[0,4]}}", four)),
        "unsupported dtype");
    refused(
        write("c3", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", four)),
        "needs 8");
    refused(
        write(
            "c4",
            file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8])),
        "holes or overlaps");
    refused(
        write(
            "c5",
            file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[9])),
        "unexpected bytes");
    refused(write("c6", file("[1,2]", new byte[0])), "corrupt header");
    refused(
        write(
            "c7", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", four)),
        "invalid shape");
    ByteBuffer huge =
        ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).putLong(0);
    refused(write("c8", huge.array()), "corrupt header length");
    refused(
        write(
            "c9",
            file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                    + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                four)),
        "holes or overlaps");
  }

  @Test
  void aFailedSaveLeavesTheOldFileAndNoTemporaryFiles() throws IOException {
    Path f = dir.resolve("model.safetensors");
    Map<String, Tensor> old = Map.of("x", Tensor.ones(3));
    SafeTensors.save(old, f);
    byte[] before = Files.readAllBytes(f);
    // A channel that dies after 40 bytes, as a crash or a full disk would.
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                SafeTensors.save(
                    sample(),
                    Map.of(),
                    f,
                    ch ->
                        new WritableByteChannel() {
                          int written;

                          @Override
                          public int write(ByteBuffer src) throws IOException {
                            if (written + src.remaining() > 40)
                              throw new IOException("disk full (simulated)");
                            written += src.remaining();
                            return ch.write(src);
                          }

                          @Override
                          public boolean isOpen() {
                            return ch.isOpen();
                          }

                          @Override
                          public void close() throws IOException {
                            ch.close();
                          }
                        }));
    assertTrue(e.getMessage().contains("simulated"));
    assertArrayEquals(before, Files.readAllBytes(f), "the previous checkpoint is untouched");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(f), files.toList(), "no temporary file is left behind");
    }
    // A failed first save leaves no file at all under the real name.
    Path fresh = dir.resolve("fresh.safetensors");
    assertThrows(
        IllegalArgumentException.class,
        () -> SafeTensors.save(Map.of("__metadata__", Tensor.ones(1)), fresh));
    assertFalse(Files.exists(fresh));
  }

  @Test
  void aSaveSweepsTheTemporaryFileOfAnInterruptedSaveAndGetsOrdinaryPermissions()
      throws IOException {
    Path f = dir.resolve("model.safetensors");
    // A JVM killed mid-save leaves its temporary sibling behind; the next save to the same path
    // removes it.
    Path leftover = dir.resolve(".model.safetensors.4242424242.tmp");
    Files.write(leftover, new byte[] {1, 2, 3});
    SafeTensors.save(sample(), f);
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(f), files.toList(), "the stale temporary file is gone");
    }
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Path plain = dir.resolve("plain");
      Files.write(plain, new byte[1]);
      // Same mode as any file this process creates (umask), not createTempFile's owner-only 0600.
      assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f));
    }
  }

  @Test
  void nonContiguousAndFloat64TensorsAreWrittenInRowMajorOrder() throws IOException {
    Tensor t = Tensor.arange(6.0).reshape(2, 3).transpose(0, 1);
    Path f = dir.resolve("t.safetensors");
    SafeTensors.save(Map.of("t", t), f);
    Tensor back = SafeTensors.load(f).get("t");
    assertArrayEquals(new int[] {3, 2}, back.shape());
    assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, back.toFloatArray());
    assertEquals(DType.FLOAT32, back.dtype());
  }
}
