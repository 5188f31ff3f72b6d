package org.jgrad.examples.exercises;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RunContext;
import org.jgrad.optim.Adam;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.SGD;
import org.jgrad.tensor.Tensor;

/**
 * Exercise 1: a 1-D loss with a local minimum at x = 1 and a bump of height h behind it. Plain
 * gradient descent gets caught in a cycle; Adam's momentum carries it over bumps up to a height
 * found here by bisection.
 */
public final class BumpGdAdam implements Exercise {
  static final double LR = 0.3;
  static final int MAX_STEPS = 400;

  @Override
  public String name() {
    return "bump-gd-adam";
  }

  @Override
  public String title() {
    return "Gradient descent vs Adam on a loss with a bump";
  }

  /**
   * loss(x) = 1 − x up to x = 1; x − 1 on (1, 1+h); 2h + 1 − x on (1+h, 1+2h); then −0.3·(x − 1 −
   * 2h). Built from {@code where}, so autograd gives the slopes −1, +1, −1, −0.3.
   */
  static Tensor loss(Tensor x, double h) {
    Tensor down = x.neg().add(1);
    Tensor up = x.sub(1);
    Tensor back = x.neg().add(2 * h + 1);
    Tensor tail = x.sub(1 + 2 * h).mul(-0.3);
    return Tensor.where(
        x.le(1), down, Tensor.where(x.le(1 + h), up, Tensor.where(x.le(1 + 2 * h), back, tail)));
  }

  /**
   * One trajectory: x, g, and (for Adam) m, v, m̂, v̂ per step, read from the optimizer's state.
   */
  record Trace(List<double[]> rows, boolean crossed, double furthest) {}

  static Trace run(double h, boolean adam, int steps) {
    Tensor x = Tensor.of(new double[] {0}).requiresGrad(true);
    Optimizer opt =
        adam
            ? new Adam(List.of(x), Adam.options().lr(LR).betas(0.9, 0.999).eps(1e-8))
            : new SGD(List.of(x), LR);
    List<double[]> rows = new ArrayList<>();
    double furthest = 0;
    boolean crossed = false;
    for (int t = 1; t <= steps; t++) {
      double before = x.item();
      opt.zeroGrad();
      Tensor l = loss(x, h).sum();
      l.backward();
      double g = x.grad().item();
      opt.step();
      double after = x.item();
      furthest = Math.max(furthest, after);
      if (adam) {
        Map<String, Object> st = opt.stateOf(x);
        double m = ((Tensor) st.get("expAvg")).item(), v = ((Tensor) st.get("expAvgSq")).item();
        double mHat = m / (1 - Math.pow(0.9, t)), vHat = v / (1 - Math.pow(0.999, t));
        rows.add(new double[] {t, before, g, m, v, mHat, vHat, after});
      } else {
        rows.add(new double[] {t, before, g, after});
      }
      if (after > 1 + 2 * h) {
        crossed = true;
        break;
      }
    }
    return new Trace(rows, crossed, furthest);
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    double hDemo = 0.5;
    r.paragraph(
        "Loss: 1 − x down to the local minimum at x = 1, a bump of height h and width 2h (slopes +1, −1), "
            + "then slope −0.3 for ever. Both optimizers start at x = 0 with learning rate 0.3, using jgrad's autograd "
            + "(the loss is built with `where`) and jgrad's `SGD` and `Adam`.");

    // Plain gradient descent.
    Trace gd = run(hDemo, false, 12);
    r.heading("Gradient descent (h = " + hDemo + ")");
    List<List<Object>> rows = new ArrayList<>();
    for (double[] row : gd.rows()) rows.add(List.of((int) row[0], row[1], row[2], row[3]));
    r.table(List.of("step", "x", "g = dL/dx", "x after"), rows);
    double[] last = gd.rows().get(gd.rows().size() - 1);
    double[] prev = gd.rows().get(gd.rows().size() - 2);
    String cycle =
        String.format(
            Locale.ROOT, "%.4f ↔ %.4f", Math.min(last[3], prev[3]), Math.max(last[3], prev[3]));
    r.paragraph(
        "Each step moves x by exactly 0.3 against the sign of the slope, so once x reaches 0.9 the next step "
            + "lands at 1.2 on the rising side of the bump and is sent back: gradient descent is caught in the 2-cycle "
            + cycle
            + " and never leaves the local minimum, whatever the bump's height (as long as h > 0.2).");
    ctx.metrics().put("gd_cycle", List.of(Math.min(last[3], prev[3]), Math.max(last[3], prev[3])));

    // Adam, step by step.
    Trace adam = run(hDemo, true, 25);
    r.heading("Adam (h = " + hDemo + "), first steps");
    rows = new ArrayList<>();
    for (double[] row : adam.rows()) {
      rows.add(List.of((int) row[0], row[1], row[2], row[3], row[4], row[5], row[6]));
    }
    r.table(List.of("step", "x", "g", "m", "v", "m̂", "v̂"), rows);
    r.paragraph(
        adam.crossed()
            ? "With h = "
                + hDemo
                + " Adam crosses the bump: m̂ stays positive while the slope is +1 "
                + "because it still remembers the earlier −1 slopes, and v̂ ≈ 1 keeps the step near the learning rate."
            : "With h = " + hDemo + " Adam does not cross within 25 steps.");

    // Bisection for the largest bump Adam crosses.
    double lo = 0.0, hi = 4.0;
    if (!run(lo + 1e-6, true, MAX_STEPS).crossed()) lo = 0;
    int iters = ctx.quick() ? 20 : 40;
    for (int i = 0; i < iters && hi - lo > 1e-6; i++) {
      double mid = (lo + hi) / 2;
      if (run(mid, true, MAX_STEPS).crossed()) lo = mid;
      else hi = mid;
    }
    double maxH = lo;
    Trace below = run(maxH - 1e-4, true, MAX_STEPS);
    Trace above = run(maxH + 1e-4, true, MAX_STEPS);
    r.heading("Largest bump Adam crosses");
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Bisection over h in [0, 4] (%d halvings, success = x passes 1 + 2h within %d "
                + "steps) gives **h = %.4f**. Just above it (h = %.4f) Adam turns back; the furthest x it reaches is %.4f "
                + "(the top of the bump is at %.4f).",
            iters,
            MAX_STEPS,
            maxH,
            maxH + 1e-4,
            above.furthest(),
            1 + maxH + 1e-4));
    ctx.metrics().put("adam_max_h", Math.round(maxH * 1e4) / 1e4);
    ctx.metrics().put("adam_furthest_x_when_failing", above.furthest());

