package org.jgrad.optim;

import java.util.ArrayList;
import java.util.List;
import org.jgrad.autograd.GradMode;
import org.jgrad.tensor.Tensor;

/**
 * Limited-memory BFGS with an optional strong-Wolfe line search, as {@code torch.optim.LBFGS}
 * (itself after minFunc). One {@link #step(Closure)} runs up to {@code maxIter} iterations and
 * calls the closure up to about {@code maxEval} times; the closure must zero the gradients, compute
 * the loss, call {@code backward()} and return the loss.
 *
 * <pre>{@code
 * Tensor xy = Tensor.of(new double[] {-1.5, 2.0}).requiresGrad(true);
 * var opt = new LBFGS(List.of(xy), LBFGS.options().lineSearchFn("strong_wolfe"));
 * for (int i = 0; i < 10; i++) {
 *   opt.step(() -> {
 *     opt.zeroGrad();
 *     Tensor x = xy.select(0, 0), y = xy.select(0, 1);
 *     Tensor loss = x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
 *     loss.backward();
 *     return loss;
 *   });
 * }   // xy ≈ (1, 1)
 * }</pre>
 *
 * <p>Only one parameter group is supported; all parameters are treated as one flat vector. The
 * state ({@link State}) is kept with the first parameter, as PyTorch does.
 */
public final class LBFGS extends Optimizer {

  /** The validated hyper-parameters. */
  public record Config(
      double lr,
      int maxIter,
      int maxEval,
      double toleranceGrad,
      double toleranceChange,
      int historySize,
      String lineSearchFn)
      implements OptimizerConfig {
    public Config {
      check(maxIter > 0, "Invalid max_iter value: " + maxIter);
      check(maxEval > 0, "Invalid max_eval value: " + maxEval);
      check(historySize > 0, "Invalid history_size value: " + historySize);
      check(toleranceGrad >= 0, "Invalid tolerance_grad value: " + num(toleranceGrad));
      check(toleranceChange >= 0, "Invalid tolerance_change value: " + num(toleranceChange));
      check(
          lineSearchFn == null || lineSearchFn.equals("strong_wolfe"),
          "only 'strong_wolfe' is supported, got lineSearchFn '" + lineSearchFn + "'");
    }

    @Override
    public Config withLr(double lr) {
      return new Config(
          lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn);
    }
  }

  /**
   * The state: closure evaluations and iterations so far, then (after the first iteration) the last
   * direction {@code d} and step {@code t}, the curvature history {@code oldDirs}, {@code oldStps},
   * {@code ro}, the scaling {@code hDiag}, the previous flat gradient and loss.
   */
  public record State(
      int funcEvals,
      int nIter,
      Tensor d,
      Double t,
      List<Tensor> oldDirs,
      List<Tensor> oldStps,
      List<Double> ro,
      Double hDiag,
      Tensor prevFlatGrad,
      Double prevLoss) {}

  /** Hyper-parameters of LBFGS. */
  public static final class Options extends OptimizerOptions<Config, Options> {
    private int maxIter = 20;
    private Integer maxEval;
    private double toleranceGrad = 1e-7;
    private double toleranceChange = 1e-9;
    private int historySize = 100;
    private String lineSearchFn;

    private Options() {
      super(1);
    }

    /** Iterations per {@code step} (default 20). */
    public Options maxIter(int v) {
      maxIter = v;
      return this;
    }

    /** Closure evaluations per {@code step} (default {@code maxIter * 5 / 4}). */
    public Options maxEval(int v) {
      maxEval = v;
      return this;
    }

    /** Stop when the largest gradient component is at most this (default 1e-7). */
    public Options toleranceGrad(double v) {
      toleranceGrad = v;
      return this;
    }

    /** Stop when the step or the loss change is below this (default 1e-9). */
    public Options toleranceChange(double v) {
      toleranceChange = v;
      return this;
    }

    /** Number of curvature pairs kept (default 100). */
    public Options historySize(int v) {
      historySize = v;
      return this;
    }

    /** {@code "strong_wolfe"} or null for fixed steps of {@code lr} (the default). */
    public Options lineSearchFn(String v) {
      lineSearchFn = v;
      return this;
    }

    @Override
    public Config build() {
      return new Config(
          lr,
          maxIter,
          maxEval != null ? maxEval : maxIter * 5 / 4,
          toleranceGrad,
          toleranceChange,
          historySize,
          lineSearchFn);
    }
  }

  /** PyTorch's defaults: lr 1, 20 iterations, history 100, no line search. */
  public static Options options() {
    return new Options();
  }

