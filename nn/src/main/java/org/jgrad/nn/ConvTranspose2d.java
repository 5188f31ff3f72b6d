package org.jgrad.nn;

import org.jgrad.backend.ConvGeometry;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Transposed 2-D convolution ("deconvolution"), the gradient of {@link Conv2d} with respect to its
 * input: output height (H − 1)·stride − 2·padding + dilation·(K − 1) + outputPadding + 1. Weight
 * [in, out/groups, KH, KW] and bias start as PyTorch's (fan_in = out/groups·KH·KW).
 *
 * <pre>{@code
 * ConvTranspose2d up = new ConvTranspose2d(16, 8, 3, 2, 1, 1);   // kernel 3, stride 2, padding 1, outputPadding 1
 * Tensor y = up.call(Tensor.randn(4, 16, 14, 14));              // [4, 8, 28, 28]
 * }</pre>
 */
public class ConvTranspose2d extends ConvLayer {
  private final int[] kernel, stride, padding, outputPadding, dilation;

  public ConvTranspose2d(int inChannels, int outChannels, int kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0, 0);
  }

  public ConvTranspose2d(
      int inChannels, int outChannels, int kernelSize, int stride, int padding, int outputPadding) {
    this(
        inChannels,
        outChannels,
        Defaults.two(kernelSize),
        Defaults.two(stride),
        Defaults.two(padding),
        Defaults.two(outputPadding),
        1,
        true,
        Defaults.two(1));
  }

  /** Full form, in PyTorch's argument order. */
  public ConvTranspose2d(
      int inChannels,
      int outChannels,
      int[] kernelSize,
      int[] stride,
      int[] padding,
      int[] outputPadding,
      int groups,
      boolean bias,
      int[] dilation) {
    super("ConvTranspose2d", inChannels, outChannels, groups);
    String n = "ConvTranspose2d";
    this.kernel = ConvGeometry.pair(n, "kernelSize", kernelSize, 1);
    this.stride = ConvGeometry.pair(n, "stride", stride, 1);
    this.padding = ConvGeometry.pair(n, "padding", padding, 0);
    this.outputPadding = ConvGeometry.pair(n, "outputPadding", outputPadding, 0);
    this.dilation = ConvGeometry.pair(n, "dilation", dilation, 1);
    initParameters(bias, in, out / groups, kernel[0], kernel[1]);
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.convTranspose2d(
        input, weight(), bias(), stride, padding, outputPadding, groups, dilation);
  }

  @Override
  protected String extraRepr() {
    return Defaults.convRepr(
        in, out, kernel, stride, padding, null, outputPadding, dilation, groups, bias() != null);
  }
}
