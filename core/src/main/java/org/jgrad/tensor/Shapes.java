package org.jgrad.tensor;

import java.util.Arrays;
import org.jgrad.backend.RawTensor;

/** Shape arithmetic shared by the ops: broadcasting, dimension wrapping, argument checks. */
final class Shapes {
  private Shapes() {}

  static String str(int[] shape) {
    return Arrays.toString(shape);
  }

  /** NumPy broadcasting of two shapes, or an error naming the op and both shapes. */
  static int[] broadcast(String op, int[] a, int[] b) {
    int r = Math.max(a.length, b.length);
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i < r - a.length ? 1 : a[i - (r - a.length)];
      int db = i < r - b.length ? 1 : b[i - (r - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(
            op
                + ": shapes "
                + str(a)
                + " and "
                + str(b)
                + " cannot be broadcast (dimension "
                + i
                + ": "
                + da
                + " vs "
                + db
                + ")");
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /** A stride-0 view of {@code x} with the (broadcast-compatible) shape {@code to}. */
  static RawTensor expandRaw(RawTensor x, int[] to) {
    if (Arrays.equals(x.shape(), to)) return x;
    int lead = to.length - x.rank();
    int[] strides = new int[to.length];
    for (int i = 0; i < to.length; i++) {
      if (i < lead) continue;
      int d = x.shape()[i - lead];
      strides[i] = d == 1 && to[i] != 1 ? 0 : x.strides()[i - lead];
    }
    return x.withLayout(to.clone(), strides, x.offset());
  }

  /** Wraps a possibly negative dim into [0, rank). */
  static int dim(String op, int dim, int rank) {
    int r = Math.max(rank, 1);
    if (dim < -r || dim >= r) {
      throw new IllegalArgumentException(
          op
              + ": dimension "
              + dim
              + " is out of range for a tensor of rank "
              + rank
              + " (expected in ["
              + (-r)
              + ", "
              + (r - 1)
              + "])");
    }
    return dim < 0 ? dim + r : dim;
  }

  /** Wraps, sorts and de-duplicates a list of dims. */
  static int[] dims(String op, int[] dims, int rank) {
    int[] out = new int[dims.length];
    for (int i = 0; i < dims.length; i++) out[i] = dim(op, dims[i], rank);
    Arrays.sort(out);
    for (int i = 1; i < out.length; i++) {
      if (out[i] == out[i - 1])
        throw new IllegalArgumentException(op + ": dimension " + out[i] + " appears twice");
    }
    return out;
  }

  static int[] allDims(int rank) {
    int[] d = new int[rank];
    for (int i = 0; i < rank; i++) d[i] = i;
    return d;
  }

  static void checkShape(String op, int[] shape) {
    for (int d : shape) {
      if (d < 0)
        throw new IllegalArgumentException(op + ": negative dimension in shape " + str(shape));
    }
  }

  /** Resolves one -1 entry of a reshape target against the number of elements. */
  static int[] inferReshape(String op, int[] from, int[] to) {
    int numel = RawTensor.numel(from);
    int[] out = to.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < out.length; i++) {
      if (out[i] == -1) {
        if (infer >= 0)
          throw new IllegalArgumentException(op + ": only one dimension can be -1, got " + str(to));
        infer = i;
      } else if (out[i] < 0) {
        throw new IllegalArgumentException(op + ": invalid shape " + str(to));
      } else {
        known *= out[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || numel % known != 0) {
        throw new IllegalArgumentException(
            op
                + ": shape "
                + str(to)
                + " is invalid for input of size "
                + numel
                + " (shape "
                + str(from)
                + ")");
      }
      out[infer] = (int) (numel / known);
    } else if (known != numel) {
      throw new IllegalArgumentException(
          op
              + ": shape "
              + str(to)
              + " is invalid for input of size "
              + numel
              + " (shape "
              + str(from)
              + ")");
    }
    return out;
  }

  /**
   * Strides for viewing {@code x} with a new shape without copying, or null when the layout does
   * not allow it (PyTorch's view rule: each group of merged/split dims must be contiguous).
   */
  static int[] viewStrides(int[] shape, int[] strides, int[] newShape) {
    int numel = RawTensor.numel(shape);
    if (numel == 0) return RawTensor.contiguousStrides(newShape);
    // Drop size-1 dims: their strides are irrelevant.
    int[] s = new int[shape.length], st = new int[shape.length];
    int k = 0;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] != 1) {
        s[k] = shape[i];
        st[k] = strides[i];
        k++;
      }
    }
    int[] out = new int[newShape.length];
    int oi = 0, ii = 0;
    while (oi < newShape.length || ii < k) {
      // Skip size-1 output dims.
      if (oi < newShape.length && newShape[oi] == 1) {
        out[oi] = (ii < k ? st[ii] * s[ii] : 1);
        oi++;
        continue;
      }
      if (ii >= k || oi >= newShape.length) return null;
      // Take a chunk of input dims [ii, ij) that is contiguous, and output dims [oi, oj) with equal
      // product.
      long inProd = s[ii], outProd = newShape[oi];
      int ij = ii + 1, oj = oi + 1;
      while (inProd != outProd) {
        if (inProd < outProd) {
          if (ij >= k) return null;
          if (st[ij - 1] != st[ij] * s[ij]) return null;
          inProd *= s[ij++];
        } else {
          while (oj < newShape.length && newShape[oj] == 1) oj++;
          if (oj >= newShape.length) return null;
          outProd *= newShape[oj++];
        }
      }
      for (int j = ij - 1; j > ii; j--) if (st[j - 1] != st[j] * s[j]) return null;
      int stride = st[ij - 1];
      for (int j = oj - 1; j >= oi; j--) {
        out[j] = stride;
        stride *= newShape[j];
      }
      oi = oj;
      ii = ij;
    }
    return out;
  }
}
