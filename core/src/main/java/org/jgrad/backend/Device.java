package org.jgrad.backend;

/**
 * Where a tensor's storage lives and which backend computes on it.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(3, 3);                  // Device.CPU
 * Tensor r = x.to(Device.REFERENCE);              // the slow reference backend, for tests
 * }</pre>
 *
 * @param type "cpu", "ref" or a provider's name such as "cuda"
 * @param index device ordinal (0 for the CPU)
 */
public record Device(String type, int index) {
  /** The fast, multi-threaded CPU backend. */
  public static final Device CPU = new Device("cpu", 0);

  /** The plain reference backend: the executable specification of every primitive. */
  public static final Device REFERENCE = new Device("ref", 0);

  /**
   * CUDA device {@code index}, computed on by the optional jgrad-gpu module's backend: {@code
   * tensor.to(Device.cuda(0))}. Using it without that module or without a GPU fails with the reason
   * (see {@code Backends.backend}).
   */
  public static Device cuda(int index) {
    return new Device("cuda", index);
  }

  public Device {
    if (type == null || type.isBlank()) throw new IllegalArgumentException("Device: empty type");
    if (index < 0) throw new IllegalArgumentException("Device: negative index " + index);
  }

  /** Parses "cpu", "ref", "cuda", "cuda:1". */
  public static Device of(String spec) {
    int colon = spec.indexOf(':');
    if (colon < 0) return new Device(spec, 0);
    return new Device(spec.substring(0, colon), Integer.parseInt(spec.substring(colon + 1)));
  }

  @Override
  public String toString() {
    return index == 0 && !type.equals("cuda") ? type : type + ":" + index;
  }
}
