package org.jgrad.train;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.Device;
import org.jgrad.data.Batch;
import org.jgrad.data.DataLoader;
import org.jgrad.nn.Module;
import org.jgrad.optim.ClipGrad;
import org.jgrad.optim.EarlyStopping;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.lr.LRScheduler;
import org.jgrad.optim.lr.ReduceLROnPlateau;
import org.jgrad.tensor.Tensor;

/**
 * The common training loop, so examples stay short: epochs over a training loader, evaluation on a
 * validation loader, metrics, a progress bar, a history written as CSV and PNG, a checkpoint of the
 * best model, learning-rate schedules, gradient clipping, early stopping and callbacks.
 *
 * <pre>{@code
 * Module model = new Sequential(new Linear(2, 32), new ReLU(), new Linear(32, 2));
 * Optimizer opt = new Adam(model.parameters(), 0.01);
 * History h = Trainer.builder(model, opt, new CrossEntropyLoss()::forward)
 *     .train(new DataLoader(trainSet, 32, true, 42))
 *     .validation(new DataLoader(valSet, 256))
 *     .metrics(Metric.accuracy())
 *     .epochs(30)
 *     .outputDir(Path.of("runs/moons"))        // history.csv, history.png, best.safetensors
 *     .build()
 *     .fit();
 * }</pre>
 *
 * <p>It uses only public API, and each epoch is the loop one would write by hand:
 *
 * <pre>{@code
 * model.train();
 * for (Batch b : trainLoader) {
 *   Tensor loss = opt.step(() -> {            // or: zeroGrad, forward, backward, step
 *     opt.zeroGrad();
 *     Tensor l = lossFn.apply(model.call(b.inputs()), b.targets());
 *     l.backward();
 *     return l;
 *   });
 * }
 * }</pre>
 *
 * <p>The optimizer is always stepped through a closure, so {@link org.jgrad.optim.LBFGS} works too.
 * Training metrics are computed on each batch's output before the update (as Keras does);
 * validation runs in eval mode without grad recording. The history's {@code lr} is group 0's rate
 * at the start of the epoch, {@code seconds} the epoch's wall time with evaluation and {@code
 * train_seconds} the time of the training pass alone.
 *
 * <p>Beyond the plain loop: {@link Builder#trainLoss} for a loss that needs more than the output
 * and the target (regularisation, a second network, inputs assembled per batch), {@link
 * Builder#evaluation} for further data sets evaluated after every epoch (the training set in eval
 * mode, a test set), {@link Builder#minBatchSize} to skip batches too small for batch norm, and
 * {@link Callback#onBatchEnd} for per-batch work.
 */
public final class Trainer {
  private final Module model;
  private final Optimizer optimizer;
  private final BiFunction<Tensor, Tensor, Tensor> lossFn;
  private final BatchLoss trainLoss;
  private final Iterable<Batch> train;
  private final Iterable<Batch> validation;
  private final Map<String, Iterable<Batch>> evaluations;
  private final int minBatchSize;
  private final List<Metric> metrics;
  private final int epochs;
  private final LRScheduler epochScheduler;
  private final LRScheduler batchScheduler;
  private final ReduceLROnPlateau plateau;
  private final String plateauMonitor;
  private final double clipNorm;
  private final EarlyStopping earlyStopping;
  private final String earlyStoppingMonitor;
  private final Path checkpoint;
  private final String checkpointMonitor;
  private final EarlyStopping.Mode checkpointMode;
  private final boolean restoreBest;
  private final Path outputDir;
  private final List<Callback> callbacks;
  private final ProgressBar progress;
  private final Device device;
  private final History history = new History();
  private volatile boolean stopRequested;
  private double bestMonitored = Double.NaN;
  private int bestEpoch = -1;
  private long lastPlot = System.nanoTime();

