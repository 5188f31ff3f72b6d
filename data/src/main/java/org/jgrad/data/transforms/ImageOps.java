package org.jgrad.data.transforms;

import java.util.Arrays;

/**
 * The array kernels behind {@link Transforms}: plain loops over N x C x H x W float batches
 * (row-major), with the random choices passed in, so they are deterministic and testable on their
 * own. No per-pixel objects are allocated; scratch rows are allocated once per call.
 *
 * <pre>{@code
 * ImageOps.normalize(x, n, 3, 32, 32, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.2f, 0.2f, 0.2f});
 * }</pre>
 */
public final class ImageOps {
  private ImageOps() {}

  static void checkShape(String op, float[] x, int n, int c, int h, int w) {
    if (n < 0 || c <= 0 || h <= 0 || w <= 0 || (long) n * c * h * w != x.length) {
      throw new IllegalArgumentException(
          op
              + ": batch ["
              + n
              + ", "
              + c
              + ", "
              + h
              + ", "
              + w
              + "] does not match "
              + x.length
              + " values");
    }
  }

  /** {@code x[:, ch] = (x[:, ch] - mean[ch]) / std[ch]}, in place. */
  public static void normalize(float[] x, int n, int c, int h, int w, float[] mean, float[] std) {
    checkShape("normalize", x, n, c, h, w);
    if (mean.length != c || std.length != c) {
      throw new IllegalArgumentException(
          "normalize: "
              + c
              + " channels but "
              + mean.length
              + " means and "
              + std.length
              + " standard deviations");
    }
    int plane = h * w;
    for (int ch = 0; ch < c; ch++) {
      if (!(std[ch] > 0))
        throw new IllegalArgumentException("normalize: std of channel " + ch + " is " + std[ch]);
    }
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < c; ch++) {
        float m = mean[ch];
        float inv = 1f / std[ch];
        int base = (i * c + ch) * plane;
        for (int p = 0; p < plane; p++) x[base + p] = (x[base + p] - m) * inv;
      }
    }
  }

  /** Mirrors images {@code i} with {@code flip[i]} left-right, in place. */
  public static void horizontalFlip(float[] x, int n, int c, int h, int w, boolean[] flip) {
    checkShape("horizontalFlip", x, n, c, h, w);
    if (flip.length != n)
      throw new IllegalArgumentException(
          "horizontalFlip: " + n + " images but " + flip.length + " flags");
    for (int i = 0; i < n; i++) {
      if (!flip[i]) continue;
      for (int row = 0; row < c * h; row++) {
        int base = (i * c * h + row) * w;
        for (int a = base, b = base + w - 1; a < b; a++, b--) {
          float t = x[a];
          x[a] = x[b];
          x[b] = t;
        }
      }
    }
  }

  /**
   * Pads every image by {@code padding} on each side with {@code fill}, then cuts an {@code outH x
   * outW} window whose top-left corner in the padded image is {@code (top[i], left[i])}. Returns a
   * new N x C x outH x outW array.
   */
  public static float[] crop(
      float[] x,
      int n,
      int c,
      int h,
      int w,
      int padding,
      float fill,
      int outH,
      int outW,
      int[] top,
      int[] left) {
    checkShape("crop", x, n, c, h, w);
    if (padding < 0 || outH <= 0 || outW <= 0 || outH > h + 2 * padding || outW > w + 2 * padding) {
      throw new IllegalArgumentException(
          "crop: output "
              + outH
              + " x "
              + outW
              + " does not fit images "
              + h
              + " x "
              + w
              + " padded by "
              + padding);
    }
    float[] out = new float[n * c * outH * outW];
    for (int i = 0; i < n; i++) {
      if (top[i] < 0
          || left[i] < 0
          || top[i] + outH > h + 2 * padding
          || left[i] + outW > w + 2 * padding) {
        throw new IllegalArgumentException(
            "crop: window at ("
                + top[i]
                + ", "
                + left[i]
                + ") of image "
                + i
                + " leaves the padded image");
      }
      for (int ch = 0; ch < c; ch++) {
        int src = (i * c + ch) * h * w;
        int dst = (i * c + ch) * outH * outW;
        for (int y = 0; y < outH; y++) {
          int sy = top[i] + y - padding;
          int d = dst + y * outW;
          if (sy < 0 || sy >= h) {
            Arrays.fill(out, d, d + outW, fill);
            continue;
          }
          int sx0 = left[i] - padding;
          // columns before, inside and after the source image
          int before = Math.min(outW, Math.max(0, -sx0));
          int inside = Math.max(0, Math.min(outW, w - sx0) - before);
          Arrays.fill(out, d, d + before, fill);
          System.arraycopy(x, src + sy * w + sx0 + before, out, d + before, inside);
          Arrays.fill(out, d + before + inside, d + outW, fill);
        }
      }
    }
    return out;
  }

  /** The normalised 1-D Gaussian kernel of odd {@code size} and {@code sigma} (torchvision's). */
  public static float[] gaussianKernel(int size, double sigma) {
    if (size < 1 || size % 2 == 0)
      throw new IllegalArgumentException(
          "gaussianBlur: kernel size must be odd and positive, got " + size);
    if (!(sigma > 0))
      throw new IllegalArgumentException("gaussianBlur: sigma must be positive, got " + sigma);
    double[] k = new double[size];
    double sum = 0;
    int r = size / 2;
    for (int i = 0; i < size; i++) {
      k[i] = Math.exp(-0.5 * ((i - r) / sigma) * ((i - r) / sigma));
      sum += k[i];
    }
    float[] out = new float[size];
    for (int i = 0; i < size; i++) out[i] = (float) (k[i] / sum);
    return out;
  }

  /**
   * Separable Gaussian blur of every channel plane with reflect padding (as torchvision's {@code
   * gaussian_blur}), in place. The kernel radius must be smaller than the image sides.
   */
  public static void gaussianBlur(
      float[] x, int n, int c, int h, int w, int kernelSize, double sigma) {
    checkShape("gaussianBlur", x, n, c, h, w);
    float[] k = gaussianKernel(kernelSize, sigma);
    int r = kernelSize / 2;
    if (r >= h || r >= w) {
      throw new IllegalArgumentException(
          "gaussianBlur: kernel size "
              + kernelSize
              + " needs images larger than "
              + r
              + " pixels on each side, got "
              + h
              + " x "
              + w);
    }
    float[] line = new float[Math.max(h, w) + 2 * r];
    float[] plane = new float[h * w];
    for (int p = 0; p < n * c; p++) {
      int base = p * h * w;
      for (int y = 0; y < h; y++) { // horizontal pass into plane
        int row = base + y * w;
        for (int i = -r; i < w + r; i++) line[i + r] = x[row + reflect(i, w)];
        for (int xx = 0; xx < w; xx++) {
          float s = 0;
          for (int j = 0; j < kernelSize; j++) s += k[j] * line[xx + j];
          plane[y * w + xx] = s;
        }
      }
      for (int xx = 0; xx < w; xx++) { // vertical pass back into x
        for (int i = -r; i < h + r; i++) line[i + r] = plane[reflect(i, h) * w + xx];
        for (int y = 0; y < h; y++) {
          float s = 0;
          for (int j = 0; j < kernelSize; j++) s += k[j] * line[y + j];
          x[base + y * w + xx] = s;
        }
      }
    }
  }

  private static int reflect(int i, int n) {
    if (i < 0) return -i;
    if (i >= n) return 2 * n - 2 - i;
    return i;
  }

  /**
   * Sets a {@code k x k} square at {@code (top[i], left[i])} of every channel of image i to {@code
   * value}, in place.
   */
  public static void occlude(
      float[] x, int n, int c, int h, int w, int k, float value, int[] top, int[] left) {
    checkShape("occlude", x, n, c, h, w);
    if (k < 1 || k > h || k > w) {
      throw new IllegalArgumentException(
          "occlude: patch " + k + " x " + k + " does not fit images " + h + " x " + w);
    }
    for (int i = 0; i < n; i++) {
      if (top[i] < 0 || left[i] < 0 || top[i] + k > h || left[i] + k > w) {
        throw new IllegalArgumentException(
            "occlude: patch at (" + top[i] + ", " + left[i] + ") leaves image " + i);
      }
      for (int ch = 0; ch < c; ch++) {
        for (int y = top[i]; y < top[i] + k; y++) {
          int d = ((i * c + ch) * h + y) * w + left[i];
          Arrays.fill(x, d, d + k, value);
        }
      }
    }
  }
}
