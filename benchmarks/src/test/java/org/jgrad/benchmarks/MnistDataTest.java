package org.jgrad.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Data#mnistTrain}: the IDX reader behind the benchmarks' real-MNIST rows. */
class MnistDataTest {
  private static void idx(Path file, int magic, int[] dims, byte[] payload) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(magic);
      for (int d : dims) out.writeInt(d);
      out.write(payload);
    }
    Files.write(file, bytes.toByteArray());
  }

  @Test
  void readsPixelsScaledToUnitRangeAndLabels(@TempDir Path dir) throws IOException {
    assertNull(Data.mnistTrain(dir), "no files: no data set");
    int n = 1030; // more than one 1024-image slab
    byte[] pixels = new byte[n * 784];
    for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (i * 7);
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) labels[i] = (byte) (i % 10);
    idx(dir.resolve("train-images-idx3-ubyte"), 0x803, new int[] {n, 28, 28}, pixels);
    idx(dir.resolve("train-labels-idx1-ubyte"), 0x801, new int[] {n}, labels);
    Tensor[] d = Data.mnistTrain(dir);
    assertArrayEquals(new int[] {n, 784}, d[0].shape());
    float[] v = d[0].toFloatArray();
    for (int i = 0; i < v.length; i++) assertEquals((pixels[i] & 0xff) / 255f, v[i], "pixel " + i);
    long[] l = d[1].toLongArray();
    for (int i = 0; i < n; i++) assertEquals(i % 10, l[i]);
  }

  @Test
  void rejectsAFileThatIsNotMnistImages(@TempDir Path dir) throws IOException {
    idx(dir.resolve("train-images-idx3-ubyte"), 0x803, new int[] {1, 32, 32}, new byte[1024]);
    idx(dir.resolve("train-labels-idx1-ubyte"), 0x801, new int[] {1}, new byte[1]);
    IOException e = assertThrows(IOException.class, () -> Data.mnistTrain(dir));
    assertTrue(e.getMessage().contains("not an MNIST image file"), e.getMessage());
  }
}
