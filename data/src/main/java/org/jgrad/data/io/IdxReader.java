package org.jgrad.data.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the format of MNIST and Fashion-MNIST), plain or gzip-compressed. Compression is
 * recognised by the gzip magic bytes, not by the file name.
 *
 * <p>The header is checked (two zero bytes, a known type code, 1 to 16 dimensions) and the payload
 * must have exactly the size the dimensions promise: a truncated file, trailing bytes, or a broken
 * gzip stream are refused with an {@link IOException} naming the file and what was expected.
 *
 * <pre>{@code
 * IdxData images = IdxReader.read(Path.of("mnist/train-images-idx3-ubyte"));
 * int[] dims = images.dims();              // [60000, 28, 28]
 * }</pre>
 */
public final class IdxReader {
  private static final int MAX_DIMS = 16;
  private static final int INITIAL_CHUNK = 1 << 24;

  private IdxReader() {}

  /** Reads one IDX file (plain or gzip). */
  public static IdxData read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("IDX file " + file + " does not exist or is not a regular file");
    }
    long fileSize = Files.size(file);
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      boolean gzip = b0 == 0x1f && b1 == 0x8b;
      if (gzip) {
        try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
          return read(in, file + " (gzip)", -1);
        } catch (ZipException | EOFException e) {
          throw new IOException(
              "IDX file "
                  + file
                  + ": the gzip stream is corrupt or truncated ("
                  + e.getMessage()
                  + "); delete the file and fetch it again",
              e);
        }
      }
      return read(raw, file.toString(), fileSize);
    }
  }

  /**
   * Reads IDX content from a stream (already decompressed).
   *
   * @param source a name for messages, e.g. the file name
   * @param knownSize the total byte count if known (lets a bad header be refused before any large
   *     allocation), or -1
   */
  public static IdxData read(InputStream in, String source, long knownSize) throws IOException {
    byte[] header = in.readNBytes(4);
    if (header.length < 4) {
      throw new IOException(
          "IDX file "
              + source
              + ": too short for an IDX header ("
              + header.length
              + " bytes; expected at least 4)");
    }
    if (header[0] != 0 || header[1] != 0) {
      throw new IOException(
          String.format(
              "IDX file %s: bad magic number 0x%02x%02x%02x%02x; an IDX file starts with two zero bytes, "
                  + "a type code and a dimension count (MNIST images: 0x00000803)",
              source, header[0], header[1], header[2], header[3]));
    }
    int type = header[2] & 0xFF;
    int ndims = header[3] & 0xFF;
    int elem = IdxData.elementSize(type);
    if (elem < 0) {
      throw new IOException(
          "IDX file "
              + source
              + ": unknown element type code 0x"
              + Integer.toHexString(type)
              + " (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)");
    }
    if (ndims < 1 || ndims > MAX_DIMS) {
      throw new IOException(
          "IDX file "
              + source
              + ": "
              + ndims
              + " dimensions in the header (expected 1 to "
              + MAX_DIMS
              + ")");
    }
    byte[] dimBytes = in.readNBytes(4 * ndims);
    if (dimBytes.length < 4 * ndims) {
      throw new IOException(
          "IDX file "
              + source
              + ": truncated header: "
              + ndims
              + " dimensions need "
              + (4 * ndims)
              + " bytes after the magic number, found "
              + dimBytes.length);
    }
    int[] dims = new int[ndims];
    long count = 1;
    for (int i = 0; i < ndims; i++) {
      int p = 4 * i;
      dims[i] =
          ((dimBytes[p] & 0xFF) << 24)
              | ((dimBytes[p + 1] & 0xFF) << 16)
              | ((dimBytes[p + 2] & 0xFF) << 8)
              | (dimBytes[p + 3] & 0xFF);
      if (dims[i] < 0) {
        throw new IOException(
            "IDX file " + source + ": dimension " + i + " is negative (" + dims[i] + ")");
      }
      count *= dims[i];
      if (count * elem > Integer.MAX_VALUE - 16) {
        throw new IOException(
            "IDX file "
                + source
                + ": header dims "
                + Arrays.toString(Arrays.copyOf(dims, i + 1))
                + " describe more than 2 GB of data; the header is corrupt or the file is too large for one array");
      }
    }
    int headerSize = 4 + 4 * ndims;
    int expected = (int) (count * elem);
    String what =
        "dims "
            + Arrays.toString(dims)
            + " of "
            + IdxData.typeName(type)
            + " ("
            + expected
            + " bytes after the "
            + headerSize
            + "-byte header)";
    if (knownSize >= 0 && knownSize != headerSize + (long) expected) {
      long actual = knownSize - headerSize;
      throw new IOException(
          "IDX file "
              + source
              + ": "
              + (actual < expected ? "truncated" : "has trailing bytes")
              + ": header says "
              + what
              + " but the file has "
              + actual
              + " bytes of data; delete it and fetch it again");
    }
    byte[] data = readExactly(in, expected, source, what);
    if (in.read() != -1) {
      throw new IOException(
          "IDX file "
              + source
              + ": has trailing bytes: header says "
              + what
              + " but more data follows");
    }
    return new IdxData(type, dims, data);
  }

  /**
   * Reads an image file ([N, H, W] unsigned bytes) and its label file ([N] unsigned bytes), as the
   * MNIST and Fashion-MNIST pairs are laid out.
   *
   * @throws IOException if either file is malformed, the types or ranks are wrong, the counts
   *     differ, or a label is not a class index
   */
  public static ImageData readLabeledImages(Path images, Path labels, List<String> classNames)
      throws IOException {
    IdxData img = read(images);
    IdxData lab = read(labels);
    int[] d = img.dims();
    if (img.type() != IdxData.UBYTE || d.length != 3) {
      throw new IOException(
          "IDX file "
              + images
              + ": expected images as unsigned bytes [N, H, W], got "
              + IdxData.typeName(img.type())
              + " "
              + Arrays.toString(d));
    }
    int[] ld = lab.dims();
    if (lab.type() != IdxData.UBYTE || ld.length != 1) {
      throw new IOException(
          "IDX file "
              + labels
              + ": expected labels as unsigned bytes [N], got "
              + IdxData.typeName(lab.type())
              + " "
              + Arrays.toString(ld));
    }
    if (ld[0] != d[0]) {
      throw new IOException(
          "IDX files "
              + images
              + " and "
              + labels
              + " disagree: "
              + d[0]
              + " images but "
              + ld[0]
              + " labels");
    }
    int[] y = lab.toIntArray();
    for (int i = 0; i < y.length; i++) {
      if (y[i] >= classNames.size()) {
        throw new IOException(
            "IDX file "
                + labels
                + ": label "
                + y[i]
                + " of item "
                + i
                + " is not a class index 0-"
                + (classNames.size() - 1));
      }
    }
    return new ImageData(img.data(), y, 1, d[1], d[2], classNames);
  }

  // Grows the buffer as data arrives, so a corrupt header inside a gzip stream cannot make us
  // allocate gigabytes before finding out the stream is short.
  private static byte[] readExactly(InputStream in, int expected, String source, String what)
      throws IOException {
    byte[] buf = new byte[Math.min(expected, INITIAL_CHUNK)];
    int filled = 0;
    while (filled < expected) {
      if (filled == buf.length) {
        buf = Arrays.copyOf(buf, (int) Math.min(expected, 2L * buf.length));
      }
      int n = in.read(buf, filled, buf.length - filled);
      if (n < 0) {
        throw new IOException(
            "IDX file "
                + source
                + ": truncated: header says "
                + what
                + " but only "
                + filled
                + " bytes of data follow; delete it and fetch it again");
      }
      filled += n;
    }
    return buf;
  }
}
