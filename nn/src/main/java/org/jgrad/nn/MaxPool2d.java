package org.jgrad.nn;

import org.jgrad.backend.ConvGeometry;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Max pooling over [N, C, H, W] windows (stride defaults to the kernel size; padding counts as −∞;
 * optional dilation and ceil mode). The gradient flows to the first maximum of each window.
 *
 * <pre>{@code
 * MaxPool2d pool = new MaxPool2d(2);
 * Tensor y = pool.call(Tensor.randn(1, 32, 26, 26));   // [1, 32, 13, 13]
 * }</pre>
 */
public class MaxPool2d extends Module {
  private final int[] kernel, stride, padding, dilation;
  private final boolean ceilMode;

  public MaxPool2d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  public MaxPool2d(int kernelSize, int stride, int padding) {
    this(
        Defaults.two(kernelSize),
        Defaults.two(stride),
        Defaults.two(padding),
        Defaults.two(1),
        false);
  }

  /** Full form; {@code stride} null means the kernel size. */
  public MaxPool2d(
      int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
    String n = "MaxPool2d";
    this.kernel = ConvGeometry.pair(n, "kernelSize", kernelSize, 1);
    this.stride = stride == null ? kernel.clone() : ConvGeometry.pair(n, "stride", stride, 1);
    this.padding = ConvGeometry.pair(n, "padding", padding, 0);
    this.dilation = ConvGeometry.pair(n, "dilation", dilation, 1);
    this.ceilMode = ceilMode;
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.maxPool2d(input, kernel, stride, padding, dilation, ceilMode);
  }

  @Override
  protected String extraRepr() {
    return "kernel_size="
        + Defaults.tuple(kernel)
        + ", stride="
        + Defaults.tuple(stride)
        + ", padding="
        + Defaults.tuple(padding)
        + ", dilation="
        + Defaults.tuple(dilation)
        + ", ceil_mode="
        + ceilMode;
  }
}
