package org.jgrad.data.io;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Builds IDX files for the reader and data set tests, field by field and independent of the reader.
 */
public final class IdxFiles {
  private IdxFiles() {}

  /**
   * An IDX file: two zero bytes, the type code, the rank, the big-endian dimensions, the payload.
   */
  public static byte[] idx(int type, int[] dims, byte[] payload) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bos);
    out.writeByte(0);
    out.writeByte(0);
    out.writeByte(type);
    out.writeByte(dims.length);
    for (int d : dims) out.writeInt(d);
    out.write(payload);
    return bos.toByteArray();
  }

  /** {@code raw} gzip-compressed. */
  public static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(bos)) {
      gz.write(raw);
    }
    return bos.toByteArray();
  }
}
