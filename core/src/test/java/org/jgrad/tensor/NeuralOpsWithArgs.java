package org.jgrad.tensor;

import org.jgrad.backend.ConvGeometry;

/**
 * Test-only entry to {@link NeuralOps} with PyTorch-style {@code int[]} arguments, for core's tests
 * (core cannot see {@code org.jgrad.nn.functional.F}, the public entry). Each call builds the
 * geometry through the one validating factory, as F does, so the error messages are F's.
 *
 * <pre>{@code
 * Tensor y = NeuralOpsWithArgs.conv2d(x, w, null, new int[] {1}, new int[] {1}, new int[] {1}, 1);
 * }</pre>
 */
public final class NeuralOpsWithArgs {
  private NeuralOpsWithArgs() {}

  public static Tensor conv2d(
      Tensor x, Tensor w, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
    return NeuralOps.conv2d(
        x,
        w,
        bias,
        ConvGeometry.conv2d("conv2d", x.shape(), w.shape(), stride, padding, dilation, groups));
  }

  public static Tensor convTranspose2d(
      Tensor x,
      Tensor w,
      Tensor bias,
      int[] stride,
      int[] padding,
      int[] outputPadding,
      int groups,
      int[] dilation) {
    return NeuralOps.convTranspose2d(
        x,
        w,
        bias,
        ConvGeometry.convTranspose2d(
            "convTranspose2d",
            x.shape(),
            w.shape(),
            stride,
            padding,
            outputPadding,
            dilation,
            groups));
  }

  public static Tensor maxPool2d(
      Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
    return maxPool2dWithIndices(x, kernel, stride, padding, dilation).values();
  }

  public static Tensor.ValuesIndices maxPool2dWithIndices(
      Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
    return NeuralOps.maxPool2dWithIndices(
        x, ConvGeometry.pool2d("maxPool2d", x.shape(), kernel, stride, padding, dilation, false));
  }

  public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
    return NeuralOps.avgPool2d(
        x,
        ConvGeometry.pool2d("avgPool2d", x.shape(), kernel, stride, padding, new int[] {1}, false));
  }

  /**
   * Adaptive average pooling as cell means of narrowed windows (cell i covers rows floor(i·H/outH)
   * to ceil((i+1)·H/outH)); the fused average pooling when the sizes divide evenly, as F does.
   */
  public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
    int h = x.size(2), w = x.size(3);
    if (h % outH == 0 && w % outW == 0) {
      int kh = h / outH, kw = w / outW;
      return avgPool2d(x, new int[] {kh, kw}, new int[] {kh, kw}, new int[] {0, 0});
    }
    java.util.List<Tensor> rows = new java.util.ArrayList<>();
    for (int i = 0; i < outH; i++) {
      int h0 = (int) Math.floor((double) i * h / outH),
          h1 = (int) Math.ceil((double) (i + 1) * h / outH);
      java.util.List<Tensor> cells = new java.util.ArrayList<>();
      for (int j = 0; j < outW; j++) {
        int w0 = (int) Math.floor((double) j * w / outW),
            w1 = (int) Math.ceil((double) (j + 1) * w / outW);
        cells.add(x.narrow(2, h0, h1 - h0).narrow(3, w0, w1 - w0).mean(new int[] {2, 3}, false));
      }
      rows.add(Tensor.stack(cells, 2));
    }
    return Tensor.stack(rows, 2);
  }

  public static Tensor logSoftmaxNll(Tensor logits, Tensor target, long ignoreIndex) {
    return NeuralOps.logSoftmaxNll(logits, target, ignoreIndex);
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
    return NeuralOps.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
  }
}
