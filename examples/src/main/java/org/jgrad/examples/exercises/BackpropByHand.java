package org.jgrad.examples.exercises;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.RunContext;
import org.jgrad.tensor.Tensor;

/**
 * Exercise 10: one gradient-descent step on a 2-2-1 network (sigmoid hidden units, linear output,
 * mean squared error), with every partial derivative computed twice: by the chain rule written out
 * below, and by jgrad's autograd.
 */
public final class BackpropByHand implements Exercise {
  static final double[][] X = {{1, 1}, {0, -2}, {-1, 1}};
  static final double[] T = {-1, 1, 1};

  @Override
  public String name() {
    return "backprop-by-hand";
  }

  @Override
  public String title() {
    return "Backpropagation by hand on a 2-2-1 network, checked against autograd";
  }

  /**
   * Network parameters: hidden biases b[k], hidden weights w[k][j], output bias c, output weights
   * v[k].
   */
  record Params(double[] b, double[][] w, double c, double[] v) {
    Params copy() {
      return new Params(b.clone(), new double[][] {w[0].clone(), w[1].clone()}, c, v.clone());
    }
  }

  static Params initial() {
    return new Params(
        new double[] {0.4, 0.7},
        new double[][] {{0.2, -1.2}, {-0.7, -0.7}},
        0.4,
        new double[] {-0.5, 2.3});
  }

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /** Forward values per sample: z[n][k], h[n][k], y[n]. */
  record Forward(double[][] z, double[][] h, double[] y, double loss) {}

  static Forward forward(Params p) {
    int n = X.length;
    double[][] z = new double[n][2], h = new double[n][2];
    double[] y = new double[n];
    double loss = 0;
    for (int s = 0; s < n; s++) {
      for (int k = 0; k < 2; k++) {
        z[s][k] = p.b()[k] + p.w()[k][0] * X[s][0] + p.w()[k][1] * X[s][1];
        h[s][k] = sigmoid(z[s][k]);
      }
      y[s] = p.c() + p.v()[0] * h[s][0] + p.v()[1] * h[s][1];
      loss += (y[s] - T[s]) * (y[s] - T[s]) / n;
    }
    return new Forward(z, h, y, loss);
  }

