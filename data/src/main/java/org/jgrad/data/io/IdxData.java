package org.jgrad.data.io;

import java.util.Arrays;

/**
 * The content of one IDX file (the MNIST format): element type, dimensions and the raw big-endian
 * element bytes. Decoding to numbers happens only when asked, so a 47 MB image file stays one
 * {@code byte[]}.
 *
 * <pre>{@code
 * IdxData labels = IdxReader.read(Path.of("train-labels-idx1-ubyte"));
 * int[] y = labels.toIntArray();          // 60000 labels 0..9
 * }</pre>
 *
 * @param type the IDX type code: {@link #UBYTE}, {@link #BYTE}, {@link #SHORT}, {@link #INT},
 *     {@link #FLOAT} or {@link #DOUBLE}
 * @param dims the dimensions, outermost first
 * @param data the elements, big-endian, row-major; not copied (this is a value holder for large
 *     data)
 */
public record IdxData(int type, int[] dims, byte[] data) {
  /** Unsigned byte (MNIST images and labels). */
  public static final int UBYTE = 0x08;

  /** Signed byte. */
  public static final int BYTE = 0x09;

  /** Big-endian 16-bit integer. */
  public static final int SHORT = 0x0B;

  /** Big-endian 32-bit integer. */
  public static final int INT = 0x0C;

  /** Big-endian IEEE 754 float. */
  public static final int FLOAT = 0x0D;

  /** Big-endian IEEE 754 double. */
  public static final int DOUBLE = 0x0E;

  public IdxData {
    int size = elementSize(type);
    if (size < 0) {
      throw new IllegalArgumentException(
          "IdxData: unknown IDX type code 0x" + Integer.toHexString(type));
    }
    dims = dims.clone();
    long n = 1;
    for (int d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "IdxData: negative dimension in " + Arrays.toString(dims));
      }
      n *= d;
    }
    if (n * size != data.length) {
      throw new IllegalArgumentException(
          "IdxData: dims "
              + Arrays.toString(dims)
              + " of "
              + typeName(type)
              + " need "
              + n * size
              + " bytes, got "
              + data.length);
    }
  }

  /** Bytes per element for an IDX type code, or -1 for an unknown code. */
  public static int elementSize(int type) {
    return switch (type) {
      case UBYTE, BYTE -> 1;
      case SHORT -> 2;
      case INT, FLOAT -> 4;
      case DOUBLE -> 8;
      default -> -1;
    };
  }

  /** A readable name for an IDX type code ("unsigned byte", ...). */
  public static String typeName(int type) {
    return switch (type) {
      case UBYTE -> "unsigned byte";
      case BYTE -> "signed byte";
      case SHORT -> "short";
      case INT -> "int";
      case FLOAT -> "float";
      case DOUBLE -> "double";
      default -> "unknown type 0x" + Integer.toHexString(type);
    };
  }

  /** Number of elements (product of the dimensions). */
  public int count() {
    return data.length / elementSize(type);
  }

  /** The dimensions (a copy). */
  @Override
  public int[] dims() {
    return dims.clone();
  }

  /** Decodes every element to float, row-major. */
  public float[] toFloatArray() {
    int n = count();
    float[] out = new float[n];
    switch (type) {
      case UBYTE -> {
        for (int i = 0; i < n; i++) out[i] = data[i] & 0xFF;
      }
      case BYTE -> {
        for (int i = 0; i < n; i++) out[i] = data[i];
      }
      default -> {
        for (int i = 0; i < n; i++) out[i] = (float) decode(i);
      }
    }
    return out;
  }

  /** Decodes every element to int (floats are truncated toward zero). */
  public int[] toIntArray() {
    int n = count();
    int[] out = new int[n];
    switch (type) {
      case UBYTE -> {
        for (int i = 0; i < n; i++) out[i] = data[i] & 0xFF;
      }
      case BYTE -> {
        for (int i = 0; i < n; i++) out[i] = data[i];
      }
      default -> {
        for (int i = 0; i < n; i++) out[i] = (int) decode(i);
      }
    }
    return out;
  }

  private double decode(int i) {
    return switch (type) {
      case SHORT -> (short) (((data[2 * i] & 0xFF) << 8) | (data[2 * i + 1] & 0xFF));
      case INT -> readInt(4 * i);
      case FLOAT -> Float.intBitsToFloat(readInt(4 * i));
      case DOUBLE ->
          Double.longBitsToDouble(
              ((long) readInt(8 * i) << 32) | (readInt(8 * i + 4) & 0xFFFFFFFFL));
      case UBYTE -> data[i] & 0xFF;
      default -> data[i];
    };
  }

  private int readInt(int p) {
    return ((data[p] & 0xFF) << 24)
        | ((data[p + 1] & 0xFF) << 16)
        | ((data[p + 2] & 0xFF) << 8)
        | (data[p + 3] & 0xFF);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdxData other
        && type == other.type
        && Arrays.equals(dims, other.dims)
        && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * type + Arrays.hashCode(dims)) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "IdxData[" + typeName(type) + " " + Arrays.toString(dims) + "]";
  }
}
