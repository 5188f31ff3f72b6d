package org.jgrad.data.io;

import static org.jgrad.data.io.IdxFiles.gzip;
import static org.jgrad.data.io.IdxFiles.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir Path dir;

  static byte[] images(int n, int h, int w) {
    byte[] p = new byte[n * h * w];
    for (int i = 0; i < p.length; i++) p[i] = (byte) (i * 37 + 11);
    return p;
  }

  @Test
  void readsPlainUnsignedBytes() throws IOException {
    byte[] px = images(3, 4, 5);
    Path f = dir.resolve("imgs-idx3-ubyte");
    Files.write(f, idx(0x08, new int[] {3, 4, 5}, px));
    IdxData d = IdxReader.read(f);
    assertEquals(IdxData.UBYTE, d.type());
    assertArrayEquals(new int[] {3, 4, 5}, d.dims());
    assertArrayEquals(px, d.data());
    float[] fl = d.toFloatArray();
    assertEquals(px[7] & 0xFF, fl[7]);
    assertEquals(200, new IdxData(0x08, new int[] {1}, new byte[] {(byte) 200}).toIntArray()[0]);
  }

  @Test
  void readsGzipByMagicNotByName() throws IOException {
    byte[] px = images(2, 3, 3);
    Path f = dir.resolve("no-gz-suffix");
    Files.write(f, gzip(idx(0x08, new int[] {2, 3, 3}, px)));
    assertArrayEquals(px, IdxReader.read(f).data());
  }

  @Test
  void decodesWiderTypesBigEndian() throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bos);
    out.writeFloat(1.5f);
    out.writeFloat(-2.25f);
    Path f = dir.resolve("floats");
    Files.write(f, idx(0x0D, new int[] {2}, bos.toByteArray()));
    assertArrayEquals(new float[] {1.5f, -2.25f}, IdxReader.read(f).toFloatArray());

    bos.reset();
    out.writeInt(-7);
    out.writeInt(123456);
    Files.write(f, idx(0x0C, new int[] {2}, bos.toByteArray()));
    assertArrayEquals(new int[] {-7, 123456}, IdxReader.read(f).toIntArray());

    bos.reset();
    out.writeShort(-300);
    Files.write(f, idx(0x0B, new int[] {1}, bos.toByteArray()));
    assertArrayEquals(new int[] {-300}, IdxReader.read(f).toIntArray());

    bos.reset();
    out.writeDouble(Math.PI);
    Files.write(f, idx(0x0E, new int[] {1}, bos.toByteArray()));
    assertEquals((float) Math.PI, IdxReader.read(f).toFloatArray()[0]);

    Files.write(f, idx(0x09, new int[] {1}, new byte[] {-5}));
    assertArrayEquals(new int[] {-5}, IdxReader.read(f).toIntArray());
  }

  @Test
  void truncatedPlainFileIsRefusedWithFileAndExpectedSize() throws IOException {
    byte[] full = idx(0x08, new int[] {10, 28, 28}, images(10, 28, 28));
    Path f = dir.resolve("train-images-idx3-ubyte");
    Files.write(f, Arrays.copyOf(full, full.length - 100));
    IOException e = assertThrows(IOException.class, () -> IdxReader.read(f));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertTrue(e.getMessage().contains("[10, 28, 28]"), e.getMessage());
    assertTrue(e.getMessage().contains("7840 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("7740 bytes"), e.getMessage());
  }

  @Test
  void truncatedGzipIsRefused() throws IOException {
    byte[] gz = gzip(idx(0x08, new int[] {50, 28, 28}, images(50, 28, 28)));
    Path f = dir.resolve("t10k-images-idx3-ubyte.gz");
    Files.write(f, Arrays.copyOf(gz, gz.length / 2));
    IOException e = assertThrows(IOException.class, () -> IdxReader.read(f));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(
        e.getMessage().contains("corrupt or truncated") || e.getMessage().contains("truncated"),
        e.getMessage());
  }

  @Test
  void gzipWithShortPayloadIsRefused() throws IOException {
    // a well-formed gzip stream whose IDX content is shorter than its header says
    byte[] raw = idx(0x08, new int[] {4, 2, 2}, new byte[10]);
    Path f = dir.resolve("short.gz");
    Files.write(f, gzip(raw));
    IOException e = assertThrows(IOException.class, () -> IdxReader.read(f));
    assertTrue(
        e.getMessage().contains("truncated") && e.getMessage().contains("[4, 2, 2]"),
        e.getMessage());
  }

  @Test
  void corruptedGzipIsRefused() throws IOException {
    byte[] gz = gzip(idx(0x08, new int[] {20, 28, 28}, images(20, 28, 28)));
    for (int i = 20; i < gz.length - 20; i += 7) gz[i] ^= 0x5A;
    Path f = dir.resolve("corrupt.gz");
    Files.write(f, gz);
    IOException e = assertThrows(IOException.class, () -> IdxReader.read(f));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
  }

  @Test
  void trailingBytesAreRefused() throws IOException {
    byte[] full = idx(0x08, new int[] {2, 2}, new byte[4]);
    Path f = dir.resolve("long");
    Files.write(f, Arrays.copyOf(full, full.length + 3));
    IOException e = assertThrows(IOException.class, () -> IdxReader.read(f));
    assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    Path g = dir.resolve("long.gz");
    Files.write(g, gzip(Arrays.copyOf(full, full.length + 3)));
    IOException e2 = assertThrows(IOException.class, () -> IdxReader.read(g));
    assertTrue(e2.getMessage().contains("trailing"), e2.getMessage());
  }

  @Test
  void badHeadersAreRefused() throws IOException {
    Path f = dir.resolve("bad");
    Files.write(f, new byte[] {0x1f, 0x00, 0x08, 0x01, 0, 0, 0, 0});
    assertTrue(
        assertThrows(IOException.class, () -> IdxReader.read(f)).getMessage().contains("magic"));
    Files.write(f, new byte[] {0, 0, 0x07, 0x01, 0, 0, 0, 0});
    assertTrue(
        assertThrows(IOException.class, () -> IdxReader.read(f))
            .getMessage()
            .contains("type code 0x7"));
    Files.write(f, new byte[] {0, 0, 0x08, 0x00});
    assertTrue(
        assertThrows(IOException.class, () -> IdxReader.read(f))
            .getMessage()
            .contains("0 dimensions"));
    Files.write(f, new byte[] {0, 0, 0x08, 0x03, 0, 0, 0, 1});
    assertTrue(
        assertThrows(IOException.class, () -> IdxReader.read(f))
            .getMessage()
            .contains("truncated header"));
    Files.write(f, new byte[] {0, 0});
    assertTrue(
        assertThrows(IOException.class, () -> IdxReader.read(f))
            .getMessage()
            .contains("too short"));
    // a header promising 4 GB must be refused before allocating it
    Files.write(f, idx(0x08, new int[] {65536, 65536}, new byte[0]));
    assertTrue(
        assertThrows(IOException.class, () -> IdxReader.read(f)).getMessage().contains("2 GB"));
    IOException missing =
        assertThrows(IOException.class, () -> IdxReader.read(dir.resolve("nope")));
    assertTrue(missing.getMessage().contains("nope"));
  }

  @Test
  void labeledImagesPairIsValidated() throws IOException {
    Path img = dir.resolve("img");
    Path lab = dir.resolve("lab");
    byte[] px = images(3, 2, 2);
    Files.write(img, idx(0x08, new int[] {3, 2, 2}, px));
    Files.write(lab, idx(0x08, new int[] {3}, new byte[] {2, 0, 1}));
    ImageData d = IdxReader.readLabeledImages(img, lab, List.of("a", "b", "c"));
    assertEquals(3, d.size());
    assertArrayEquals(new int[] {2, 0, 1}, d.labels());
    assertEquals(px[4 + 3] & 0xFF, d.pixel(1, 0, 1, 1));

    Files.write(lab, idx(0x08, new int[] {2}, new byte[] {0, 1}));
    IOException e =
        assertThrows(
            IOException.class, () -> IdxReader.readLabeledImages(img, lab, List.of("a", "b", "c")));
    assertTrue(e.getMessage().contains("3 images but 2 labels"), e.getMessage());

    Files.write(lab, idx(0x08, new int[] {3}, new byte[] {0, 1, 9}));
    e =
        assertThrows(
            IOException.class, () -> IdxReader.readLabeledImages(img, lab, List.of("a", "b", "c")));
    assertTrue(e.getMessage().contains("label 9 of item 2"), e.getMessage());

    e =
        assertThrows(
            IOException.class, () -> IdxReader.readLabeledImages(lab, lab, List.of("a", "b", "c")));
    assertTrue(e.getMessage().contains("[N, H, W]"), e.getMessage());
  }
}