  private Trainer(Builder b) {
    this.model = b.model;
    this.optimizer = b.optimizer;
    this.lossFn = b.lossFn;
    this.trainLoss = b.trainLoss;
    this.evaluations = new LinkedHashMap<>(b.evaluations);
    this.minBatchSize = b.minBatchSize;
    if (b.train == null)
      throw new IllegalArgumentException("Trainer: no training data; call train(loader)");
    this.train = b.train;
    this.validation = b.validation;
    this.metrics = List.copyOf(b.metrics);
    this.epochs = b.epochs;
    this.epochScheduler = b.epochScheduler;
    this.batchScheduler = b.batchScheduler;
    this.plateau = b.plateau;
    this.plateauMonitor =
        b.plateauMonitor != null ? b.plateauMonitor : defaultMonitor(b.validation);
    this.clipNorm = b.clipNorm;
    this.earlyStopping = b.earlyStopping;
    this.earlyStoppingMonitor =
        b.earlyStoppingMonitor != null ? b.earlyStoppingMonitor : defaultMonitor(b.validation);
    this.outputDir = b.outputDir;
    Path ckpt = b.checkpoint;
    if (ckpt == null && outputDir != null && b.checkpointEnabled)
      ckpt = outputDir.resolve("best.safetensors");
    this.checkpoint = ckpt;
    this.checkpointMonitor =
        b.checkpointMonitor != null ? b.checkpointMonitor : defaultMonitor(b.validation);
    this.checkpointMode =
        b.checkpointMode != null
            ? b.checkpointMode
            : (checkpointMonitor.endsWith("loss")
                ? EarlyStopping.Mode.MIN
                : EarlyStopping.Mode.MAX);
    this.restoreBest = b.restoreBest;
    if (restoreBest && checkpoint == null) {
      throw new IllegalArgumentException(
          "Trainer: restoreBest needs a checkpoint file (checkpoint(...) or outputDir(...))");
    }
    this.callbacks = List.copyOf(b.callbacks);
    this.progress = new ProgressBar(b.out, b.progressMode);
    this.device = b.device;
  }

  private static String defaultMonitor(Iterable<Batch> validation) {
    return validation != null ? "val_loss" : "loss";
  }

  /**
   * Starts a trainer for {@code model}, stepping {@code optimizer} on {@code lossFn(output,
   * target)} (for example {@code new CrossEntropyLoss()::forward}).
   */
  public static Builder builder(
      Module model, Optimizer optimizer, BiFunction<Tensor, Tensor, Tensor> lossFn) {
    return new Builder(model, optimizer, lossFn);
  }

  /** Options of a {@link Trainer}. */
  public static final class Builder {
    private final Module model;
    private final Optimizer optimizer;
    private final BiFunction<Tensor, Tensor, Tensor> lossFn;
    private BatchLoss trainLoss;
    private Iterable<Batch> train;
    private Iterable<Batch> validation;
    private final Map<String, Iterable<Batch>> evaluations = new LinkedHashMap<>();
    private int minBatchSize = 1;
    private final List<Metric> metrics = new ArrayList<>();
    private int epochs = 10;
    private LRScheduler epochScheduler;
    private LRScheduler batchScheduler;
    private ReduceLROnPlateau plateau;
    private String plateauMonitor;
    private double clipNorm = Double.NaN;
    private EarlyStopping earlyStopping;
    private String earlyStoppingMonitor;
    private Path checkpoint;
    private boolean checkpointEnabled = true;
    private String checkpointMonitor;
    private EarlyStopping.Mode checkpointMode;
    private boolean restoreBest;
    private Path outputDir;
    private final List<Callback> callbacks = new ArrayList<>();
    private PrintStream out = System.out;
    private ProgressBar.Mode progressMode = ProgressBar.Mode.AUTO;
    private Device device;

    private Builder(Module model, Optimizer optimizer, BiFunction<Tensor, Tensor, Tensor> lossFn) {
      this.model = Objects.requireNonNull(model, "model");
      this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
      this.lossFn = Objects.requireNonNull(lossFn, "lossFn");
    }

