package org.jgrad.nn;

import java.util.Arrays;
import org.jgrad.tensor.Tensor;

/**
 * Splits dim {@code dim} into {@code sizes} (one entry may be −1), the inverse of {@link Flatten}.
 *
 * <pre>{@code
 * Tensor y = new Unflatten(1, 64, 5, 5).call(Tensor.randn(8, 1600));   // [8, 64, 5, 5]
 * }</pre>
 */
public class Unflatten extends Module {
  private final int dim;
  private final int[] sizes;

  public Unflatten(int dim, int... sizes) {
    if (sizes.length == 0) throw new IllegalArgumentException("Unflatten: sizes must not be empty");
    this.dim = dim;
    this.sizes = sizes.clone();
  }

  @Override
  public Tensor forward(Tensor input) {
    int d = dim < 0 ? dim + input.dim() : dim;
    if (d < 0 || d >= input.dim()) {
      throw new IllegalArgumentException(
          "Unflatten: dim " + dim + " is out of range for input " + Arrays.toString(input.shape()));
    }
    int[] s = input.shape();
    int[] out = new int[s.length - 1 + sizes.length];
    System.arraycopy(s, 0, out, 0, d);
    System.arraycopy(sizes, 0, out, d, sizes.length);
    System.arraycopy(s, d + 1, out, d + sizes.length, s.length - d - 1);
    long known = 1;
    int free = 0;
    for (int v : sizes) {
      if (v == -1) free++;
      else known *= v;
    }
    if (free > 1
        || (free == 0 && known != s[d])
        || (free == 1 && (known == 0 || s[d] % known != 0))) {
      throw new IllegalArgumentException(
          "Unflatten: sizes "
              + Arrays.toString(sizes)
              + " do not multiply to dim "
              + d
              + " of size "
              + s[d]
              + " (input "
              + Arrays.toString(s)
              + ")");
    }
    return input.reshape(out);
  }

  @Override
  protected String extraRepr() {
    return "dim=" + dim + ", unflattened_size=" + Defaults.tuple(sizes);
  }
}
