package org.jgrad.nn.functional;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.ConvGeometry;
import org.jgrad.tensor.Tensor;

/**
 * The composites behind {@link F}: convolution, pooling and batch norm built only from {@link
 * Tensor} operations (strided slices, stacking, matrix products). F runs them when the tensor's
 * backend has no fused kernels ({@code Backend.fused()} empty); they compute what the fused kernels
 * compute, and every derivative of them is itself differentiable. Not an API: F validates the
 * arguments (the geometry comes in as a {@link ConvGeometry}) and chooses; tests reach them through
 * F's package-private {@code composite} flag.
 */
final class Composites {
  private Composites() {}

  // ---------------------------------------------------------------- implementations (inputs
  // validated by F)

  /**
   * The convolution as im2col from strided slices plus one matrix product per group (validated by
   * F; pads = {top, bottom, left, right}).
   */
  static Tensor conv2dIm2col(Tensor x, Tensor w, Tensor b, ConvGeometry g) {
    return conv2dIm2col(
        x,
        w,
        b,
        new int[] {g.strideH(), g.strideW()},
        new int[] {g.padH(), g.padH(), g.padW(), g.padW()},
        new int[] {g.dilationH(), g.dilationW()},
        g.groups());
  }

  private static Tensor conv2dIm2col(
      Tensor x, Tensor w, Tensor b, int[] s, int[] pads, int[] d, int groups) {
    int n = x.size(0), c = x.size(1), o = w.size(0), kh = w.size(2), kw = w.size(3);
    Tensor xp = x;
    if (pads[0] + pads[1] + pads[2] + pads[3] > 0)
      xp = x.pad(new int[] {pads[2], pads[3], pads[0], pads[1]}, 0);
    int oh = (xp.size(2) - d[0] * (kh - 1) - 1) / s[0] + 1;
    int ow = (xp.size(3) - d[1] * (kw - 1) - 1) / s[1] + 1;
    Tensor cols = im2col(xp, kh, kw, s, d, oh, ow); // [N·OH·OW, C·KH·KW]
    Tensor y;
    if (groups == 1) {
      y = cols.matmul(w.reshape(o, -1).t());
    } else {
      int cg = c / groups, og = o / groups, k = cg * kh * kw;
      List<Tensor> parts = new ArrayList<>(groups);
      for (int g = 0; g < groups; g++) {
        parts.add(cols.narrow(1, g * k, k).matmul(w.narrow(0, g * og, og).reshape(og, k).t()));
      }
      y = Tensor.cat(parts, 1);
    }
    y = y.reshape(n, oh, ow, o).permute(0, 3, 1, 2);
    if (b != null) y = y.add(b.reshape(1, o, 1, 1));
    return y;
  }

  /**
   * Patches of a padded [N, C, Hp, Wp] input as rows: [N·OH·OW, C·KH·KW], columns ordered (channel,
   * kernel row, kernel column) to match a flattened weight.
   */
  private static Tensor im2col(Tensor xp, int kh, int kw, int[] s, int[] d, int oh, int ow) {
    List<Tensor> taps = new ArrayList<>(kh * kw);
    for (int i = 0; i < kh; i++) {
      for (int j = 0; j < kw; j++) {
        taps.add(window(xp, i * d[0], j * d[1], s, oh, ow).permute(0, 2, 3, 1)); // [N, OH, OW, C]
      }
    }
    Tensor st = Tensor.stack(taps, 4); // [N, OH, OW, C, KH·KW], dense
    return st.reshape(xp.size(0) * oh * ow, xp.size(1) * kh * kw);
  }

  /** The [N, C, OH, OW] strided view of kernel tap (i, j). */
  private static Tensor window(Tensor xp, int i, int j, int[] s, int oh, int ow) {
    return xp.slice(2, i, i + s[0] * (oh - 1) + 1, s[0]).slice(3, j, j + s[1] * (ow - 1) + 1, s[1]);
  }

