package org.jgrad.data.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the CIFAR-10 binary batches ({@code data_batch_1.bin} ... {@code data_batch_5.bin}, {@code
 * test_batch.bin}): each record is one label byte (0-9) followed by 3072 pixel bytes, the 32x32 red
 * plane, then green, then blue.
 *
 * <pre>{@code
 * ImageData test = Cifar10Reader.read(dir.resolve("test_batch.bin"));
 * ImageData train = Cifar10Reader.read(List.of(dir.resolve("data_batch_1.bin"), dir.resolve("data_batch_2.bin")));
 * }</pre>
 */
public final class Cifar10Reader {
  /** Bytes per record: 1 label + 3 x 32 x 32 pixels. */
  public static final int RECORD_SIZE = 1 + 3 * 32 * 32;

  /** The class names in label order, as in {@code batches.meta.txt}. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

  private Cifar10Reader() {}

  /** Reads one batch file. */
  public static ImageData read(Path file) throws IOException {
    return read(List.of(file));
  }

  /** Reads and concatenates several batch files, in the given order. */
  public static ImageData read(List<Path> files) throws IOException {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("Cifar10Reader: no files given");
    }
    long total = 0;
    for (Path f : files) {
      if (!Files.isRegularFile(f)) {
        throw new IOException("CIFAR-10 file " + f + " does not exist or is not a regular file");
      }
      long size = Files.size(f);
      if (size == 0 || size % RECORD_SIZE != 0) {
        throw new IOException(
            "CIFAR-10 file "
                + f
                + ": size "
                + size
                + " bytes is not a positive multiple of "
                + RECORD_SIZE
                + " (1 label byte + 3072 pixel bytes per record); the file is truncated or not a "
                + "CIFAR-10 binary batch");
      }
      total += size / RECORD_SIZE;
    }
    if (total * (RECORD_SIZE - 1) > Integer.MAX_VALUE - 16) {
      throw new IOException("CIFAR-10: " + total + " records do not fit in one array");
    }
    int n = (int) total;
    byte[] pixels = new byte[n * (RECORD_SIZE - 1)];
    int[] labels = new int[n];
    int r = 0;
    for (Path f : files) {
      byte[] all = Files.readAllBytes(f);
      int records = all.length / RECORD_SIZE;
      for (int i = 0; i < records; i++, r++) {
        int label = all[i * RECORD_SIZE] & 0xFF;
        if (label >= CLASS_NAMES.size()) {
          throw new IOException(
              "CIFAR-10 file "
                  + f
                  + ": record "
                  + i
                  + " has label "
                  + label
                  + " (expected 0-9); the file is corrupt or not CIFAR-10");
        }
        labels[r] = label;
        System.arraycopy(all, i * RECORD_SIZE + 1, pixels, r * (RECORD_SIZE - 1), RECORD_SIZE - 1);
      }
    }
    return new ImageData(pixels, labels, 3, 32, 32, CLASS_NAMES);
  }

  /** Class names from a {@code batches.meta.txt} file (one per line, blank lines ignored). */
  public static List<String> readClassNames(Path metaFile) throws IOException {
    List<String> names = new ArrayList<>();
    for (String line : Files.readAllLines(metaFile, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) names.add(line.strip());
    }
    return names;
  }
}
