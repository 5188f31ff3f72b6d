package org.jgrad.nn;

import org.jgrad.backend.ConvGeometry;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * 2-D convolution over [N, C, H, W] with stride, padding (numbers, "valid" or "same"), dilation and
 * groups. Weight [out, in/groups, KH, KW] and bias [out] start as PyTorch's: U(±1/√fan_in) with
 * fan_in = in/groups·KH·KW.
 *
 * <pre>{@code
 * Conv2d conv = new Conv2d(3, 16, 3, 1, 1);                 // 3x3, stride 1, padding 1
 * Tensor y = conv.call(Tensor.randn(8, 3, 32, 32));          // [8, 16, 32, 32]
 * Conv2d same = new Conv2d(16, 16, new int[] {5, 5}, new int[] {1, 1}, "same", new int[] {2, 2}, 4, true);
 * }</pre>
 */
public class Conv2d extends ConvLayer {
  private final int[] kernel, stride, padding, dilation;
  private final String paddingMode; // "valid"/"same", or null when padding holds numbers

  /** Kernel k×k, stride 1, no padding. */
  public Conv2d(int inChannels, int outChannels, int kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0);
  }

  public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
    this(
        inChannels,
        outChannels,
        Defaults.two(kernelSize),
        Defaults.two(stride),
        Defaults.two(padding),
        Defaults.two(1),
        1,
        true);
  }

  public Conv2d(
      int inChannels,
      int outChannels,
      int[] kernelSize,
      int[] stride,
      int[] padding,
      int[] dilation,
      int groups,
      boolean bias) {
    this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias);
  }

  /** With padding "valid" (none) or "same" (stride 1 only). */
  public Conv2d(
      int inChannels,
      int outChannels,
      int[] kernelSize,
      int[] stride,
      String padding,
      int[] dilation,
      int groups,
      boolean bias) {
    this(
        inChannels,
        outChannels,
        kernelSize,
        stride,
        new int[] {0, 0},
        padding,
        dilation,
        groups,
        bias);
  }

  private Conv2d(
      int inChannels,
      int outChannels,
      int[] kernelSize,
      int[] stride,
      int[] padding,
      String mode,
      int[] dilation,
      int groups,
      boolean bias) {
    super("Conv2d", inChannels, outChannels, groups);
    String n = "Conv2d";
    this.kernel = ConvGeometry.pair(n, "kernelSize", kernelSize, 1);
    this.stride = ConvGeometry.pair(n, "stride", stride, 1);
    this.padding = ConvGeometry.pair(n, "padding", padding, 0);
    this.dilation = ConvGeometry.pair(n, "dilation", dilation, 1);
    this.paddingMode = Defaults.paddingMode(n, mode, this.stride);
    initParameters(bias, out, in / groups, kernel[0], kernel[1]);
  }

  @Override
  public Tensor forward(Tensor input) {
    if (paddingMode != null)
      return F.conv2d(input, weight(), bias(), stride, paddingMode, dilation, groups);
    return F.conv2d(input, weight(), bias(), stride, padding, dilation, groups);
  }

  @Override
  protected String extraRepr() {
    return Defaults.convRepr(
        in, out, kernel, stride, padding, paddingMode, null, dilation, groups, bias() != null);
  }
}
