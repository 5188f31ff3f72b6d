package org.jgrad.data.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jgrad.data.datasets.Cifar10;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10ReaderTest {
  @TempDir Path dir;

  /** Records in the CIFAR-10 binary layout: label, then 1024 red, 1024 green, 1024 blue bytes. */
  static byte[] batch(int[] labels, int salt) {
    byte[] b = new byte[labels.length * 3073];
    for (int r = 0; r < labels.length; r++) {
      b[r * 3073] = (byte) labels[r];
      for (int ch = 0; ch < 3; ch++) {
        for (int p = 0; p < 1024; p++) b[r * 3073 + 1 + ch * 1024 + p] = value(r, ch, p, salt);
      }
    }
    return b;
  }

  static byte value(int record, int ch, int p, int salt) {
    return (byte) (record * 31 + ch * 80 + p * 7 + salt);
  }

  @Test
  void readsRecordsAndChannelPlanes() throws IOException {
    Path f = dir.resolve("data_batch_1.bin");
    Files.write(f, batch(new int[] {3, 9, 0}, 1));
    ImageData d = Cifar10Reader.read(f);
    assertEquals(3, d.size());
    assertArrayEquals(new int[] {3, 9, 0}, d.labels());
    assertEquals(3, d.channels());
    assertEquals(32, d.height());
    // record 1, green channel, row 2, column 5 = plane offset 2*32+5
    assertEquals(value(1, 1, 2 * 32 + 5, 1) & 0xFF, d.pixel(1, 1, 2, 5));
    assertEquals(value(2, 2, 1023, 1) & 0xFF, d.pixel(2, 2, 31, 31));
    assertEquals("cat", d.classNames().get(d.labels()[0]));
  }

  @Test
  void concatenatesFilesInOrder() throws IOException {
    Path a = dir.resolve("data_batch_1.bin");
    Path b = dir.resolve("data_batch_2.bin");
    Files.write(a, batch(new int[] {1, 2}, 1));
    Files.write(b, batch(new int[] {7}, 2));
    ImageData d = Cifar10Reader.read(List.of(a, b));
    assertArrayEquals(new int[] {1, 2, 7}, d.labels());
    assertEquals(value(0, 0, 0, 2) & 0xFF, d.pixel(2, 0, 0, 0));
  }

  @Test
  void truncatedFileIsRefused() throws IOException {
    Path f = dir.resolve("test_batch.bin");
    byte[] full = batch(new int[] {1, 2}, 0);
    Files.write(f, Arrays.copyOf(full, full.length - 1));
    IOException e = assertThrows(IOException.class, () -> Cifar10Reader.read(f));
    assertTrue(
        e.getMessage().contains(f.toString()) && e.getMessage().contains("3073"), e.getMessage());
    Files.write(f, new byte[0]);
    assertThrows(IOException.class, () -> Cifar10Reader.read(f));
  }

  @Test
  void badLabelIsRefused() throws IOException {
    Path f = dir.resolve("test_batch.bin");
    Files.write(f, batch(new int[] {1, 10}, 0));
    IOException e = assertThrows(IOException.class, () -> Cifar10Reader.read(f));
    assertTrue(e.getMessage().contains("record 1 has label 10"), e.getMessage());
  }

  @Test
  void readsClassNamesFile() throws IOException {
    Path f = dir.resolve("batches.meta.txt");
    Files.writeString(f, "airplane\nautomobile\n\n");
    assertEquals(List.of("airplane", "automobile"), Cifar10Reader.readClassNames(f));
  }

  @Test
  void missingCifarDataGivesAdviceThatWorks() throws IOException {
    IOException e = assertThrows(IOException.class, () -> Cifar10.load(true, dir, false));
    String m = e.getMessage();
    assertTrue(
        m.startsWith(
            "data set directory cifar-10-batches-bin/ is not in "
                + dir
                + " and downloads are switched off"),
        m);
    assertTrue(
        m.contains(
            "download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"),
        m);
    assertTrue(m.contains("tar -xzf cifar-10-binary.tar.gz -C " + dir), m);
    assertTrue(
        m.contains("creates " + dir.resolve("cifar-10-batches-bin") + "/ with data_batch_1.bin"),
        m);
    assertTrue(m.contains("data/fetch.sh does not fetch this data set"), m);
    // It is a directory, not a data file; and fetch.sh is not offered as the fix.
    assertFalse(m.contains("data file"), m);
    assertFalse(m.contains("run data/fetch.sh"), m);

    // A partly extracted directory: the message names what is missing.
    Path sub = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
    Files.write(sub.resolve("data_batch_1.bin"), new byte[3073]);
    m = assertThrows(IOException.class, () -> Cifar10.load(false, dir, false)).getMessage();
    assertTrue(
        m.startsWith("data set directory " + sub + " lacks cifar-10-batches-bin/data_batch_2.bin"),
        m);
    assertTrue(m.contains("test_batch.bin"), m);
  }
}