    Map<String, double[][]> xs = new LinkedHashMap<>(), ms = new LinkedHashMap<>();
    for (var e :
        Map.of(
                String.format(Locale.ROOT, "h=%.4f (crosses)", maxH - 1e-4),
                below,
                String.format(Locale.ROOT, "h=%.4f (fails)", maxH + 1e-4),
                above)
            .entrySet()) {
      List<double[]> rr = e.getValue().rows().subList(0, Math.min(80, e.getValue().rows().size()));
      double[] step = rr.stream().mapToDouble(a -> a[0]).toArray();
      xs.put(
          "x, " + e.getKey(), new double[][] {step, rr.stream().mapToDouble(a -> a[7]).toArray()});
      ms.put(
          "m, " + e.getKey(), new double[][] {step, rr.stream().mapToDouble(a -> a[3]).toArray()});
      ms.put(
          "m̂, " + e.getKey(), new double[][] {step, rr.stream().mapToDouble(a -> a[5]).toArray()});
    }
    Plots.lines(
        ctx.file("adam_x.png"), "Adam: x against step near the threshold", "step", "x", xs, false);
    Plots.lines(
        ctx.file("adam_m.png"), "Adam: m and bias-corrected m̂", "step", "value", ms, false);
    r.image("adam_x.png", "x per step for h just below and just above the threshold");
    r.image("adam_m.png", "m and m̂ per step for the same two runs");
    List<double[]> ab = above.rows();
    Csv.write(
        ctx.file("adam_fail.csv"),
        List.of("step", "x", "g", "m", "v", "m_hat", "v_hat", "x_after"),
        transpose(ab));
    Csv.write(
        ctx.file("adam_cross.csv"),
        List.of("step", "x", "g", "m", "v", "m_hat", "v_hat", "x_after"),
        transpose(below.rows()));
    ctx.log("adam_max_h = %.4f, furthest x when failing = %.4f", maxH, above.furthest());
  }

  static List<double[]> transpose(List<double[]> rows) {
    List<double[]> cols = new ArrayList<>();
    int w = rows.isEmpty() ? 0 : rows.get(0).length;
    for (int c = 0; c < w; c++) {
      double[] col = new double[rows.size()];
      for (int i = 0; i < rows.size(); i++) col[i] = rows.get(i)[c];
      cols.add(col);
    }
    return cols;
  }
}