  /** The chain rule, written out: returns gradients in the Params layout. */
  static Params chainRule(Params p, Forward f) {
    int n = X.length;
    double[] db = new double[2], dv = new double[2];
    double[][] dw = new double[2][2];
    double dc = 0;
    for (int s = 0; s < n; s++) {
      double dy = 2 * (f.y()[s] - T[s]) / n; // dL/dy_s for the mean of squared errors
      dc += dy; // y = c + ...
      for (int k = 0; k < 2; k++) {
        dv[k] += dy * f.h()[s][k]; // y = ... + v_k h_k
        double dh = dy * p.v()[k]; // dL/dh_k
        double dz = dh * f.h()[s][k] * (1 - f.h()[s][k]); // sigmoid' = h(1-h)
        db[k] += dz;
        dw[k][0] += dz * X[s][0];
        dw[k][1] += dz * X[s][1];
      }
    }
    return new Params(db, dw, dc, dv);
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    Params p = initial();
    Forward f = forward(p);
    var r = ctx.report();
    r.paragraph(
        "Hidden unit k computes h_k = sigmoid(b_k + w_k1 x1 + w_k2 x2); the output is "
            + "y = c + v_1 h_1 + v_2 h_2; the loss is the mean of (y - t)^2 over the three samples; one full-batch "
            + "gradient-descent step with learning rate 1.");
    r.heading("Forward pass");
    List<List<Object>> rows = new ArrayList<>();
    for (int s = 0; s < X.length; s++) {
      rows.add(
          List.of(
              s + 1,
              X[s][0],
              X[s][1],
              T[s],
              f.z()[s][0],
              f.h()[s][0],
              f.z()[s][1],
              f.h()[s][1],
              f.y()[s],
              f.y()[s] - T[s]));
    }
    r.table(List.of("sample", "x1", "x2", "t", "z1", "h1", "z2", "h2", "y", "y - t"), rows);
    r.paragraph(String.format(java.util.Locale.ROOT, "Loss before the step: **%.6f**.", f.loss()));

    Params hand = chainRule(p, f);

    // The same network in jgrad, float64, parameters as leaves.
    Tensor b = Tensor.of(p.b().clone()).requiresGrad(true);
    Tensor w =
        Tensor.of(new double[] {p.w()[0][0], p.w()[0][1], p.w()[1][0], p.w()[1][1]}, 2, 2)
            .requiresGrad(true);
    Tensor c = Tensor.of(new double[] {p.c()}).requiresGrad(true);
    Tensor v = Tensor.of(p.v().clone()).requiresGrad(true);
    Tensor x = Tensor.of(new double[] {1, 1, 0, -2, -1, 1}, 3, 2);
    Tensor t = Tensor.of(T.clone());
    Tensor h = x.matmul(w.t()).add(b).sigmoid();
    Tensor y = h.matmul(v).add(c);
    Tensor loss = y.sub(t).square().mean();
    loss.backward();

    double[] gb = b.grad().toDoubleArray(),
        gw = w.grad().toDoubleArray(),
        gv = v.grad().toDoubleArray();
    double gc = c.grad().item();
    String[] names = {
      "b1",
      "w11 (x1->h1)",
      "w12 (x2->h1)",
      "b2",
      "w21 (x1->h2)",
      "w22 (x2->h2)",
      "c",
      "v1 (h1->y)",
      "v2 (h2->y)"
    };
    double[] byHand = {
      hand.b()[0],
      hand.w()[0][0],
      hand.w()[0][1],
      hand.b()[1],
      hand.w()[1][0],
      hand.w()[1][1],
      hand.c(),
      hand.v()[0],
      hand.v()[1]
    };
    double[] byAutograd = {gb[0], gw[0], gw[1], gb[1], gw[2], gw[3], gc, gv[0], gv[1]};
    double[] values = {
      p.b()[0],
      p.w()[0][0],
      p.w()[0][1],
      p.b()[1],
      p.w()[1][0],
      p.w()[1][1],
      p.c(),
      p.v()[0],
      p.v()[1]
    };
    double maxDiff = 0;
    List<List<Object>> grads = new ArrayList<>();
    Map<String, Object> after = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(byHand[i] - byAutograd[i]));
      double updated = values[i] - 1.0 * byHand[i];
      grads.add(List.of(names[i], values[i], byHand[i], byAutograd[i], updated));
      after.put(names[i].split(" ")[0], updated);
    }
    r.heading("Partial derivatives");
    r.table(
        List.of("parameter", "value", "dL/dp (chain rule)", "dL/dp (autograd)", "after step"),
        grads);
    r.paragraph(
        String.format(java.util.Locale.ROOT, "Largest difference between the two: %.3e.", maxDiff));
    if (maxDiff > 1e-12)
      throw new IllegalStateException("chain rule and autograd disagree by " + maxDiff);

    // The step, on the jgrad tensors (as an optimizer would), and the loss afterwards.
    try (var ng = GradMode.noGrad()) {
      for (Tensor param : List.of(b, w, c, v)) param.subInPlace(param.grad());
    }
    Tensor lossAfterT;
    try (var ng = GradMode.noGrad()) {
      lossAfterT = x.matmul(w.t()).add(b).sigmoid().matmul(v).add(c).sub(t).square().mean();
    }
    Params next =
        new Params(
            new double[] {values[0] - byHand[0], values[3] - byHand[3]},
            new double[][] {
              {values[1] - byHand[1], values[2] - byHand[2]},
              {values[4] - byHand[4], values[5] - byHand[5]}
            },
            values[6] - byHand[6],
            new double[] {values[7] - byHand[7], values[8] - byHand[8]});
    double lossAfter = forward(next).loss();
    if (Math.abs(lossAfter - lossAfterT.item()) > 1e-12) {
      throw new IllegalStateException(
          "loss after the step differs between hand and jgrad: "
              + lossAfter
              + " vs "
              + lossAfterT.item());
    }
    r.heading("After one step");
    r.paragraph(
        String.format(
            java.util.Locale.ROOT,
            "Loss before: %.6f; loss after: **%.6f** (%s).",
            f.loss(),
            lossAfter,
            lossAfter < f.loss()
                ? "the step reduced the loss"
                : "the step did not reduce the loss: learning rate 1 overshoots"));
    sigmaPrimeVariant(ctx, p, f, lossAfter);
    ctx.metrics().put("loss_before", f.loss());
    ctx.metrics().put("loss_after", lossAfter);
    ctx.metrics().put("weights_after", after);
    ctx.metrics().put("max_grad_difference", maxDiff);
    ctx.log(
        "loss %.6f -> %.6f, chain rule vs autograd max diff %.2e", f.loss(), lossAfter, maxDiff);
  }

  /**
   * The coursework's variant: dL/dy multiplied by sigma'(y) = sigma(y)(1 - sigma(y)) at the output,
   * as if the output unit were a sigmoid although it is linear. {@code scale} is the factor of (y -
   * t) in dL/dy: 2/n for the mean of squared errors (ours), 1 for half their sum, 2 for their sum.
   */
  static Params sigmaPrimeStep(Params p, double scale, boolean multiplyBySigmaPrime) {
    Forward f = forward(p);
    double[] db = new double[2], dv = new double[2];
    double[][] dw = new double[2][2];
    double dc = 0;
    for (int s = 0; s < X.length; s++) {
      double y = f.y()[s];
      double dy = scale * (y - T[s]);
      if (multiplyBySigmaPrime) dy *= sigmoid(y) * (1 - sigmoid(y));
      dc += dy;
      for (int k = 0; k < 2; k++) {
        dv[k] += dy * f.h()[s][k];
        double dz = dy * p.v()[k] * f.h()[s][k] * (1 - f.h()[s][k]);
        db[k] += dz;
        dw[k][0] += dz * X[s][0];
        dw[k][1] += dz * X[s][1];
      }
    }
    return new Params(
        new double[] {p.b()[0] - db[0], p.b()[1] - db[1]},
        new double[][] {
          {p.w()[0][0] - dw[0][0], p.w()[0][1] - dw[0][1]},
          {p.w()[1][0] - dw[1][0], p.w()[1][1] - dw[1][1]}
        },
        p.c() - dc,
        new double[] {p.v()[0] - dv[0], p.v()[1] - dv[1]});
  }

  /** The coursework's post-update loss: the value the comparison below is about. */
  static final double COURSEWORK_LOSS_AFTER = 0.478;

  private static void sigmaPrimeVariant(RunContext ctx, Params p, Forward f, double oursAfter) {
    var r = ctx.report();
    r.heading("The coursework's variant: sigma' at the linear output");
    int n = X.length;
    double[] scales = {2.0 / n, 1, 2};
    String[] gradNames = {
      "mean of squared errors, dL/dy = (2/n)(y - t) (ours)",
      "half the sum, dL/dy = (y - t)",
      "the sum, dL/dy = 2(y - t)"
    };
    List<List<Object>> rows = new ArrayList<>();
    double nearest = Double.NaN, nearestGap = Double.POSITIVE_INFINITY;
    String nearestWhere = "";
    Map<String, Object> variant = new LinkedHashMap<>();
    for (int i = 0; i < scales.length; i++) {
      for (boolean sp : new boolean[] {false, true}) {
        double sse = 0;
        Forward g = forward(sigmaPrimeStep(p, scales[i], sp));
        for (int s = 0; s < n; s++) sse += (g.y()[s] - T[s]) * (g.y()[s] - T[s]);
        double[] measured = {sse / n, sse / 2, sse / (2 * n), sse};
        rows.add(
            List.of(
                gradNames[i],
                sp ? "yes" : "no",
                measured[0],
                measured[1],
                measured[2],
                measured[3]));
        String[] lossNames = {"mean", "half sum", "half mean", "sum"};
        if (sp) {
          variant.put(
              String.format(Locale.ROOT, "scale_%.4g", scales[i]),
              Map.of("mean", measured[0], "half_mean", measured[2]));
          for (int j = 0; j < measured.length; j++) {
            double gap = Math.abs(measured[j] - COURSEWORK_LOSS_AFTER);
            if (gap < nearestGap) {
              nearestGap = gap;
              nearest = measured[j];
              nearestWhere =
                  "gradient of "
                      + gradNames[i].split(",")[0]
                      + ", loss reported as the "
                      + lossNames[j];
            }
          }
        }
      }
    }
    Forward ours = forward(sigmaPrimeStep(p, 2.0 / n, true));
    double oursVariant = ours.loss();
    r.paragraph(
        "Multiplying dL/dy by the sigmoid's derivative sigma'(y) = sigma(y)(1 - sigma(y)) at the output, as "
            + "if the output unit were a sigmoid, is not the gradient of this network: its output is linear, so "
            + "dy/da = 1 and nothing multiplies dL/dy. The table makes the same one step (learning rate 1) with "
            + "and without that factor, for three ways of writing the squared-error loss, and measures the loss "
            + "after the step in four conventions.");
    r.table(
        List.of(
            "gradient of", "times sigma'(y)", "loss after: mean", "half sum", "half mean", "sum"),
        rows);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "With our loss (mean of squared errors) the correct step gives %.6f after the step (above) and the "
                + "sigma' variant %.6f: the extra factor, at most 0.25, shrinks the output's error signal, so "
                + "the learning-rate-1 step %s. The coursework reports %.3f; the nearest value in the table is "
                + "%.4f (%s), %s.",
            oursAfter,
            oursVariant,
            oursVariant < f.loss()
                ? "no longer overshoots and the loss falls from "
                    + fmt(f.loss())
                    + " to "
                    + fmt(oursVariant)
                : "still overshoots",
            COURSEWORK_LOSS_AFTER,
            nearest,
            nearestWhere,
            nearestGap < 5e-4
                ? "which matches it to three decimals"
                : String.format(
                    Locale.ROOT,
                    "%.4f away: the sigma' factor explains a loss that falls where ours rises, but we "
                        + "could not reproduce the third decimal (rounding in a hand computation is one "
                        + "possible cause; not checked)",
                    nearestGap)));
    ctx.metrics().put("loss_after_sigma_prime_variant", oursVariant);
    ctx.metrics().put("sigma_prime_variant_nearest_to_coursework", nearest);
    ctx.metrics().put("sigma_prime_variant", variant);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.6f", v);
  }
}
