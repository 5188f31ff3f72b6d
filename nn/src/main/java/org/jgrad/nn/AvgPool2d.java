package org.jgrad.nn;

import org.jgrad.backend.ConvGeometry;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Average pooling over [N, C, H, W] windows (stride defaults to the kernel size; zero padding,
 * counted in the divisor unless {@code countIncludePad} is false).
 *
 * <pre>{@code
 * AvgPool2d pool = new AvgPool2d(3, 2, 1);
 * Tensor y = pool.call(Tensor.randn(1, 8, 10, 10));   // [1, 8, 5, 5]
 * }</pre>
 */
public class AvgPool2d extends Module {
  private final int[] kernel, stride, padding;
  private final boolean countIncludePad;

  public AvgPool2d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  public AvgPool2d(int kernelSize, int stride, int padding) {
    this(Defaults.two(kernelSize), Defaults.two(stride), Defaults.two(padding), true);
  }

  /** Full form; {@code stride} null means the kernel size. */
  public AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean countIncludePad) {
    String n = "AvgPool2d";
    this.kernel = ConvGeometry.pair(n, "kernelSize", kernelSize, 1);
    this.stride = stride == null ? kernel.clone() : ConvGeometry.pair(n, "stride", stride, 1);
    this.padding = ConvGeometry.pair(n, "padding", padding, 0);
    this.countIncludePad = countIncludePad;
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.avgPool2d(input, kernel, stride, padding, countIncludePad);
  }

  @Override
  protected String extraRepr() {
    return "kernel_size="
        + Defaults.tuple(kernel)
        + ", stride="
        + Defaults.tuple(stride)
        + ", padding="
        + Defaults.tuple(padding)
        + (countIncludePad ? "" : ", count_include_pad=false");
  }
}
