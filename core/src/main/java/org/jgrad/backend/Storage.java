package org.jgrad.backend;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A flat buffer of elements of one dtype on one device. Tensors are views over a storage (shape,
 * strides, offset); views share the storage and its version counter, which in-place operations bump
 * so autograd can detect a saved tensor that was modified.
 */
public abstract class Storage {
  private static final AtomicLong CREATED = new AtomicLong();

  private final DType dtype;
  private final long serial = CREATED.getAndIncrement();
  private int version;

  protected Storage(DType dtype) {
    this.dtype = dtype;
  }

  /**
   * The order in which storages were created in this JVM: a storage with {@code serial() >=
   * nextSerial()} read at some moment was created after it (the autograd engine's test for "made
   * during this backward pass").
   */
  public final long serial() {
    return serial;
  }

  /** The serial the next storage created will get. */
  public static long nextSerial() {
    return CREATED.get();
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