  /** LBFGS over one group of {@code params} with PyTorch's defaults ({@link #options()}). */
  public LBFGS(Iterable<? extends Tensor> params) {
    this(params, options());
  }

  /** LBFGS over one group of {@code params} with {@code options}. */
  public LBFGS(Iterable<? extends Tensor> params, Options options) {
    this(single(params), options);
  }

  /** LBFGS over {@code groups}; what a group sets itself overrides {@code options}. */
  public LBFGS(List<ParamGroup> groups, Options options) {
    this(groups, options.build());
  }

  /** LBFGS over {@code groups}; what a group sets itself overrides the validated {@code config}. */
  public LBFGS(List<ParamGroup> groups, Config config) {
    super("LBFGS", groups, config, State.class);
    if (groups.size() != 1) {
      throw new IllegalArgumentException(
          "LBFGS doesn't support per-parameter options (parameter groups)");
    }
  }

  @Override
  public void addParamGroup(ParamGroup group) {
    if (!paramGroups().isEmpty()) {
      throw new IllegalArgumentException(
          "LBFGS doesn't support per-parameter options (parameter groups)");
    }
    super.addParamGroup(group);
  }

  @Override
  protected void update(ParamGroup group) {
    throw new IllegalArgumentException(
        "LBFGS.step: a closure that re-evaluates the loss is required");
  }

  // ---------------------------------------------------------------- flat-vector helpers

  private Tensor gatherFlatGrad() {
    List<Tensor> views = new ArrayList<>();
    for (Tensor p : params()) {
      views.add(p.grad() == null ? Tensor.zerosLike(p).reshape(-1) : p.grad().detach().reshape(-1));
    }
    return Tensor.cat(views, 0);
  }

  /** θ += stepSize · update, with {@code update} split over the parameters. */
  private void addGrad(double stepSize, Tensor update) {
    int offset = 0;
    for (Tensor p : params()) {
      int n = p.numel();
      p.addInPlace(update.narrow(0, offset, n).reshape(p.shape()), stepSize);
      offset += n;
    }
  }

  private List<Tensor> cloneParams() {
    List<Tensor> out = new ArrayList<>();
    for (Tensor p : params()) out.add(p.detach().clone());
    return out;
  }

  private void setParams(List<Tensor> values) {
    for (int i = 0; i < values.size(); i++) params().get(i).copyFrom(values.get(i));
  }

  private static double dot(Tensor a, Tensor b) {
    return a.mul(b).sum().item();
  }

  private static double absMax(Tensor a) {
    return a.abs().max().item();
  }

  private static Tensor evaluate(Closure closure) {
    try (var on = GradMode.enableGrad()) {
      Tensor loss = closure.call();
      if (loss == null)
        throw new IllegalArgumentException(
            "LBFGS.step: the closure returned null instead of the loss");
      return loss;
    }
  }

  /** Loss and flat gradient at θ + t·d; θ is restored afterwards. */
  private record Eval(double f, Tensor g) {}

  private Eval directionalEvaluate(Closure closure, List<Tensor> x, double t, Tensor d) {
    addGrad(t, d);
    double f = evaluate(closure).item();
    Tensor g = gatherFlatGrad();
    setParams(x);
    return new Eval(f, g);
  }

  // ---------------------------------------------------------------- the step

