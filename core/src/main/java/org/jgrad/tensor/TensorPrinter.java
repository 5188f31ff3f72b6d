package org.jgrad.tensor;

import java.util.Locale;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;

/**
 * PyTorch-style printing: {@code tensor([[1.0000, 2.0000], …])}; tensors over 1000 elements show
 * the first and last three entries of each dim around "...".
 */
final class TensorPrinter {
  private static final int THRESHOLD = 1000;
  private static final int EDGE = 3;

  private TensorPrinter() {}

  static String format(Tensor t) {
    Tensor x = t.detach();
    double[] v = x.to(Device.CPU).toDoubleArray();
    boolean summarize = v.length > THRESHOLD;
    DType dtype = x.dtype();
    boolean integral = !dtype.isFloatingPoint();
    double maxAbs = 0, minAbs = Double.POSITIVE_INFINITY;
    boolean allInts = true;
    for (double d : v) {
      if (!Double.isFinite(d)) continue;
      double a = Math.abs(d);
      maxAbs = Math.max(maxAbs, a);
      if (a > 0) minAbs = Math.min(minAbs, a);
      if (d != Math.rint(d)) allInts = false;
    }
    // PyTorch's rules: statistics over the nonzero finite values; integral floats switch to
    // scientific notation on range alone, others also when the smallest is below 1e-4.
    boolean sci =
        !integral && (maxAbs / minAbs > 1e3 || maxAbs > 1e8 || (!allInts && minAbs < 1e-4));
    int width = 0;
    String[] cells = new String[v.length];
    for (int i = 0; i < v.length; i++) {
      cells[i] = cell(v[i], dtype, integral, allInts, sci);
      // As in PyTorch, zeros, nan and inf do not widen the columns of a float tensor.
      if (integral || (Double.isFinite(v[i]) && v[i] != 0))
        width = Math.max(width, cells[i].length());
    }
    StringBuilder sb = new StringBuilder("tensor(");
    int[] shape = x.shape();
    if (shape.length == 0) {
      sb.append(cells[0].strip());
    } else {
      append(sb, cells, width, shape, 0, 0, summarize, "tensor(".length());
    }
    if (summarize || x.numel() == 0) sb.append(", shape=").append(Shapes.str(shape));
    if (dtype != DType.FLOAT32 && dtype != DType.INT64 && dtype != DType.BOOL
        || (dtype != DType.FLOAT32 && v.length == 0)) {
      sb.append(", dtype=").append(dtype.label());
    }
    if (!t.device().equals(Device.CPU)) sb.append(", device='").append(t.device()).append("'");
    if (t.gradFn() != null) sb.append(", gradFn=<").append(t.gradFn().name()).append(">");
    else if (t.requiresGrad()) sb.append(", requiresGrad=true");
    return sb.append(")").toString();
  }

  private static String cell(
      double d, DType dtype, boolean integral, boolean allInts, boolean sci) {
    if (dtype == DType.BOOL) return d != 0 ? "True" : "False";
    if (integral) return Long.toString((long) d);
    if (Double.isNaN(d)) return "nan";
    if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
    if (sci) return String.format(Locale.ROOT, "%.4e", d);
    if (allInts) return String.format(Locale.ROOT, "%.0f.", d);
    return String.format(Locale.ROOT, "%.4f", d);
  }

  private static int stride(int[] shape, int dim) {
    int s = 1;
    for (int i = dim + 1; i < shape.length; i++) s *= shape[i];
    return s;
  }

  private static void append(
      StringBuilder sb,
      String[] cells,
      int width,
      int[] shape,
      int dim,
      int base,
      boolean summarize,
      int indent) {
    sb.append('[');
    int n = shape[dim];
    int stride = stride(shape, dim);
    boolean last = dim == shape.length - 1;
    for (int i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE && i == EDGE) {
        sb.append(
            last
                ? "..., "
                : "...,\n"
                    + " ".repeat(indent + dim + 1)
                    + (dim < shape.length - 2 ? "\n" + " ".repeat(indent + dim + 1) : ""));
        i = n - EDGE - 1;
        continue;
      }
      if (last) {
        String c = cells[base + i];
        sb.append(" ".repeat(Math.max(0, width - c.length()))).append(c);
      } else {
        append(sb, cells, width, shape, dim + 1, base + i * stride, summarize, indent);
      }
      if (i < n - 1) {
        if (last) sb.append(", ");
        else
          sb.append(",\n")
              .append("\n".repeat(shape.length - dim - 2))
              .append(" ".repeat(indent + dim + 1));
      }
    }
    sb.append(']');
  }
}
