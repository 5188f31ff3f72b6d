package org.jgrad.data.transforms;

import java.util.Arrays;
import java.util.List;
import java.util.function.LongFunction;
import org.jgrad.backend.DType;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Batch transforms: per-channel normalisation, bytes to [0, 1], random crop with padding, random
 * horizontal flip, Gaussian blur, additive Gaussian and uniform noise, random k x k occlusion, and
 * composition. Image transforms take float batches [N, C, H, W]; the noise transforms take any
 * float shape. Random transforms draw per image from their own seeded generator (so the same seed
 * over the same batch sequence repeats exactly), and work on one primitive array per batch, never
 * an object per pixel. A {@link org.jgrad.data.DataLoader} runs {@link Transform#forEpoch} of its
 * transform each epoch, so there the draws of an epoch depend only on the seed and that epoch.
 *
 * <pre>{@code
 * Transform augment = Transforms.compose(
 *         Transforms.randomCrop(28, 2, 1),
 *         Transforms.gaussianNoise(0.1, 2),
 *         Transforms.normalize(new double[] {0.1307}, new double[] {0.3081}));
 * Tensor x = augment.apply(batch.inputs());
 * }</pre>
 */
public final class Transforms {
  private Transforms() {}

  /** Applies the transforms left to right. */
  public static Transform compose(Transform... ts) {
    List<Transform> list = List.copyOf(Arrays.asList(ts));
    return new Transform() {
      @Override
      public Tensor apply(Tensor x) {
        Tensor y = x;
        for (Transform t : list) y = t.apply(y);
        return y;
      }

      @Override
      public Transform forEpoch(int epoch) {
        return compose(list.stream().map(t -> t.forEpoch(epoch)).toArray(Transform[]::new));
      }
    };
  }

  /**
   * A random transform built by {@code make} from a seed; {@link Transform#forEpoch} rebuilds it
   * from a seed mixed with the epoch (the same mixing as the DataLoader's shuffle order).
   */
  private static Transform seeded(long seed, LongFunction<Transform> make) {
    Transform t = make.apply(seed);
    return new Transform() {
      @Override
      public Tensor apply(Tensor x) {
        return t.apply(x);
      }

      @Override
      public Transform forEpoch(int epoch) {
        return seeded(seed + 0x9E3779B97F4A7C15L * (epoch + 1L), make);
      }
    };
  }

  /** Divides by 255: pixel values 0..255 become [0, 1] (the batch is converted to float32). */
  public static Transform bytesToUnit() {
    return x -> {
      float[] v = x.toFloatArray();
      for (int i = 0; i < v.length; i++) v[i] /= 255f;
      return Tensor.of(v, x.shape());
    };
  }

  /** {@code (x - mean[c]) / std[c]} for each channel c of an [N, C, H, W] batch. */
  public static Transform normalize(double[] mean, double[] std) {
    float[] m = toFloats(mean);
    float[] s = toFloats(std);
    return x -> {
      int[] d = imageDims("normalize", x);
      float[] v = x.toFloatArray();
      ImageOps.normalize(v, d[0], d[1], d[2], d[3], m, s);
      return back(v, x);
    };
  }

  /**
   * Pads each image by {@code padding} zeros on every side and cuts a random {@code size x size}
   * window (torchvision's {@code RandomCrop(size, padding)}).
   */
  public static Transform randomCrop(int size, int padding, long seed) {
    if (size < 1 || padding < 0) {
      throw new IllegalArgumentException(
          "randomCrop: size must be >= 1 and padding >= 0, got " + size + ", " + padding);
    }
    return seeded(
        seed,
        sd -> {
          Generator g = new Generator(sd);
          return x -> {
            int[] d = imageDims("randomCrop", x);
            int n = d[0], h = d[2], w = d[3];
            if (size > h + 2 * padding || size > w + 2 * padding) {
              throw new IllegalArgumentException(
                  "randomCrop: crop "
                      + size
                      + " is larger than the padded image "
                      + (h + 2 * padding)
                      + " x "
                      + (w + 2 * padding));
            }
            int[] top = new int[n];
            int[] left = new int[n];
            synchronized (g) {
              for (int i = 0; i < n; i++) {
                top[i] = g.nextInt(h + 2 * padding - size + 1);
                left[i] = g.nextInt(w + 2 * padding - size + 1);
              }
            }
            float[] out =
                ImageOps.crop(x.toFloatArray(), n, d[1], h, w, padding, 0f, size, size, top, left);
            Tensor t = Tensor.of(out, n, d[1], size, size);
            return x.dtype() == DType.FLOAT64 ? t.to(DType.FLOAT64) : t;
          };
        });
  }

  /** Mirrors each image left-right with probability {@code p}. */
  public static Transform randomHorizontalFlip(double p, long seed) {
    checkProbability("randomHorizontalFlip", p);
    return seeded(
        seed,
        sd -> {
          Generator g = new Generator(sd);
          return x -> {
            int[] d = imageDims("randomHorizontalFlip", x);
            boolean[] flip = new boolean[d[0]];
            synchronized (g) {
              for (int i = 0; i < flip.length; i++) flip[i] = g.nextDouble() < p;
            }
            float[] v = x.toFloatArray();
            ImageOps.horizontalFlip(v, d[0], d[1], d[2], d[3], flip);
            return back(v, x);
          };
        });
  }

  /**
   * Gaussian blur with an odd {@code kernelSize} and standard deviation {@code sigma} (reflect
   * padding).
   */
  public static Transform gaussianBlur(int kernelSize, double sigma) {
    ImageOps.gaussianKernel(
        kernelSize, sigma); // validates the arguments now rather than at the first batch
    return x -> {
      int[] d = imageDims("gaussianBlur", x);
      float[] v = x.toFloatArray();
      ImageOps.gaussianBlur(v, d[0], d[1], d[2], d[3], kernelSize, sigma);
      return back(v, x);
    };
  }

  /** Adds independent N(0, std^2) noise to every element (any shape). */
  public static Transform gaussianNoise(double std, long seed) {
    if (!(std >= 0))
      throw new IllegalArgumentException("gaussianNoise: std must be >= 0, got " + std);
    return seeded(
        seed,
        sd -> {
          Generator g = new Generator(sd);
          return x -> {
            checkFloat("gaussianNoise", x);
            if (x.dtype() == DType.FLOAT64) {
              double[] v = x.toDoubleArray();
              synchronized (g) {
                for (int i = 0; i < v.length; i++) v[i] += std * g.nextGaussian();
              }
              return Tensor.of(v, x.shape());
            }
            float[] v = x.toFloatArray();
            synchronized (g) {
              for (int i = 0; i < v.length; i++) v[i] += (float) (std * g.nextGaussian());
            }
            return Tensor.of(v, x.shape());
          };
        });
  }

  /** Adds independent U[0, 1) noise to every element. */
  public static Transform uniformNoise(long seed) {
    return uniformNoise(0, 1, seed);
  }

  /** Adds independent U[low, high) noise to every element (any shape). */
  public static Transform uniformNoise(double low, double high, long seed) {
    if (!(high > low))
      throw new IllegalArgumentException("uniformNoise: need low < high, got " + low + ", " + high);
    return seeded(
        seed,
        sd -> {
          Generator g = new Generator(sd);
          double range = high - low;
          return x -> {
            checkFloat("uniformNoise", x);
            if (x.dtype() == DType.FLOAT64) {
              double[] v = x.toDoubleArray();
              synchronized (g) {
                for (int i = 0; i < v.length; i++) v[i] += low + range * g.nextDouble();
              }
              return Tensor.of(v, x.shape());
            }
            float[] v = x.toFloatArray();
            synchronized (g) {
              for (int i = 0; i < v.length; i++) v[i] += (float) (low + range * g.nextDouble());
            }
            return Tensor.of(v, x.shape());
          };
        });
  }

  /** Sets one random {@code k x k} square of each image (all channels) to {@code value}. */
  public static Transform randomOcclusion(int k, double value, long seed) {
    if (k < 1)
      throw new IllegalArgumentException("randomOcclusion: patch size must be >= 1, got " + k);
    return seeded(
        seed,
        sd -> {
          Generator g = new Generator(sd);
          return x -> {
            int[] d = imageDims("randomOcclusion", x);
            int n = d[0], h = d[2], w = d[3];
            if (k > h || k > w) {
              throw new IllegalArgumentException(
                  "randomOcclusion: patch "
                      + k
                      + " x "
                      + k
                      + " does not fit images "
                      + h
                      + " x "
                      + w);
            }
            int[] top = new int[n];
            int[] left = new int[n];
            synchronized (g) {
              for (int i = 0; i < n; i++) {
                top[i] = g.nextInt(h - k + 1);
                left[i] = g.nextInt(w - k + 1);
              }
            }
            float[] v = x.toFloatArray();
            ImageOps.occlude(v, n, d[1], h, w, k, (float) value, top, left);
            return back(v, x);
          };
        });
  }

  private static int[] imageDims(String op, Tensor x) {
    if (x.dim() != 4) {
      throw new IllegalArgumentException(
          op
              + ": expected a batch of images [N, C, H, W], got shape "
              + Arrays.toString(x.shape()));
    }
    checkFloat(op, x);
    return x.shape();
  }

  private static void checkFloat(String op, Tensor x) {
    if (x.dtype() != DType.FLOAT32 && x.dtype() != DType.FLOAT64) {
      throw new IllegalArgumentException(
          op
              + ": expected a float tensor, got "
              + x.dtype()
              + " (convert bytes with bytesToUnit() first)");
    }
  }

  private static Tensor back(float[] v, Tensor like) {
    Tensor t = Tensor.of(v, like.shape());
    return like.dtype() == DType.FLOAT64 ? t.to(DType.FLOAT64) : t;
  }

  private static float[] toFloats(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
    return f;
  }

  private static void checkProbability(String op, double p) {
    if (!(p >= 0 && p <= 1))
      throw new IllegalArgumentException(op + ": p must be in [0, 1], got " + p);
  }
}