  @Override
  public Tensor step(Closure closure) {
    if (closure == null) {
      throw new IllegalArgumentException(
          "LBFGS.step: a closure that re-evaluates the loss is required");
    }
    Config c = paramGroups().get(0).config(Config.class);
    double lr = c.lr(), tolGrad = c.toleranceGrad(), tolChange = c.toleranceChange();
    int maxIter = c.maxIter(), maxEval = c.maxEval(), historySize = c.historySize();
    String lineSearch = c.lineSearchFn();

    Tensor first = params().get(0);
    State st = state(first, State.class);
    if (st == null) st = new State(0, 0, null, null, null, null, null, null, null, null);
    int funcEvals = st.funcEvals(), totalIter = st.nIter();

    Tensor origLoss = evaluate(closure);
    try (var off = GradMode.noGrad()) {
      double loss = origLoss.item();
      int currentEvals = 1;
      funcEvals++;

      Tensor flatGrad = gatherFlatGrad();
      if (absMax(flatGrad) <= tolGrad) {
        setState(
            first,
            new State(
                funcEvals,
                totalIter,
                st.d(),
                st.t(),
                st.oldDirs(),
                st.oldStps(),
                st.ro(),
                st.hDiag(),
                st.prevFlatGrad(),
                st.prevLoss()));
        return origLoss;
      }

      Tensor d = st.d();
      double t = st.t() == null ? 0 : st.t();
      List<Tensor> oldDirs = st.oldDirs() == null ? null : new ArrayList<>(st.oldDirs());
      List<Tensor> oldStps = st.oldStps() == null ? null : new ArrayList<>(st.oldStps());
      List<Double> ro = st.ro() == null ? null : new ArrayList<>(st.ro());
      double hDiag = st.hDiag() == null ? 1 : st.hDiag();
      Tensor prevFlatGrad = st.prevFlatGrad();
      double prevLoss = st.prevLoss() == null ? Double.NaN : st.prevLoss();

      int nIter = 0;
      while (nIter < maxIter) {
        nIter++;
        totalIter++;

        // direction
        if (totalIter == 1) {
          d = flatGrad.neg();
          oldDirs = new ArrayList<>();
          oldStps = new ArrayList<>();
          ro = new ArrayList<>();
          hDiag = 1;
        } else {
          Tensor y = flatGrad.sub(prevFlatGrad);
          Tensor s = d.mul(t);
          double ys = dot(y, s);
          if (ys > 1e-10) {
            if (oldDirs.size() == historySize) {
              oldDirs.remove(0);
              oldStps.remove(0);
              ro.remove(0);
            }
            oldDirs.add(y);
            oldStps.add(s);
            ro.add(1.0 / ys);
            hDiag = ys / dot(y, y);
          }
          // two-loop recursion: d = −H·g with the implicit inverse-Hessian approximation
          int numOld = oldDirs.size();
          double[] al = new double[numOld];
          Tensor q = flatGrad.neg();
          for (int i = numOld - 1; i >= 0; i--) {
            al[i] = dot(oldStps.get(i), q) * ro.get(i);
            q = q.add(oldDirs.get(i).mul(-al[i]));
          }
          Tensor r = q.mul(hDiag);
          for (int i = 0; i < numOld; i++) {
            double beI = dot(oldDirs.get(i), r) * ro.get(i);
            r = r.add(oldStps.get(i).mul(al[i] - beI));
          }
          d = r;
        }
        prevFlatGrad = flatGrad.clone();
        prevLoss = loss;

        // step length
        t = totalIter == 1 ? Math.min(1.0, 1.0 / flatGrad.abs().sum().item()) * lr : lr;
        double gtd = dot(flatGrad, d);
        if (gtd > -tolChange) break;

        int lsEvals = 0;
        boolean optCond = false;
        if (lineSearch != null) {
          List<Tensor> xInit = cloneParams();
          WolfeResult w =
              strongWolfe(closure, xInit, t, d, loss, flatGrad, gtd, 1e-4, 0.9, tolChange, 25);
          loss = w.f;
          flatGrad = w.g;
          t = w.t;
          lsEvals = w.evals;
          addGrad(t, d);
          optCond = absMax(flatGrad) <= tolGrad;
        } else {
          addGrad(t, d);
          if (nIter != maxIter) {
            // re-evaluate only when another iteration follows (stochastic settings gain nothing)
            loss = evaluate(closure).item();
            flatGrad = gatherFlatGrad();
            optCond = absMax(flatGrad) <= tolGrad;
            lsEvals = 1;
          }
        }
        currentEvals += lsEvals;
        funcEvals += lsEvals;

        if (nIter == maxIter) break;
        if (currentEvals >= maxEval) break;
        if (optCond) break;
        if (absMax(d.mul(t)) <= tolChange) break;
        if (Math.abs(loss - prevLoss) < tolChange) break;
      }

      setState(
          first,
          new State(
              funcEvals, totalIter, d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss));
    }
    return origLoss;
  }

  // ---------------------------------------------------------------- line search

  /**
   * Minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to the bounds
   * (default: the interval between the points); the midpoint when the cubic has none.
   */
  static double cubicInterpolate(
      double x1,
      double f1,
      double g1,
      double x2,
      double f2,
      double g2,
      double xminBound,
      double xmaxBound) {
    double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
    double d2Square = d1 * d1 - g1 * g2;
    if (d2Square >= 0) {
      double d2 = Math.sqrt(d2Square);
      double minPos =
          x1 <= x2
              ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
              : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
      return pyMin(pyMax(minPos, xminBound), xmaxBound);
    }
    return (xminBound + xmaxBound) / 2;
  }

