package org.jgrad.examples.exercises;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.jgrad.autograd.GradMode;
import org.jgrad.data.Batch;
import org.jgrad.data.io.TabularData;
import org.jgrad.data.metrics.Metrics;
import org.jgrad.examples.models.Mlp;
import org.jgrad.examples.support.RowBatches;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.CrossEntropyLoss;
import org.jgrad.nn.Identity;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.Sigmoid;
import org.jgrad.nn.Tanh;
import org.jgrad.optim.Adam;
import org.jgrad.optim.LBFGS;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.SGD;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * MLP classifiers on standardised tabular data for tabular-gridsearch and ard-feature-selection:
 * the solvers and activations of scikit-learn's {@code MLPClassifier}, a stratified
 * train/validation/test split, and standardisation with the training rows' statistics.
 */
final class TabularMlp {
  private TabularMlp() {}

  /** The solvers of the grid. */
  enum Solver {
    LBFGS("L-BFGS"),
    SGD("SGD"),
    ADAM("Adam");

    final String label;

    Solver(String label) {
      this.label = label;
    }
  }

  /** The activations of the grid. */
  enum Activation {
    RELU("ReLU", ReLU::new),
    TANH("tanh", Tanh::new),
    SIGMOID("sigmoid", Sigmoid::new),
    IDENTITY("identity", Identity::new);

    final String label;
    final Supplier<? extends Module> make;

    Activation(String label, Supplier<? extends Module> make) {
      this.label = label;
      this.make = make;
    }
  }

  /** Training settings shared by every configuration. */
  record Settings(int epochs, int batch, double sgdLr, double sgdMomentum, double adamLr) {
    String describe() {
      return String.format(
          Locale.ROOT,
          "cross-entropy loss; SGD: lr %s, momentum %s, batch %d, %d epochs; Adam: lr %s, batch %d, %d epochs; "
              + "L-BFGS: full batch, strong-Wolfe line search, history 10, one step of at most %d iterations",
          OptimizerComparison.trim(sgdLr),
          OptimizerComparison.trim(sgdMomentum),
          batch,
          epochs,
          OptimizerComparison.trim(adamLr),
          batch,
          epochs,
          epochs);
    }
  }

  /** Rows as tensors: float32 features [n, d], int64 labels [n]. */
  record Split(Tensor x, Tensor y, int[] labels) {
    int size() {
      return labels.length;
    }
  }

  /** Train, validation and test rows, standardised with the training rows' mean and deviation. */
  record Parts(Split train, Split val, Split test) {}

  /**
   * A stratified split: per class, {@code valFraction} and {@code testFraction} of its shuffled
   * rows (rounded) go to validation and test, the rest to training. Only the columns in {@code
   * features} are kept.
   */
  static Parts split(
      TabularData d, int[] features, double valFraction, double testFraction, Generator g) {
    int k = d.classNames().size();
    java.util.List<Integer> tr = new java.util.ArrayList<>(),
        va = new java.util.ArrayList<>(),
        te = new java.util.ArrayList<>();
    for (int c = 0; c < k; c++) {
      java.util.List<Integer> idx = new java.util.ArrayList<>();
      for (int i = 0; i < d.rows(); i++) if (d.labels()[i] == c) idx.add(i);
      long[] perm = Tensor.randperm(idx.size(), g).toLongArray();
      int nVal = (int) Math.round(idx.size() * valFraction),
          nTest = (int) Math.round(idx.size() * testFraction);
      for (int j = 0; j < perm.length; j++) {
        int row = idx.get((int) perm[j]);
        (j < nTest ? te : j < nTest + nVal ? va : tr).add(row);
      }
    }
    double[] mean = new double[features.length], sd = new double[features.length];
    for (int row : tr)
      for (int j = 0; j < features.length; j++) mean[j] += d.feature(row, features[j]) / tr.size();
    for (int row : tr)
      for (int j = 0; j < features.length; j++) {
        double e = d.feature(row, features[j]) - mean[j];
        sd[j] += e * e / tr.size();
      }
    for (int j = 0; j < sd.length; j++) sd[j] = Math.sqrt(sd[j]) > 1e-12 ? Math.sqrt(sd[j]) : 1;
    return new Parts(
        rows(d, tr, features, mean, sd),
        rows(d, va, features, mean, sd),
        rows(d, te, features, mean, sd));
  }

  private static Split rows(
      TabularData d, List<Integer> idx, int[] features, double[] mean, double[] sd) {
    int n = idx.size(), f = features.length;
    float[] x = new float[n * f];
    long[] y = new long[n];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int row = idx.get(i);
      for (int j = 0; j < f; j++)
        x[i * f + j] = (float) ((d.feature(row, features[j]) - mean[j]) / sd[j]);
      labels[i] = d.labels()[row];
      y[i] = labels[i];
    }
    return new Split(Tensor.of(x, n, f), Tensor.ofLongs(y, n), labels);
  }

  /** An MLP in → hidden… → classes with {@code act} after every hidden layer. */
  static Sequential model(int in, int[] hidden, int classes, Activation act) {
    return Mlp.of(in, hidden, classes, act.make, false);
  }

  /**
   * Trains {@code model} on {@code train} with {@code solver} through the exercise's {@link
   * org.jgrad.train.Trainer}; mini-batches are drawn from {@code g}. L-BFGS takes one full-batch
   * step of at most {@code epochs} iterations (the trainer steps it through a closure).
   */
  static void fit(
      RunContext ctx, Module model, Solver solver, Split train, Settings s, Generator g) {
    CrossEntropyLoss ce = new CrossEntropyLoss();
    Optimizer opt =
        switch (solver) {
          case LBFGS ->
              new LBFGS(
                  model.parameters(),
                  LBFGS
                      .options()
                      .lr(1)
                      .maxIter(s.epochs())
                      .historySize(10)
                      .lineSearchFn("strong_wolfe"));
          case SGD -> new SGD(model.parameters(), SGD.options(s.sgdLr()).momentum(s.sgdMomentum()));
          case ADAM -> new Adam(model.parameters(), Adam.options().lr(s.adamLr()));
        };
    Iterable<Batch> batches =
        solver == Solver.LBFGS
            ? List.of(new Batch(train.x(), train.y()))
            : RowBatches.shuffled(train.x(), train.y(), s.batch(), g);
    ctx.trainer(model, opt, ce::forward)
        .train(batches)
        .epochs(solver == Solver.LBFGS ? 1 : s.epochs())
        .build()
        .fit();
    model.eval();
  }

  /** Predicted class of each row. */
  static int[] predict(Module model, Split s) {
    try (var ng = GradMode.noGrad()) {
      return Metrics.predictions(model.call(s.x()));
    }
  }

  static double accuracy(Module model, Split s) {
    return Metrics.accuracy(s.labels(), predict(model, s));
  }
}
