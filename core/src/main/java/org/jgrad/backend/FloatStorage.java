package org.jgrad.backend;

/** Host storage of FLOAT32 elements. */
public final class FloatStorage extends Storage {
  public final float[] data;
  private final Device device;

  public FloatStorage(float[] data, Device device) {
    super(DType.FLOAT32);
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
    data[i] = (float) v;
  }
}
