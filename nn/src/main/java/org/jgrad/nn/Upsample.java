package org.jgrad.nn;

import java.util.Arrays;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Resizes [N, C, H, W] images to a fixed size or by a scale factor, with "nearest" or "bilinear"
 * interpolation (align_corners false by default, as PyTorch).
 *
 * <pre>{@code
 * Upsample up = new Upsample(2.0, "nearest");
 * Tensor y = up.call(Tensor.randn(1, 3, 8, 8));                           // [1, 3, 16, 16]
 * Tensor z = new Upsample(new int[] {10, 12}, "bilinear", false).call(x);  // [N, C, 10, 12]
 * }</pre>
 */
public class Upsample extends Module {
  private final int[] size;
  private final double[] scaleFactor;
  private final String mode;
  private final boolean alignCorners;

  public Upsample(double scaleFactor, String mode) {
    this(null, new double[] {scaleFactor}, mode, false);
  }

  public Upsample(double scaleFactor, String mode, boolean alignCorners) {
    this(null, new double[] {scaleFactor}, mode, alignCorners);
  }

  public Upsample(int[] size, String mode, boolean alignCorners) {
    this(size, null, mode, alignCorners);
  }

  /** Exactly one of {@code size} and {@code scaleFactor} must be non-null. */
  public Upsample(int[] size, double[] scaleFactor, String mode, boolean alignCorners) {
    if ((size == null) == (scaleFactor == null)) {
      throw new IllegalArgumentException(
          "Upsample: exactly one of size and scaleFactor must be given");
    }
    if (!mode.equals("nearest") && !mode.equals("bilinear")) {
      throw new IllegalArgumentException(
          "Upsample: mode must be \"nearest\" or \"bilinear\", got \"" + mode + "\"");
    }
    if (alignCorners && mode.equals("nearest")) {
      throw new IllegalArgumentException("Upsample: alignCorners only applies to bilinear mode");
    }
    this.size = size == null ? null : size.clone();
    this.scaleFactor = scaleFactor == null ? null : scaleFactor.clone();
    this.mode = mode;
    this.alignCorners = alignCorners;
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.interpolate(input, size, scaleFactor, mode, alignCorners);
  }

  @Override
  protected String extraRepr() {
    String what =
        size != null
            ? "size=" + Defaults.tuple(size)
            : "scale_factor="
                + (scaleFactor.length == 1
                    ? String.valueOf(scaleFactor[0])
                    : Arrays.toString(scaleFactor));
    return what + ", mode='" + mode + "'" + (alignCorners ? ", align_corners=true" : "");
  }
}