  /**
   * Zero insertion, padding or cropping, then {@link #conv2dIm2col} with the flipped weight; {@code
   * g} is the transposed geometry (x is its output side, the result its input side).
   */
  static Tensor convTranspose2dZeroInsertion(Tensor x, Tensor w, Tensor b, ConvGeometry g) {
    int cin = x.size(1), coutG = w.size(1), kh = w.size(2), kw = w.size(3), groups = g.groups();
    int[] s = {g.strideH(), g.strideW()},
        p = {g.padH(), g.padW()},
        d = {g.dilationH(), g.dilationW()};
    int[] op = {
      g.inH() - ((x.size(2) - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + 1),
      g.inW() - ((x.size(3) - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + 1)
    };
    Tensor u = insertZeros(insertZeros(x, 2, s[0]), 3, s[1]);
    int ph = d[0] * (kh - 1) - p[0], pw = d[1] * (kw - 1) - p[1];
    u = padOrCrop(u, 2, ph, ph + op[0]);
    u = padOrCrop(u, 3, pw, pw + op[1]);
    // [Cin, Cout/g, KH, KW] -> [g, Cout/g, Cin/g, KH, KW] -> [Cout, Cin/g, KH, KW], spatially
    // flipped.
    Tensor wc =
        w.reshape(groups, cin / groups, coutG, kh, kw)
            .transpose(1, 2)
            .reshape(groups * coutG, cin / groups, kh, kw)
            .flip(2, 3);
    return conv2dIm2col(u, wc, b, new int[] {1, 1}, new int[4], d, groups);
  }

  /** Puts {@code step − 1} zeros between consecutive entries along {@code dim}. */
  private static Tensor insertZeros(Tensor x, int dim, int step) {
    if (step == 1 || x.size(dim) <= 1) return x;
    int n = x.size(dim);
    Tensor e = x.unsqueeze(dim + 1); // a new axis after dim, padded to length step
    int[] pad = new int[2 * (e.dim() - dim - 1)];
    pad[pad.length - 1] = step - 1;
    int[] shape = x.shape();
    shape[dim] = n * step;
    return e.pad(pad, 0).reshape(shape).narrow(dim, 0, (n - 1) * step + 1);
  }

  private static Tensor padOrCrop(Tensor x, int dim, int before, int after) {
    if (before < 0) x = x.narrow(dim, -before, x.size(dim) + before);
    if (after < 0) x = x.narrow(dim, 0, x.size(dim) + after);
    int b = Math.max(0, before), a = Math.max(0, after);
    if (b == 0 && a == 0) return x;
    int[] pad = new int[2 * (x.dim() - dim)];
    pad[pad.length - 2] = b;
    pad[pad.length - 1] = a;
    return x.pad(pad, 0);
  }

  /**
   * Max pooling as the maximum over stacked window slices; padding and the ceil-mode overhang
   * ({@code bottom}, {@code right}) are −∞.
   */
  static Tensor maxPool2dSlices(Tensor x4, ConvGeometry g) {
    int[] k = {g.kH(), g.kW()}, s = {g.strideH(), g.strideW()}, p = {g.padH(), g.padW()};
    int[] d = {g.dilationH(), g.dilationW()};
    int oh = g.outH(), ow = g.outW();
    int needH = (oh - 1) * s[0] + d[0] * (k[0] - 1) + 1,
        needW = (ow - 1) * s[1] + d[1] * (k[1] - 1) + 1;
    int bottom = Math.max(0, needH - g.inH() - p[0]), right = Math.max(0, needW - g.inW() - p[1]);
    Tensor xp = x4;
    if (p[0] + p[1] + bottom + right > 0) {
      xp = x4.pad(new int[] {p[1], right, p[0], bottom}, Double.NEGATIVE_INFINITY);
    }
    List<Tensor> taps = new ArrayList<>(k[0] * k[1]);
    for (int i = 0; i < k[0]; i++) {
      for (int j = 0; j < k[1]; j++) taps.add(window(xp, i * d[0], j * d[1], s, oh, ow));
    }
    return Tensor.stack(taps, 2).max(2, false).values();
  }

  /** Window means, zero padding counted in the divisor, as a sum of window slices. */
  static Tensor avgPool2dSlices(Tensor x4, ConvGeometry g) {
    int[] k = {g.kH(), g.kW()}, s = {g.strideH(), g.strideW()}, p = {g.padH(), g.padW()};
    int oh = g.outH(), ow = g.outW();
    Tensor xp = p[0] + p[1] > 0 ? x4.pad(new int[] {p[1], p[1], p[0], p[0]}, 0) : x4;
    Tensor sum = null;
    for (int i = 0; i < k[0]; i++) {
      for (int j = 0; j < k[1]; j++) {
        Tensor t = window(xp, i, j, s, oh, ow);
        sum = sum == null ? t : sum.add(t);
      }
    }
    return sum.div(k[0] * k[1]);
  }

  /** Adaptive average pooling as products with row and column averaging matrices. */
  static Tensor adaptiveAvgPool2dMatmul(Tensor x4, int outH, int outW) {
    int h = x4.size(2), w = x4.size(3);
    Tensor ah = F.constant(averagingMatrix(h, outH), x4, outH, h);
    Tensor aw = F.constant(averagingMatrix(w, outW), x4, outW, w);
    return ah.matmul(x4).matmul(aw.t());
  }

  private static double[] averagingMatrix(int in, int out) {
    double[] m = new double[out * in];
    for (int i = 0; i < out; i++) {
      int start = (int) Math.floor((double) i * in / out);
      int end = (int) Math.ceil((double) (i + 1) * in / out);
      for (int j = start; j < end; j++) m[i * in + j] = 1.0 / (end - start);
    }
    return m;
  }

  /** Batch statistics from mean and var, every step a Tensor operation (validated by F). */
  static Tensor batchNormFromMoments(
      Tensor x,
      Tensor runningMean,
      Tensor runningVar,
      Tensor weight,
      Tensor bias,
      boolean training,
      double momentum,
      double eps) {
    int c = x.size(1);
    int[] dims = new int[x.dim() - 1];
    dims[0] = 0;
    for (int i = 2; i < x.dim(); i++) dims[i - 1] = i;
    int[] bshape = new int[x.dim()];
    Arrays.fill(bshape, 1);
    bshape[1] = c;
    Tensor y;
    if (training || runningMean == null || runningVar == null) {
      long n = x.numel() / c;
      Tensor mean = x.mean(dims, true);
      Tensor var = x.var(dims, false, true);
      if (training && runningMean != null && runningVar != null) {
        try (var ng = GradMode.noGrad()) {
          Tensor m = mean.detach().reshape(c),
              v = var.detach().reshape(c).mul((double) n / (n - 1));
          runningMean.copyFrom(
              runningMean.mul(1 - momentum).add(m.to(runningMean.dtype()).mul(momentum)));
          runningVar.copyFrom(
              runningVar.mul(1 - momentum).add(v.to(runningVar.dtype()).mul(momentum)));
        }
      }
      y = x.sub(mean).div(var.add(eps).sqrt());
    } else {
      y = x.sub(runningMean.reshape(bshape)).div(runningVar.reshape(bshape).add(eps).sqrt());
    }
    if (weight != null) y = y.mul(weight.reshape(bshape));
    if (bias != null) y = y.add(bias.reshape(bshape));
    return y;
  }
}
