package org.jgrad.backend;

/**
 * A flat buffer of elements of one dtype on one device. Tensors are views over a storage (shape,
 * strides, offset); views share the storage and its version counter, which in-place operations bump
 * so autograd can detect a saved tensor that was modified.
 */
public abstract class Storage {
  private final DType dtype;
  private int version;

  protected Storage(DType dtype) {
    this.dtype = dtype;
  }

  public final DType dtype() {
    return dtype;
  }

  /** Number of elements. */
  public abstract int length();

  /** The device the elements live on. */
  public abstract Device device();

  /** Element {@code i} as a double (host storages only). */
  public abstract double get(int i);

  /** Sets element {@code i}, rounding to the storage's type (host storages only). */
  public abstract void set(int i, double v);

  /** How many times this storage was modified in place. */
  public final int version() {
    return version;
  }

  public final void bumpVersion() {
    version++;
  }
}
