package org.jgrad.nn;

import org.jgrad.backend.ConvGeometry;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * 1-D convolution over [N, C, L] (computed as a 2-D convolution of unit height). Weight
 * [out, in/groups, K] and bias [out] start as PyTorch's: U(±1/√(in/groups·K)).
 *
 * <pre>{@code
 * Conv1d conv = new Conv1d(4, 8, 3, 1, 1);
 * Tensor y = conv.call(Tensor.randn(2, 4, 100));   // [2, 8, 100]
 * }</pre>
 */
public class Conv1d extends Module {
  private final int in, out, kernel, stride, padding, dilation, groups;
  private final String paddingMode;

  public Conv1d(int inChannels, int outChannels, int kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0);
  }

  public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
    this(inChannels, outChannels, kernelSize, stride, padding, null, 1, 1, true);
  }

  public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups,
      boolean bias) {
    this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias);
  }

  /** With padding "valid" (none) or "same" (stride 1 only). */
  public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, String padding, int dilation, int groups,
      boolean bias) {
    this(inChannels, outChannels, kernelSize, stride, 0, padding, dilation, groups, bias);
  }

  private Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, String mode, int dilation,
      int groups, boolean bias) {
    String n = "Conv1d";
    ConvGeometry.checkChannels(n, inChannels, outChannels, groups);
    this.in = inChannels;
    this.out = outChannels;
    this.groups = groups;
    this.kernel = ConvGeometry.pair(n, "kernelSize", new int[] {kernelSize}, 1)[0];
    this.stride = ConvGeometry.pair(n, "stride", new int[] {stride}, 1)[0];
    this.dilation = ConvGeometry.pair(n, "dilation", new int[] {dilation}, 1)[0];
    ConvGeometry.pair(n, "padding", new int[] {padding}, 0);
    Defaults.paddingMode(n, mode, new int[] {stride});
    this.padding = padding;
    this.paddingMode = mode;
    Tensor w = param("weight", Tensor.zeros(out, in / groups, kernel));
    Tensor b = bias ? param("bias", Tensor.zeros(out)) : null;
    Defaults.linearLike(w, b);
  }

  public Parameter weight() {
    return parameter("weight");
  }

  public Parameter bias() {
    return parameter("bias");
  }

  @Override
  public Tensor forward(Tensor input) {
    if (paddingMode != null) return F.conv1d(input, weight(), bias(), stride, paddingMode, dilation, groups);
    return F.conv1d(input, weight(), bias(), stride, padding, dilation, groups);
  }

  @Override
  protected String extraRepr() {
    return Defaults.convRepr(in, out, new int[] {kernel}, new int[] {stride}, new int[] {padding}, paddingMode, null,
        new int[] {dilation}, groups, bias() != null);
  }
}
