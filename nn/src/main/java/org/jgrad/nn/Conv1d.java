package org.jgrad.nn;

import org.jgrad.backend.ConvGeometry;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * 1-D convolution over [N, C, L] (computed as a 2-D convolution of unit height). Weight [out,
 * in/groups, K] and bias [out] start as PyTorch's: U(±1/√(in/groups·K)).
 *
 * <pre>{@code
 * Conv1d conv = new Conv1d(4, 8, 3, 1, 1);
 * Tensor y = conv.call(Tensor.randn(2, 4, 100));   // [2, 8, 100]
 * }</pre>
 */
public class Conv1d extends ConvLayer {
  private final int kernel, stride, padding, dilation;
  private final String paddingMode;

  public Conv1d(int inChannels, int outChannels, int kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0);
  }

  public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
    this(inChannels, outChannels, kernelSize, stride, padding, null, 1, 1, true);
  }

  public Conv1d(
      int inChannels,
      int outChannels,
      int kernelSize,
      int stride,
      int padding,
      int dilation,
      int groups,
      boolean bias) {
    this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias);
  }

  /** With padding "valid" (none) or "same" (stride 1 only). */
  public Conv1d(
      int inChannels,
      int outChannels,
      int kernelSize,
      int stride,
      String padding,
      int dilation,
      int groups,
      boolean bias) {
    this(inChannels, outChannels, kernelSize, stride, 0, padding, dilation, groups, bias);
  }

  private Conv1d(
      int inChannels,
      int outChannels,
      int kernelSize,
      int stride,
      int padding,
      String mode,
      int dilation,
      int groups,
      boolean bias) {
    super("Conv1d", inChannels, outChannels, groups);
    String n = "Conv1d";
    this.kernel = ConvGeometry.pair(n, "kernelSize", new int[] {kernelSize}, 1)[0];
    this.stride = ConvGeometry.pair(n, "stride", new int[] {stride}, 1)[0];
    this.dilation = ConvGeometry.pair(n, "dilation", new int[] {dilation}, 1)[0];
    ConvGeometry.pair(n, "padding", new int[] {padding}, 0);
    Defaults.paddingMode(n, mode, new int[] {stride});
    this.padding = padding;
    this.paddingMode = mode;
    initParameters(bias, out, in / groups, kernel);
  }

  @Override
  public Tensor forward(Tensor input) {
    if (paddingMode != null)
      return F.conv1d(input, weight(), bias(), stride, paddingMode, dilation, groups);
    return F.conv1d(input, weight(), bias(), stride, padding, dilation, groups);
  }

  @Override
  protected String extraRepr() {
    return Defaults.convRepr(
        in,
        out,
        new int[] {kernel},
        new int[] {stride},
        new int[] {padding},
        paddingMode,
        null,
        new int[] {dilation},
        groups,
        bias() != null);
  }
}