    /**
     * The training batches; iterated once per epoch (a {@link DataLoader} reshuffles each time).
     */
    public Builder train(Iterable<Batch> loader) {
      this.train = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /** The validation batches, evaluated after every epoch (adds {@code val_*} columns). */
    public Builder validation(Iterable<Batch> loader) {
      this.validation = loader;
      return this;
    }

    /**
     * Replaces {@code lossFn(model(inputs), targets)} as the loss minimised on training batches;
     * {@code lossFn} still scores the validation and {@link #evaluation} sets. The trainer does not
     * see the model's output then, so the history has no training metrics (their validation columns
     * remain); the {@code loss} column is the mean of this loss.
     */
    public Builder trainLoss(BatchLoss loss) {
      this.trainLoss = Objects.requireNonNull(loss, "loss");
      return this;
    }

    /**
     * A further data set evaluated like the validation set after every epoch (after it), its
     * columns prefixed with {@code prefix}: {@code evaluation("train_eval_", trainAsOneBatch)}
     * gives {@code train_eval_loss} measured in eval mode after the epoch's updates.
     */
    public Builder evaluation(String prefix, Iterable<Batch> loader) {
      Objects.requireNonNull(loader, "loader");
      if (prefix == null
          || prefix.isEmpty()
          || prefix.equals("val_")
          || evaluations.containsKey(prefix)) {
        throw new IllegalArgumentException(
            "Trainer: evaluation prefix must be non-empty, not \"val_\" and unique, got \""
                + prefix
                + "\"");
      }
      evaluations.put(prefix, loader);
      return this;
    }

    /**
     * Skips training batches with fewer than {@code n} rows (batch norm needs two per channel in
     * training mode; a last batch of one would fail).
     */
    public Builder minBatchSize(int n) {
      if (n < 1)
        throw new IllegalArgumentException("Trainer: minBatchSize must be at least 1, got " + n);
      this.minBatchSize = n;
      return this;
    }

    /**
     * Metrics computed on training and validation batches besides the loss. Each instance is reset
     * and reused for the training pass, then for the validation pass.
     */
    public Builder metrics(Metric... ms) {
      for (Metric m : ms) metrics.add(Objects.requireNonNull(m, "metric"));
      return this;
    }

    public Builder epochs(int n) {
      if (n < 1) throw new IllegalArgumentException("Trainer: epochs must be at least 1, got " + n);
      this.epochs = n;
      return this;
    }

    /** A schedule stepped after every epoch (StepLR, CosineAnnealingLR, …). */
    public Builder scheduler(LRScheduler s) {
      this.epochScheduler = s;
      return this;
    }

    /** A schedule stepped after every batch (OneCycleLR, warm-up by iterations, …). */
    public Builder batchScheduler(LRScheduler s) {
      this.batchScheduler = s;
      return this;
    }

    /**
     * Reduces the rate on a plateau of {@code monitor} (default {@code val_loss}, or {@code loss}).
     */
    public Builder reduceLrOnPlateau(ReduceLROnPlateau p, String monitor) {
      this.plateau = p;
      this.plateauMonitor = monitor;
      return this;
    }

    /** Clips the gradients' global 2-norm to {@code maxNorm} before each step. */
    public Builder clipGradNorm(double maxNorm) {
      if (!(maxNorm > 0))
        throw new IllegalArgumentException(
            "Trainer: clipGradNorm must be positive, got " + maxNorm);
      this.clipNorm = maxNorm;
      return this;
    }

    /**
     * Stops when {@code es} says so, fed with {@code monitor} (default {@code val_loss}, or {@code
     * loss}). When {@code es} restores best weights ({@link EarlyStopping#restoreBestWeights}), the
     * model ends with them also when the epochs run out before it stops.
     */
    public Builder earlyStopping(EarlyStopping es, String monitor) {
      this.earlyStopping = es;
      this.earlyStoppingMonitor = monitor;
      return this;
    }

    /**
     * Saves the model ({@link Module#save}) to {@code file} whenever {@code monitor} reaches a new
     * best ({@code mode} MIN for losses, MAX for accuracies).
     */
    public Builder checkpoint(Path file, String monitor, EarlyStopping.Mode mode) {
      this.checkpoint = file;
      this.checkpointMonitor = monitor;
      this.checkpointMode = mode;
      this.checkpointEnabled = true;
      return this;
    }

    /** Turns off the default {@code best.safetensors} checkpoint of {@link #outputDir}. */
    public Builder noCheckpoint() {
      this.checkpoint = null;
      this.checkpointEnabled = false;
      return this;
    }

    /** Loads the best checkpoint back into the model when training ends. */
    public Builder restoreBest(boolean on) {
      this.restoreBest = on;
      return this;
    }

    /**
     * Writes {@code history.csv} there after every epoch and {@code history.png} at the end (and at
     * most once a minute during training), and (unless {@link #noCheckpoint()}) {@code
     * best.safetensors} monitoring {@code val_loss} (or {@code loss}).
     */
    public Builder outputDir(Path dir) {
      this.outputDir = dir;
      return this;
    }

    public Builder callback(Callback c) {
      callbacks.add(Objects.requireNonNull(c, "callback"));
      return this;
    }

    /** Where progress goes (default {@code System.out}) and how (default AUTO). */
    public Builder progress(PrintStream out, ProgressBar.Mode mode) {
      this.out = Objects.requireNonNull(out, "out");
      this.progressMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Moves each batch to {@code device} before the forward pass. */
    public Builder device(Device d) {
      this.device = d;
      return this;
    }

    public Trainer build() {
      return new Trainer(this);
    }
  }

  // ---------------------------------------------------------------- running

  public Module model() {
    return model;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  /** The epochs run so far. */
  public History history() {
    return history;
  }

  /** Ends training after the current epoch (callbacks call this). */
  public void stop() {
    stopRequested = true;
  }

  /** The best value of the checkpoint's monitored metric so far (NaN before the first epoch). */
  public double bestMonitored() {
    return bestMonitored;
  }

  /** The 1-based epoch of {@link #bestMonitored()}, or -1. */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** Runs the epochs and returns the history (also available from {@link #history()}). */
  public History fit() {
    stopRequested = false;
    for (Callback c : callbacks) c.onTrainBegin(this);
    int width = Integer.toString(epochs).length();
    for (int epoch = 1; epoch <= epochs && !stopRequested; epoch++) {
      for (Callback c : callbacks) c.onEpochBegin(this, epoch);
      long t0 = System.nanoTime();
      double lr = optimizer.paramGroups().get(0).lr();
      String label = String.format("Epoch %" + width + "d/%d", epoch, epochs);
      progress.start(label, sizeOf(train));

      Map<String, Double> logs = new LinkedHashMap<>();
      logs.put("epoch", (double) epoch);
      int batches = trainEpoch(epoch, logs);
      double trainSeconds = (System.nanoTime() - t0) / 1e9;
      if (validation != null) logs.putAll(evaluate(validation, "val_"));
      for (var e : evaluations.entrySet()) logs.putAll(evaluate(e.getValue(), e.getKey()));
      logs.put("lr", lr);
      logs.put("seconds", (System.nanoTime() - t0) / 1e9);
      logs.put("train_seconds", trainSeconds);
      history.add(logs);
      progress.finish(batches, logs);

      if (epochScheduler != null) epochScheduler.step();
      if (plateau != null) plateau.step(monitored(logs, plateauMonitor, "reduceLrOnPlateau"));
      saveIfBest(epoch, logs);
      writeOutputs(false);
      for (Callback c : callbacks) c.onEpochEnd(this, epoch, history.last());
      if (earlyStopping != null
          && earlyStopping.step(monitored(logs, earlyStoppingMonitor, "earlyStopping"))) {
        progress.message(
            "Early stopping after epoch "
                + epoch
                + ": best "
                + earlyStoppingMonitor
                + " "
                + ProgressBar.format(earlyStoppingMonitor, earlyStopping.best())
                + " at epoch "
                + (earlyStopping.bestEpoch() + 1));
        stopRequested = true;
      }
    }
    writeOutputs(true);
    // EarlyStopping restores its best weights itself when it stops; when the epochs ran out first,
    // do the same, so "restore best weights" holds however training ended.
    if (earlyStopping != null && !earlyStopping.shouldStop()) earlyStopping.restoreBest();
    if (restoreBest && checkpoint != null && bestEpoch > 0) {
      try {
        model.load(checkpoint);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Trainer: cannot reload the best checkpoint " + checkpoint, e);
      }
      progress.message(
          "Restored the weights of epoch "
              + bestEpoch
              + " ("
              + checkpointMonitor
              + " "
              + ProgressBar.format(checkpointMonitor, bestMonitored)
              + ")");
    }
    for (Callback c : callbacks) c.onTrainEnd(this, history);
    return history;
  }

  private int trainEpoch(int epoch, Map<String, Double> logs) {
    model.train(true);
    for (Metric m : metrics) m.reset();
    double lossSum = 0;
    long seen = 0;
    int batchIndex = 0;
    for (Batch raw : train) {
      if (raw.size() < minBatchSize) continue;
      Batch b = onDevice(raw);
      Tensor[] firstOutput = new Tensor[1];
      Tensor loss =
          optimizer.step(
              () -> {
                optimizer.zeroGrad();
                Tensor l;
                if (trainLoss != null) {
                  l = trainLoss.apply(model, b);
                } else {
                  Tensor out = model.call(b.inputs());
                  l = lossFn.apply(out, b.targets());
                  if (firstOutput[0] == null) firstOutput[0] = out.detach();
                }
                l.backward();
                if (!Double.isNaN(clipNorm)) ClipGrad.clipGradNorm(optimizer.params(), clipNorm);
                return l;
              });
      if (batchScheduler != null) batchScheduler.step();
      double l = loss.item();
      int n = b.size();
      lossSum += l * n;
      seen += n;
      if (firstOutput[0] != null) {
        try (var ng = GradMode.noGrad()) {
          for (Metric m : metrics) m.update(firstOutput[0], b.targets());
        }
      }
      batchIndex++;
      progress.update(batchIndex, lossSum / seen);
      for (Callback c : callbacks) c.onBatchEnd(this, epoch, batchIndex - 1, l);
    }
    if (seen == 0) {
      throw new IllegalStateException(
          "Trainer: the training loader produced no batches"
              + (minBatchSize > 1 ? " of at least minBatchSize " + minBatchSize + " rows" : ""));
    }
    logs.put("loss", lossSum / seen);
    if (trainLoss == null) for (Metric m : metrics) logs.put(m.name(), m.value());
    return batchIndex;
  }

  /** Loss and metrics of the model on {@code loader}, in eval mode without grad recording. */
  public Map<String, Double> evaluate(Iterable<Batch> loader) {
    return evaluate(loader, "");
  }

  private Map<String, Double> evaluate(Iterable<Batch> loader, String prefix) {
    List<Metric> ms = metrics;
    boolean wasTraining = model.isTraining();
    model.eval();
    for (Metric m : ms) m.reset();
    double lossSum = 0;
    long seen = 0;
    try (var ng = GradMode.noGrad()) {
      for (Batch raw : loader) {
        Batch b = onDevice(raw);
        Tensor out = model.call(b.inputs());
        int n = b.size();
        lossSum += lossFn.apply(out, b.targets()).item() * n;
        seen += n;
        for (Metric m : ms) m.update(out, b.targets());
      }
    } finally {
      model.train(wasTraining);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put(prefix + "loss", seen == 0 ? Double.NaN : lossSum / seen);
    for (Metric m : ms) out.put(prefix + m.name(), m.value());
    return out;
  }

  private Batch onDevice(Batch b) {
    if (device == null) return b;
    return new Batch(b.inputs().to(device), b.targets().to(device));
  }

  private static int sizeOf(Iterable<Batch> loader) {
    if (loader instanceof DataLoader d) return d.size();
    if (loader instanceof Collection<?> c) return c.size();
    return -1;
  }

  private double monitored(Map<String, Double> logs, String key, String who) {
    Double v = logs.get(key);
    if (v == null) {
      throw new IllegalArgumentException(
          "Trainer: "
              + who
              + " monitors '"
              + key
              + "', which is not among the epoch's "
              + "values "
              + logs.keySet());
    }
    return v;
  }

  private void saveIfBest(int epoch, Map<String, Double> logs) {
    if (checkpoint == null) return;
    double v = monitored(logs, checkpointMonitor, "checkpoint");
    boolean better =
        !Double.isNaN(v)
            && (Double.isNaN(bestMonitored)
                || (checkpointMode == EarlyStopping.Mode.MIN
                    ? v < bestMonitored
                    : v > bestMonitored));
    if (!better) return;
    bestMonitored = v;
    bestEpoch = epoch;
    try {
      model.save(checkpoint);
    } catch (IOException e) {
      throw new UncheckedIOException("Trainer: cannot write checkpoint " + checkpoint, e);
    }
  }

  /**
   * The CSV after every epoch; the PNG at the end and, while training, at most once a minute
   * (XChart needs about a second per drawing, seconds for the first).
   */
  private void writeOutputs(boolean end) {
    if (outputDir == null || history.size() == 0) return;
    try {
      history.writeCsv(outputDir.resolve("history.csv"));
      long now = System.nanoTime();
      if (end || now - lastPlot > 60_000_000_000L) {
        history.plot(outputDir.resolve("history.png"));
        lastPlot = System.nanoTime();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Trainer: cannot write the history to " + outputDir, e);
    }
  }
}
