package org.jgrad.examples.exercises;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.data.Batch;
import org.jgrad.data.DataLoader;
import org.jgrad.data.Example;
import org.jgrad.data.Splits;
import org.jgrad.data.Subset;
import org.jgrad.data.TensorDataset;
import org.jgrad.data.synthetic.Synthetic;
import org.jgrad.examples.models.Mlp;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.MSELoss;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.optim.EarlyStopping;
import org.jgrad.optim.SGD;
import org.jgrad.optim.lr.ReduceLROnPlateau;
import org.jgrad.tensor.Tensor;
import org.jgrad.train.Callback;
import org.jgrad.train.History;
import org.jgrad.train.Trainer;

/**
 * Exercise 13: regression of the surface f(x1, x2) = sin(πx1)·cos(πx2/2) on [−1, 1]² with an MLP
 * using batch norm, SGD with momentum 0.9, a 20% validation split and early stopping (patience 5);
 * test MSE and heat maps of the true surface, the prediction and the error.
 *
 * <pre>{@code
 * Main.runOne(new SurfaceRegression(), true, 0, Path.of("runs"));
 * }</pre>
 */
public final class SurfaceRegression implements Exercise {
  static final double NOISE = 0.05;
  static final int PATIENCE = 5;

  @Override
  public String name() {
    return "surface-regression";
  }

