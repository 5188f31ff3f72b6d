package org.jgrad.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Checks backward against central finite differences, as {@code torch.autograd.gradcheck} does.
 *
 * <p>Every input that {@link Tensor#requiresGrad()} is checked; it must be FLOAT64 (finite
 * differences with {@code eps = 1e-6} are meaningless in float32). An analytic Jacobian entry
 * {@code a} passes against the numeric one {@code n} when {@code |a − n| <= atol + rtol·|n|}
 * (PyTorch's formula and defaults: {@code eps = 1e-6, atol = 1e-5, rtol = 1e-3}).
 *
 * <p>Small problems (at most {@link #fullJacobianLimit(int)} Jacobian entries) are checked entry by
 * entry: one backward per output element, two evaluations per input element. Larger ones are
 * checked along random directions, as PyTorch's {@code fast_mode}: with unit vectors {@code u}
 * (output) and {@code v} (input), {@code uᵀ J v} from backward must match {@code u · (f(x + eps v)
 * − f(x − eps v)) / 2eps}, with atol scaled by {@code Σu · Σv}.
 *
 * <pre>{@code
 * Tensor a = Tensor.randn(3, 4).to(DType.FLOAT64).requiresGrad(true);
 * Tensor b = Tensor.randn(4).to(DType.FLOAT64).requiresGrad(true);
 * GradCheck.check(xs -> xs[0].mul(xs[1]).tanh().sum(1, false), a, b);   // throws GradCheck.Failure if wrong
 *
 * GradCheck.withDefaults().rtol(1e-4).seed(7).verify(xs -> xs[0].softmax(-1), a);
 * GradCheck.checkGradGrad(xs -> xs[0].tanh().mul(xs[0]), a);             // second derivatives
 * }</pre>
 *
 * <p>The function must be deterministic and must not modify its inputs. Gradients already held by
 * the inputs are restored when the check ends.
 */
public final class GradCheck {
  /** A function of tensors to check; for example {@code xs -> xs[0].matmul(xs[1])}. */
  @FunctionalInterface
  public interface Fn {
    Tensor apply(Tensor... inputs);
  }

  /** A mismatch between backward and finite differences; the message names input and element. */
  public static final class Failure extends AssertionError {
    private final int input;

    Failure(int input, String message) {
      super(message);
      this.input = input;
    }

    /** Index of the offending input in the argument list. */
    public int input() {
      return input;
    }
  }

  private double eps = 1e-6;
  private double atol = 1e-5;
  private double rtol = 1e-3;
  private int fullJacobianLimit = 20_000;
  private int randomDirections = 2;
  private long seed = 0x6AD5EEDL;

  private GradCheck() {}

  /** A checker with PyTorch's defaults; adjust with the setters, then {@link #verify}. */
  public static GradCheck withDefaults() {
    return new GradCheck();
  }

  /** Checks {@code f} at {@code inputs} with the default settings. */
  public static void check(Fn f, Tensor... inputs) {
    withDefaults().verify(f, inputs);
  }

  /** Checks the second derivatives of {@code f} (PyTorch's gradgradcheck) with the defaults. */
  public static void checkGradGrad(Fn f, Tensor... inputs) {
    withDefaults().verifyGradGrad(f, inputs);
  }

  /** Finite-difference step (default 1e-6). */
  public GradCheck eps(double value) {
    if (!(value > 0))
      throw new IllegalArgumentException("GradCheck: eps must be positive, got " + value);
    eps = value;
    return this;
  }

  /** Absolute tolerance (default 1e-5). */
  public GradCheck atol(double value) {
    if (!(value >= 0))
      throw new IllegalArgumentException("GradCheck: atol must be non-negative, got " + value);
    atol = value;
    return this;
  }

  /** Relative tolerance (default 1e-3). */
  public GradCheck rtol(double value) {
    if (!(value >= 0))
      throw new IllegalArgumentException("GradCheck: rtol must be non-negative, got " + value);
    rtol = value;
    return this;
  }

  /**
   * Largest Jacobian (output elements × checked input elements) checked in full (default 20,000).
   */
  public GradCheck fullJacobianLimit(int entries) {
    if (entries < 0)
      throw new IllegalArgumentException(
          "GradCheck: fullJacobianLimit must be >= 0, got " + entries);
    fullJacobianLimit = entries;
    return this;
  }

  /** Number of random directions per input beyond the full-Jacobian limit (default 2). */
  public GradCheck randomDirections(int count) {
    if (count < 1)
      throw new IllegalArgumentException("GradCheck: randomDirections must be >= 1, got " + count);
    randomDirections = count;
    return this;
  }

  /** Seed of the random directions and of the output weights used by gradgrad checks. */
  public GradCheck seed(long value) {
    seed = value;
    return this;
  }

  // ---------------------------------------------------------------- first order

  /** Runs the check; throws {@link Failure} on a mismatch. */
  public void verify(Fn f, Tensor... inputs) {
    List<Integer> checked = new ArrayList<>();
    for (int i = 0; i < inputs.length; i++) {
      Tensor x = inputs[i];
      if (x == null) throw new IllegalArgumentException("GradCheck: input " + i + " is null");
      if (!x.requiresGrad()) continue;
      if (x.dtype() != DType.FLOAT64) {
        throw new IllegalArgumentException(
            "GradCheck: input "
                + i
                + " (shape "
                + Arrays.toString(x.shape())
                + ") is "
                + x.dtype()
                + "; finite differences need float64 (use x.to(DType.FLOAT64))");
      }
      if (!x.isLeaf()) {
        throw new IllegalArgumentException(
            "GradCheck: input "
                + i
                + " is not a leaf (it has gradFn "
                + x.gradFn().name()
                + "); pass a leaf, e.g. x.detach().requiresGrad(true)");
      }
      checked.add(i);
    }
    if (checked.isEmpty()) {
      throw new IllegalArgumentException(
          "GradCheck: no input requires grad; mark the inputs to check with requiresGrad(true)");
    }
    Tensor[] saved = new Tensor[inputs.length];
    for (int i : checked) saved[i] = inputs[i].grad();
    try {
      Tensor out = f.apply(inputs);
      if (out == null) throw new IllegalArgumentException("GradCheck: the function returned null");
      if (out.dtype() != DType.FLOAT64) {
        throw new IllegalArgumentException(
            "GradCheck: the function returned "
                + out.dtype()
                + "; it must return float64 for a meaningful check");
      }
      if (out.numel() == 0) return;
      long entries = 0;
      for (int i : checked) entries += (long) out.numel() * inputs[i].numel();
      if (entries <= fullJacobianLimit) {
        fullJacobian(f, inputs, checked, out);
      } else {
        randomDirections(f, inputs, checked, out);
      }
    } finally {
      for (int i : checked) inputs[i].setGrad(saved[i]);
    }
  }

  private void fullJacobian(Fn f, Tensor[] inputs, List<Integer> checked, Tensor out) {
    int nOut = out.numel();
    // analytic[i][k][j] = d out_k / d input_i[j], one backward per output element.
    double[][][] analytic = new double[inputs.length][][];
    for (int i : checked) analytic[i] = new double[nOut][];
    for (int k = 0; k < nOut; k++) {
      double[] seedValues = new double[nOut];
      seedValues[k] = 1;
      double[][] rows = vjp(inputs, checked, out, seedValues);
      for (int i : checked) analytic[i][k] = rows[i];
    }
    for (int i : checked) {
      double[] base = inputs[i].toDoubleArray();
      int n = base.length;
      for (int j = 0; j < n; j++) {
        double[] plus = evaluate(f, inputs, i, base, j, eps);
        double[] minus = evaluate(f, inputs, i, base, j, -eps);
        for (int k = 0; k < nOut; k++) {
          double numeric = (plus[k] - minus[k]) / (2 * eps);
          double a = analytic[i][k][j];
          if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
            throw new Failure(
                i,
                String.format(
                    Locale.ROOT,
                    "GradCheck: Jacobian mismatch for input %d (shape %s, %s) at input element %s, output element %s"
                        + " (output shape %s): analytic %.10g, numeric %.10g; |difference| %.3g > atol %.1g + rtol %.1g"
                        + " * |numeric|",
                    i,
                    Arrays.toString(inputs[i].shape()),
                    inputs[i].device(),
                    Arrays.toString(unravel(j, inputs[i].shape())),
                    Arrays.toString(unravel(k, out.shape())),
                    Arrays.toString(out.shape()),
                    a,
                    numeric,
                    Math.abs(a - numeric),
                    atol,
                    rtol));
          }
        }
      }
    }
  }

  private void randomDirections(Fn f, Tensor[] inputs, List<Integer> checked, Tensor out) {
    Generator g = new Generator(seed);
    for (int trial = 0; trial < randomDirections; trial++) {
      double[] u = unitRandom(g, out.numel());
      double[][] grads = vjp(inputs, checked, out, u);
      for (int i : checked) {
        double[] base = inputs[i].toDoubleArray();
        double[] v = unitRandom(g, base.length);
        double analytic = 0;
        for (int j = 0; j < v.length; j++) analytic += grads[i][j] * v[j];
        double[] plus = evaluateDirection(f, inputs, i, base, v, eps);
        double[] minus = evaluateDirection(f, inputs, i, base, v, -eps);
        double numeric = 0;
        for (int k = 0; k < u.length; k++) numeric += u[k] * (plus[k] - minus[k]) / (2 * eps);
        double scaledAtol = atol * sum(u) * sum(v);
        if (!(Math.abs(analytic - numeric) <= scaledAtol + rtol * Math.abs(numeric))) {
          throw new Failure(
              i,
              String.format(
                  Locale.ROOT,
                  "GradCheck: directional derivative mismatch for input %d (shape %s, %s), random direction %d (seed %d),"
                      + " output shape %s: analytic u^T J v = %.10g, numeric %.10g; |difference| %.3g > %.3g (atol scaled"
                      + " by sum(u)*sum(v)) + rtol %.1g * |numeric|. Raise fullJacobianLimit to locate the element.",
                  i,
                  Arrays.toString(inputs[i].shape()),
                  inputs[i].device(),
                  trial,
                  seed,
                  Arrays.toString(out.shape()),
                  analytic,
                  numeric,
                  Math.abs(analytic - numeric),
                  scaledAtol,
                  rtol));
        }
      }
    }
  }

  /**
   * Backward of {@code out} with the given seed; returns each checked input's gradient (zeros if
   * none).
   */
  private static double[][] vjp(
      Tensor[] inputs, List<Integer> checked, Tensor out, double[] seedValues) {
    double[][] rows = new double[inputs.length][];
    for (int i : checked) inputs[i].setGrad(null);
    if (out.requiresGrad()) {
      Tensor seedTensor = tensorOf(seedValues, out.shape()).to(out.device());
      out.backward(seedTensor, true, false);
    }
    for (int i : checked) {
      Tensor g = inputs[i].grad();
      if (g == null) {
        rows[i] = new double[inputs[i].numel()];
        continue;
      }
      if (!Arrays.equals(g.shape(), inputs[i].shape())
          || g.dtype() != inputs[i].dtype()
          || !g.device().equals(inputs[i].device())) {
        throw new Failure(
            i,
            "GradCheck: gradient of input "
                + i
                + " has shape "
                + Arrays.toString(g.shape())
                + ", "
                + g.dtype()
                + " on "
                + g.device()
                + "; expected "
                + Arrays.toString(inputs[i].shape())
                + ", "
                + inputs[i].dtype()
                + " on "
                + inputs[i].device());
      }
      rows[i] = g.toDoubleArray();
      inputs[i].setGrad(null);
    }
    return rows;
  }

  private static double[] evaluate(
      Fn f, Tensor[] inputs, int which, double[] base, int element, double delta) {
    double[] values = base.clone();
    values[element] += delta;
    return evaluateWith(f, inputs, which, values);
  }

  private static double[] evaluateDirection(
      Fn f, Tensor[] inputs, int which, double[] base, double[] v, double delta) {
    double[] values = base.clone();
    for (int j = 0; j < values.length; j++) values[j] += delta * v[j];
    return evaluateWith(f, inputs, which, values);
  }

  /**
   * Evaluates {@code f} on fresh copies of the float inputs (input {@code which} replaced by {@code
   * values}), so that nothing the function does can touch the caller's tensors or their gradients.
   * The copies keep each input's requiresGrad flag for functions that differentiate internally
   * (gradgrad checks).
   */
  private static double[] evaluateWith(Fn f, Tensor[] inputs, int which, double[] values) {
    Tensor[] fresh = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor x = inputs[i];
      if (!x.dtype().isFloatingPoint()) {
        fresh[i] = x;
        continue;
      }
      double[] v = i == which ? values : x.toDoubleArray();
      Tensor t = tensorOf(v, x.shape()).to(x.dtype());
      if (!x.device().equals(Device.CPU)) t = t.to(x.device());
      fresh[i] = x.requiresGrad() ? t.requiresGrad(true) : t;
    }
    Tensor out = f.apply(fresh);
    return out.detach().toDoubleArray();
  }

  /** A float64 tensor of any shape, 0-d included ({@code Tensor.of} without a shape gives 1-D). */
  private static Tensor tensorOf(double[] values, int[] shape) {
    return shape.length == 0 ? Tensor.of(values).reshape() : Tensor.of(values, shape);
  }

  private static double[] unitRandom(Generator g, int n) {
    double[] v = new double[n];
    double norm = 0;
    for (int i = 0; i < n; i++) {
      v[i] = g.nextDouble();
      norm += v[i] * v[i];
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (int i = 0; i < n; i++) v[i] /= norm;
    return v;
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double d : v) s += d;
    return s;
  }

  private static int[] unravel(int linear, int[] shape) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = linear % shape[d];
      linear /= shape[d];
    }
    return idx;
  }

  // ---------------------------------------------------------------- second order

  /**
   * Checks second derivatives: the first-order check applied to {@code x ↦ ∂(Σ u·f(x))/∂x} for a
   * fixed random weight {@code u}, with that gradient computed by {@code backward(createGraph =
   * true)}. Passes only if backward formulas are themselves correctly differentiable.
   */
  public void verifyGradGrad(Fn f, Tensor... inputs) {
    double[][] weights = new double[1][];
    Fn gradient =
        xs -> {
          Tensor y = f.apply(xs);
          if (weights[0] == null)
            weights[0] = unitRandom(new Generator(seed ^ 0x5DEECE66DL), y.numel());
          List<Tensor> parts = new ArrayList<>();
          for (Tensor x : xs) if (x.requiresGrad()) x.setGrad(null);
          if (y.requiresGrad())
            y.backward(tensorOf(weights[0], y.shape()).to(y.device()), true, true);
          for (Tensor x : xs) {
            if (!x.requiresGrad()) continue;
            Tensor g = x.grad();
            parts.add((g == null ? Tensor.zerosLike(x) : g).reshape(-1));
            x.setGrad(null);
          }
          return Tensor.cat(parts, 0);
        };
    verify(gradient, inputs);
  }
}
