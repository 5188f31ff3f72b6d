package org.jgrad.backend;

/** Host storage of FLOAT64, INT64 or BOOL elements (all held as doubles). */
public final class DoubleStorage extends Storage {
  public final double[] data;
  private final Device device;

  public DoubleStorage(DType dtype, double[] data, Device device) {
    super(dtype);
    if (dtype == DType.FLOAT32)
      throw new IllegalArgumentException("DoubleStorage cannot hold float32");
    this.data = data;
    this.device = device;
  }

  @Override
  public int length() {
    return data.length;
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  public double get(int i) {
    return data[i];
  }

  @Override
  public void set(int i, double v) {
    data[i] = v;
  }
}
