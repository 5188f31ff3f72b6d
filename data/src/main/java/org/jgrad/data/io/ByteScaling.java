package org.jgrad.data.io;

/**
 * Unsigned byte to float conversion, the "bytes to [0,1]" step of image pipelines.
 *
 * <pre>{@code
 * float[] f = new float[n];
 * ByteScaling.toUnit(bytes, 0, f, 0, n);   // f[i] = (bytes[i] & 0xFF) / 255f
 * }</pre>
 */
public final class ByteScaling {
  private static final float[] UNIT = new float[256];

  static {
    for (int i = 0; i < 256; i++) UNIT[i] = i / 255f;
  }

  private ByteScaling() {}

  /** {@code dst[dstOff + i] = (src[srcOff + i] & 0xFF) / 255} for {@code i < length}. */
  public static void toUnit(byte[] src, int srcOff, float[] dst, int dstOff, int length) {
    for (int i = 0; i < length; i++) {
      dst[dstOff + i] = UNIT[src[srcOff + i] & 0xFF];
    }
  }

  /** A new float array with every unsigned byte scaled to [0, 1]. */
  public static float[] toUnit(byte[] src) {
    float[] out = new float[src.length];
    toUnit(src, 0, out, 0, src.length);
    return out;
  }
}