  @Override
  public String title() {
    return "2-D surface regression with batch norm, momentum and early stopping";
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    var r = ctx.report();
    int n = ctx.pick(1000, 4000),
        nTest = ctx.pick(500, 2000),
        maxEpochs = ctx.pick(40, 500),
        batch = 128;
    double lr = 0.01;
    int[] hidden = {64, 64};
    TensorDataset all = TensorDataset.of(Synthetic.surfaceRegression(n, NOISE, ctx.seed() + 21));
    TensorDataset test =
        TensorDataset.of(Synthetic.surfaceRegression(nTest, NOISE, ctx.seed() + 22));
    List<Subset<Example>> parts = Splits.randomSplit(all, new double[] {0.8, 0.2}, ctx.seed() + 23);
    Subset<Example> train = parts.get(0), val = parts.get(1);
    Batch valB = val.batch(range(val.size())), trainB = train.batch(range(train.size()));

    Tensor.manualSeed(ctx.seed());
    Sequential model = Mlp.of(2, hidden, 1, ReLU::new, true);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Target: f(x1, x2) = sin(πx1)·cos(πx2/2) on [−1, 1]², observed with "
                + "N(0, %.2f²) noise (`Synthetic.surfaceRegression`). %d points, split 80/20 into %d training and %d "
                + "validation points (`Splits.randomSplit`), and %d separate test points. Model: 2 → 64 → BatchNorm1d → ReLU "
                + "→ 64 → BatchNorm1d → ReLU → 1 (%d parameters). SGD (lr %.2f, momentum 0.9), batch %d, MSE loss, at most %d "
                + "epochs; `EarlyStopping` on the validation MSE with patience %d restores the best epoch's weights. In addition "
                + "`ReduceLROnPlateau` halves the learning rate after 2 epochs without a better validation MSE, so that the "
                + "noisy SGD steps shrink before early stopping ends the run. For comparison the same network without batch "
                + "norm is trained the same way.",
            NOISE,
            n,
            train.size(),
            val.size(),
            nTest,
            model.numParameters(),
            lr,
            batch,
            maxEpochs,
            PATIENCE));
    r.code(model.summary(1, 2));
    Batch testB = test.batch(range(test.size()));
    Fit fit = fit(ctx, model, train, valB, trainB, testB, lr, batch, maxEpochs);
    Tensor.manualSeed(ctx.seed());
    Fit plain =
        fit(
            ctx,
            Mlp.of(2, hidden, 1, ReLU::new, false),
            train,
            valB,
            trainB,
            testB,
            lr,
            batch,
            maxEpochs);
    boolean stopped = fit.stopped();
    int epoch = fit.epochs(), bestEpoch = fit.bestEpoch();
    double secs = fit.seconds(), testMse = fit.testMse();
    double[] tc = fit.trainCurve(), vc = fit.valCurve();

    // Heat maps on a regular grid, against the noiseless surface.
    int g = 41;
    double[] ticks = new double[g];
    for (int i = 0; i < g; i++) ticks[i] = -1 + 2.0 * i / (g - 1);
    float[] pts = new float[g * g * 2];
    for (int row = 0; row < g; row++) {
      for (int col = 0; col < g; col++) {
        pts[2 * (row * g + col)] = (float) ticks[col];
        pts[2 * (row * g + col) + 1] = (float) ticks[row];
      }
    }
    double[] pred;
    model.eval();
    try (var ng = GradMode.noGrad()) {
      pred = model.call(Tensor.of(pts, g * g, 2)).toDoubleArray();
    }
    double[][] truth = new double[g][g], predicted = new double[g][g], error = new double[g][g];
    double gridSse = 0, maxErr = 0;
    double[] cx = new double[g * g],
        cy = new double[g * g],
        ct = new double[g * g],
        cp = new double[g * g];
    for (int row = 0; row < g; row++) {
      for (int col = 0; col < g; col++) {
        int k = row * g + col;
        truth[row][col] = Synthetic.surfaceTarget(ticks[col], ticks[row]);
        predicted[row][col] = pred[k];
        error[row][col] = pred[k] - truth[row][col];
        gridSse += error[row][col] * error[row][col];
        maxErr = Math.max(maxErr, Math.abs(error[row][col]));
        cx[k] = ticks[col];
        cy[k] = ticks[row];
        ct[k] = truth[row][col];
        cp[k] = pred[k];
      }
    }
    double gridMse = gridSse / (g * g);
    // Truth and prediction share one colour scale so that equal colours mean equal heights; the
    // error map
    // gets a symmetric diverging scale so that 0 is white and the sign is visible.
    double lo = -1, hi = 1;
    for (double[] row : predicted)
      for (double v : row) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    double errMax = Math.max(1e-6, maxErr);
    Plots.heatmap(
        ctx.file("surface_true.png"),
        "True surface sin(πx1)·cos(πx2/2)",
        "x1",
        "x2",
        "f",
        ticks,
        ticks,
        truth,
        lo,
        hi,
        Plots.SEQUENTIAL);
    Plots.heatmap(
        ctx.file("surface_predicted.png"),
        "MLP prediction (same colour scale as the truth)",
        "x1",
        "x2",
        "prediction",
        ticks,
        ticks,
        predicted,
        lo,
        hi,
        Plots.SEQUENTIAL);
    Plots.heatmap(
        ctx.file("surface_error.png"),
        "Error: prediction − truth",
        "x1",
        "x2",
        "error",
        ticks,
        ticks,
        error,
        -errMax,
        errMax,
        Plots.DIVERGING);
    Csv.write(
        ctx.file("surface_grid.csv"),
        List.of("x1", "x2", "truth", "predicted"),
        List.of(cx, cy, ct, cp));
    double[] ep = new double[tc.length];
    for (int i = 0; i < ep.length; i++) ep[i] = i + 1;
    double[] ep2 = new double[plain.valCurve().length];
    for (int i = 0; i < ep2.length; i++) ep2[i] = i + 1;
    double[] epLong = ep.length >= ep2.length ? ep : ep2;
    double[] noiseFloor = new double[epLong.length];
    java.util.Arrays.fill(noiseFloor, NOISE * NOISE);
    Plots.lines(
        ctx.file("loss.png"),
        "Training and validation MSE per epoch",
        "epoch",
        "MSE (log scale)",
        Plots.series(
            "batch norm train",
            new double[][] {ep, tc},
            "batch norm validation",
            new double[][] {ep, vc},
            "no batch norm train",
            new double[][] {ep2, plain.trainCurve()},
            "no batch norm validation",
            new double[][] {ep2, plain.valCurve()},
            Plots.reference("noise variance"),
            new double[][] {epLong, noiseFloor}),
        true);
    Csv.write(
        ctx.file("loss.csv"),
        List.of("epoch", "train_mse", "val_mse", "train_mse_no_batchnorm", "val_mse_no_batchnorm"),
        List.of(epLong, tc, vc, plain.trainCurve(), plain.valCurve()));

    r.heading("Training");
    r.table(
        List.of(
            "model",
            "epochs run",
            "best epoch",
            "best validation MSE",
            "test MSE",
            "ended by",
            "time (s)"),
        List.of(fit.row("with batch norm"), plain.row("without batch norm")));
    r.paragraph(
        String.format(
            Locale.ROOT,
            "With batch norm: %s after %d epochs (%.1f s); the best validation MSE, "
                + "%.5f, was at epoch %d, and those weights were restored. Without batch norm the test MSE is %.5f, %s.",
            stopped ? "early stopping ended training" : "training hit the epoch limit",
            epoch,
            secs,
            fit.bestVal(),
            bestEpoch,
            plain.testMse(),
            plain.testMse() < testMse
                ? String.format(
                    Locale.ROOT,
                    "%.2f× lower; a likely reason is the noise "
                        + "that batch statistics add to every training step of a small regression network (a point's prediction in "
                        + "training mode depends on which other points share its batch)",
                    testMse / plain.testMse())
                : "no better than with batch norm"));
    r.image(
        "loss.png",
        "MSE per epoch (train dashed, validation solid); the dotted noise-variance line is the floor "
            + "for noisy targets");
    r.heading("Results");
    r.table(
        List.of("measure", "value"),
        List.of(
            List.of("test MSE (noisy targets, " + nTest + " points)", testMse),
            List.of("noise variance (floor of the test MSE)", NOISE * NOISE),
            List.of("grid MSE against the noiseless surface (41×41)", gridMse),
            List.of("largest |error| on the grid", maxErr),
            List.of("epochs run / best epoch", epoch + " / " + bestEpoch)));
    r.image("surface_true.png", "True surface");
    r.image("surface_predicted.png", "Predicted surface");
    r.image("surface_error.png", "Prediction minus truth");
    r.paragraph(
        String.format(
            Locale.ROOT,
            "The test MSE is %.2f× the noise variance: %s The error map shows where the "
                + "fit is worst; its largest absolute value is %.3f against a surface range of [−1, 1].",
            testMse / (NOISE * NOISE),
            testMse < 2 * NOISE * NOISE
                ? "most of what remains is the noise itself."
                : "the network has not yet captured the whole surface (more epochs or data would help).",
            maxErr));

    var m = ctx.metrics();
    m.put("test_mse", testMse);
    m.put("grid_mse", gridMse);
    m.put("best_val_mse", fit.bestVal());
    m.put("test_mse_no_batchnorm", plain.testMse());
    m.put("best_epoch", bestEpoch);
    m.put("epochs_run", epoch);
    m.put("early_stopped", stopped);
    m.put("epochs_run_no_batchnorm", plain.epochs());
    m.put("train_seconds", fit.seconds());
    m.put("train_seconds_no_batchnorm", plain.seconds());
  }

  /** How one training run went. */
  record Fit(
      double[] trainCurve,
      double[] valCurve,
      int epochs,
      int bestEpoch,
      double bestVal,
      boolean stopped,
      double seconds,
      double testMse) {
    List<Object> row(String label) {
      return List.of(
          label,
          epochs,
          bestEpoch,
          bestVal,
          testMse,
          stopped ? "early stopping" : "epoch limit",
          seconds);
    }
  }

  private static Fit fit(
      RunContext ctx,
      Sequential model,
      Subset<Example> train,
      Batch valB,
      Batch trainB,
      Batch testB,
      double lr,
      int batch,
      int maxEpochs) {
    SGD opt = new SGD(model.parameters(), SGD.options(lr).momentum(0.9));
    MSELoss mse = new MSELoss();
    EarlyStopping stopper =
        new EarlyStopping(EarlyStopping.Mode.MIN, PATIENCE, 0)
            .restoreBestWeights(model::stateDict, model::loadStateDict);
    // Halving the step when the validation loss stalls lets SGD settle below its own noise level
    // before
    // early stopping (patience 5) gives up; without it the run stops on the first noisy plateau.
    ReduceLROnPlateau plateau =
        new ReduceLROnPlateau(opt, ReduceLROnPlateau.options().factor(0.5).patience(2));
    DataLoader loader = DataLoader.builder(train).batchSize(batch).shuffle(ctx.seed() + 24).build();
    long t0 = System.nanoTime();
    History h =
        ctx.trainer(model, opt, mse::forward)
            .train(loader)
            .minBatchSize(2) // BatchNorm needs more than one value per channel in training mode
            .validation(List.of(valB))
            .evaluation(
                "train_eval_", List.of(trainB)) // the training MSE in eval mode, after the epoch
            .epochs(maxEpochs)
            .reduceLrOnPlateau(plateau, "val_loss")
            .earlyStopping(stopper, "val_loss")
            .callback(
                new Callback() {
                  @Override
                  public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
                    if (epoch % 5 == 0 || epoch == 1) {
                      ctx.log(
                          "epoch %d: train MSE %.5f, val MSE %.5f, lr %.2g",
                          epoch,
                          logs.get("train_eval_loss"),
                          logs.get("val_loss"),
                          plateau.getLastLr()[0]);
                    }
                  }
                })
            .build()
            .fit();
    int epoch = h.size();
    boolean stopped = stopper.shouldStop();
    if (stopped) ctx.log("epoch %d: early stop (val MSE %.5f)", epoch, h.last().get("val_loss"));
    double secs = (System.nanoTime() - t0) / 1e9;
    double[] trainCurve = h.column("train_eval_loss"), valCurve = h.column("val_loss");
    return new Fit(
        trainCurve,
        valCurve,
        epoch,
        stopper.bestEpoch() + 1,
        stopper.best(),
        stopped,
        secs,
        eval(model, mse, testB));
  }

  private static double eval(Sequential model, MSELoss mse, Batch b) {
    boolean was = model.isTraining();
    model.eval();
    try (var ng = GradMode.noGrad()) {
      return mse.forward(model.call(b.inputs()), b.targets()).item();
    } finally {
      model.train(was);
    }
  }

  static int[] range(int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) idx[i] = i;
    return idx;
  }
}