  static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2) {
    return x1 <= x2
        ? cubicInterpolate(x1, f1, g1, x2, f2, g2, x1, x2)
        : cubicInterpolate(x1, f1, g1, x2, f2, g2, x2, x1);
  }

  // Python's min/max keep the first argument unless the second compares strictly better, which
  // also decides what a NaN does; Math.min/max would differ on NaN and on -0.0.
  private static double pyMax(double a, double b) {
    return b > a ? b : a;
  }

  private static double pyMin(double a, double b) {
    return b < a ? b : a;
  }

  private record WolfeResult(double f, Tensor g, double t, int evals) {}

  private WolfeResult strongWolfe(
      Closure closure,
      List<Tensor> x,
      double t,
      Tensor d,
      double f,
      Tensor g,
      double gtd,
      double c1,
      double c2,
      double tolChange,
      int maxLs) {
    double dNorm = absMax(d);
    g = g.clone();
    Eval e = directionalEvaluate(closure, x, t, d);
    double fNew = e.f;
    Tensor gNew = e.g;
    int evals = 1;
    double gtdNew = dot(gNew, d);

    double tPrev = 0, fPrev = f, gtdPrev = gtd;
    Tensor gPrev = g;
    boolean done = false;
    int lsIter = 0;
    double[] bracket = null, bracketF = null, bracketGtd = null;
    Tensor[] bracketG = null;
    while (lsIter < maxLs) {
      if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
        bracket = new double[] {tPrev, t};
        bracketF = new double[] {fPrev, fNew};
        bracketG = new Tensor[] {gPrev, gNew.clone()};
        bracketGtd = new double[] {gtdPrev, gtdNew};
        break;
      }
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        bracket = new double[] {t};
        bracketF = new double[] {fNew};
        bracketG = new Tensor[] {gNew};
        done = true;
        break;
      }
      if (gtdNew >= 0) {
        bracket = new double[] {tPrev, t};
        bracketF = new double[] {fPrev, fNew};
        bracketG = new Tensor[] {gPrev, gNew.clone()};
        bracketGtd = new double[] {gtdPrev, gtdNew};
        break;
      }
      // extrapolate
      double minStep = t + 0.01 * (t - tPrev);
      double maxStep = t * 10;
      double tmp = t;
      t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
      tPrev = tmp;
      fPrev = fNew;
      gPrev = gNew.clone();
      gtdPrev = gtdNew;
      e = directionalEvaluate(closure, x, t, d);
      fNew = e.f;
      gNew = e.g;
      evals++;
      gtdNew = dot(gNew, d);
      lsIter++;
    }
    if (lsIter == maxLs) {
      bracket = new double[] {0, t};
      bracketF = new double[] {f, fNew};
      bracketG = new Tensor[] {g, gNew};
      bracketGtd = new double[] {gtd, gtdNew};
    }

    // zoom: shrink the bracket until a point satisfies the strong Wolfe conditions
    boolean insufProgress = false;
    int lowPos = bracketF[0] <= bracketF[bracketF.length - 1] ? 0 : 1;
    int highPos = 1 - lowPos;
    while (!done && lsIter < maxLs) {
      if (Math.abs(bracket[1] - bracket[0]) * dNorm < tolChange) break;
      t =
          cubicInterpolate(
              bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);

      // a trial point too close to the bracket's ends makes little progress; move it inwards
      double bMax = Math.max(bracket[0], bracket[1]), bMin = Math.min(bracket[0], bracket[1]);
      double eps = 0.1 * (bMax - bMin);
      if (Math.min(bMax - t, t - bMin) < eps) {
        if (insufProgress || t >= bMax || t <= bMin) {
          t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
          insufProgress = false;
        } else {
          insufProgress = true;
        }
      } else {
        insufProgress = false;
      }

      e = directionalEvaluate(closure, x, t, d);
      fNew = e.f;
      gNew = e.g;
      evals++;
      gtdNew = dot(gNew, d);
      lsIter++;

      if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]) {
        bracket[highPos] = t;
        bracketF[highPos] = fNew;
        bracketG[highPos] = gNew.clone();
        bracketGtd[highPos] = gtdNew;
        lowPos = bracketF[0] <= bracketF[1] ? 0 : 1;
        highPos = 1 - lowPos;
      } else {
        if (Math.abs(gtdNew) <= -c2 * gtd) {
          done = true;
        } else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0) {
          bracket[highPos] = bracket[lowPos];
          bracketF[highPos] = bracketF[lowPos];
          bracketG[highPos] = bracketG[lowPos];
          bracketGtd[highPos] = bracketGtd[lowPos];
        }
        bracket[lowPos] = t;
        bracketF[lowPos] = fNew;
        bracketG[lowPos] = gNew.clone();
        bracketGtd[lowPos] = gtdNew;
      }
    }
    return new WolfeResult(bracketF[lowPos], bracketG[lowPos], bracket[lowPos], evals);
  }
}
