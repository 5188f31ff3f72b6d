package org.jgrad.nn.functional;

import org.jgrad.tensor.Tensor;

/**
 * Test-only entry to F's composites (the package-private {@code Composites}, reached through F's
 * {@code composite} flag, so the arguments are validated exactly as F validates them). The
 * composites are differentiable to any order, so tests use them as an independent oracle for the
 * fused kernels and for Hessians through convolution weights or pooling.
 *
 * <pre>{@code
 * Tensor y = CompositeOps.conv2d(x, w, null, new int[] {1}, new int[] {1}, new int[] {1}, 1);
 * }</pre>
 */
public final class CompositeOps {
  private CompositeOps() {}

  public static Tensor conv2d(
      Tensor x,
      Tensor weight,
      Tensor bias,
      int[] stride,
      int[] padding,
      int[] dilation,
      int groups) {
    return F.conv2d("conv2d", x, weight, bias, stride, padding, dilation, groups, true);
  }

  public static Tensor convTranspose2d(
      Tensor x,
      Tensor weight,
      Tensor bias,
      int[] stride,
      int[] padding,
      int[] outputPadding,
      int groups,
      int[] dilation) {
    return F.convTranspose2d(
        x, weight, bias, stride, padding, outputPadding, groups, dilation, true);
  }

  public static Tensor maxPool2d(
      Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
    return F.maxPool2d(x, kernel, stride, padding, dilation, ceilMode, true);
  }

  public static Tensor avgPool2d(
      Tensor x, int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
    return F.avgPool2d(x, kernel, stride, padding, countIncludePad, true);
  }

  public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
    return F.adaptiveAvgPool2d(x, outH, outW, true);
  }

  public static Tensor batchNorm(
      Tensor x,
      Tensor runningMean,
      Tensor runningVar,
      Tensor weight,
      Tensor bias,
      boolean training,
      double momentum,
      double eps) {
    return F.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps, true);
  }

  public static Tensor[] lstmCellFromGates(Tensor gates, Tensor c) {
    return F.lstmCellFromGates(gates, c, true);
  }

  public static Tensor gruCellFromGates(Tensor xGates, Tensor hGates, Tensor h) {
    return F.gruCellFromGates(xGates, hGates, h, true);
  }
}
