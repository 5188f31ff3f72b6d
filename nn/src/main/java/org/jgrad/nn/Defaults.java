package org.jgrad.nn;

import org.jgrad.nn.init.Init;
import org.jgrad.tensor.Tensor;

/** PyTorch's default initialisations, shared by the layers. */
final class Defaults {
  private Defaults() {}

  /**
   * Linear and convolution layers: weight kaiming_uniform(a = √5), i.e. U(±1/√fan_in), and bias
   * U(±1/√fan_in), with fan_in computed from the weight as PyTorch does.
   */
  static void linearLike(Tensor weight, Tensor bias) {
    Init.kaimingUniform(weight, Math.sqrt(5), Init.Mode.FAN_IN, "leaky_relu");
    if (bias != null) {
      int fanIn = Init.calculateFanInAndFanOut(weight)[0];
      double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      Init.uniform(bias, -bound, bound);
    }
  }

  static int positive(String layer, String what, int v) {
    if (v <= 0)
      throw new IllegalArgumentException(layer + ": " + what + " must be positive, got " + v);
    return v;
  }

  static String tuple(int[] v) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ", ").append(v[i]);
    return b.append(v.length == 1 ? ",)" : ")").toString();
  }

  static int[] two(int v) {
    return new int[] {v, v};
  }

  /**
   * A conv layer's repr, PyTorch's format: {@code in, out, kernel_size=(..), stride=(..)} and the
   * non-default rest. {@code paddingMode} ("valid"/"same") replaces numeric padding; {@code
   * outputPadding} may be null.
   */
  static String convRepr(
      int in,
      int out,
      int[] kernel,
      int[] stride,
      int[] padding,
      String paddingMode,
      int[] outputPadding,
      int[] dilation,
      int groups,
      boolean bias) {
    StringBuilder b =
        new StringBuilder(
            in + ", " + out + ", kernel_size=" + tuple(kernel) + ", stride=" + tuple(stride));
    if (paddingMode != null) b.append(", padding=").append(paddingMode);
    else if (!allEqual(padding, 0)) b.append(", padding=").append(tuple(padding));
    if (outputPadding != null && !allEqual(outputPadding, 0))
      b.append(", output_padding=").append(tuple(outputPadding));
    if (!allEqual(dilation, 1)) b.append(", dilation=").append(tuple(dilation));
    if (groups != 1) b.append(", groups=").append(groups);
    if (!bias) b.append(", bias=false");
    return b.toString();
  }

  private static boolean allEqual(int[] v, int x) {
    for (int e : v) if (e != x) return false;
    return true;
  }

  /** Checks "valid"/"same" padding modes as F would; null means numeric padding. */
  static String paddingMode(String layer, String mode, int[] stride) {
    if (mode != null && !mode.equals("same") && !mode.equals("valid")) {
      throw new IllegalArgumentException(
          layer + ": padding must be \"valid\" or \"same\", got \"" + mode + "\"");
    }
    if ("same".equals(mode) && !allEqual(stride, 1)) {
      throw new IllegalArgumentException(
          layer + ": padding=\"same\" is not supported for strided convolutions");
    }
    return mode;
  }

  /** A double as Python prints it (1e-05, 0.1, 2.0), for extraRepr. */
  static String num(double v) {
    String s = Double.toString(v);
    int e = s.indexOf('E');
    if (e < 0) return s;
    String mant = s.substring(0, e);
    if (mant.endsWith(".0")) mant = mant.substring(0, mant.length() - 2);
    int exp = Integer.parseInt(s.substring(e + 1));
    return mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  }
}
