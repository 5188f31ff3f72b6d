package org.jgrad.data.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Extracts regular files and directories from a (ustar / GNU / pax) tar stream; links and devices
 * are skipped, and entries whose names would land outside the destination are refused. Enough for
 * data-set archives such as {@code cifar-10-binary.tar.gz}.
 *
 * <pre>{@code
 * try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
 *     TarExtractor.extract(in, destDir, archive.toString());
 * }
 * }</pre>
 */
public final class TarExtractor {
  private static final int BLOCK = 512;

  private TarExtractor() {}

  /** Extracts every regular file of the tar stream under {@code dest}. */
  public static void extract(InputStream in, Path dest, String source) throws IOException {
    Path base = dest.toAbsolutePath().normalize();
    byte[] header = new byte[BLOCK];
    String longName = null;
    while (true) {
      int n = in.readNBytes(header, 0, BLOCK);
      if (n == 0) return; // tolerated: archive without the two zero end blocks
      if (n < BLOCK) throw new IOException("tar archive " + source + ": truncated header block");
      if (allZero(header)) return;
      if (!checksumOk(header)) {
        throw new IOException(
            "tar archive " + source + ": header checksum mismatch (corrupt archive?)");
      }
      String name = longName != null ? longName : string(header, 0, 100);
      longName = null;
      String prefix = string(header, 345, 155);
      if (!prefix.isEmpty() && header[257] == 'u') name = prefix + "/" + name;
      long size = octal(header, 124, 12, source);
      char type = (char) header[156];
      long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
      switch (type) {
        case 'L' -> { // GNU long name: the next entry's name is in this entry's data
          byte[] data = in.readNBytes((int) padded);
          if (data.length < padded)
            throw new IOException("tar archive " + source + ": truncated long-name entry");
          longName = string(data, 0, (int) size);
        }
        case '0', '\0', '5' -> {
          Path out = base.resolve(name).normalize();
          if (!out.startsWith(base)) {
            throw new IOException(
                "tar archive " + source + ": entry '" + name + "' points outside the destination");
          }
          if (type == '5' || name.endsWith("/")) {
            Files.createDirectories(out);
            skip(in, padded, source);
          } else {
            Files.createDirectories(out.getParent());
            try (OutputStream os = Files.newOutputStream(out)) {
              copyExactly(in, os, size, source, name);
            }
            skip(in, padded - size, source);
          }
        }
        default -> skip(in, padded, source); // pax headers, links, devices
      }
    }
  }

  private static void copyExactly(
      InputStream in, OutputStream out, long size, String source, String name) throws IOException {
    byte[] buf = new byte[1 << 16];
    long left = size;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0)
        throw new IOException("tar archive " + source + ": entry " + name + " is truncated");
      out.write(buf, 0, n);
      left -= n;
    }
  }

  private static void skip(InputStream in, long n, String source) throws IOException {
    long left = n;
    while (left > 0) {
      long s = in.skip(left);
      if (s <= 0) {
        if (in.read() < 0) throw new IOException("tar archive " + source + ": truncated");
        s = 1;
      }
      left -= s;
    }
  }

  private static boolean allZero(byte[] b) {
    for (byte x : b) if (x != 0) return false;
    return true;
  }

  private static boolean checksumOk(byte[] h) {
    long stored;
    try {
      stored = octal(h, 148, 8, "");
    } catch (IOException e) {
      return false;
    }
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xFF);
    return sum == stored;
  }

  private static String string(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) end++;
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] b, int off, int len, String source) throws IOException {
    long v = 0;
    int i = off;
    while (i < off + len && (b[i] == ' ' || b[i] == 0)) i++;
    for (; i < off + len && b[i] >= '0' && b[i] <= '7'; i++) v = v * 8 + (b[i] - '0');
    for (; i < off + len; i++) {
      if (b[i] != ' ' && b[i] != 0)
        throw new IOException("tar archive " + source + ": bad number field in header");
    }
    return v;
  }
}
