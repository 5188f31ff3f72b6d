package org.jgrad.examples.support;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.jgrad.backend.Device;
import org.jgrad.json.Json;
import org.jgrad.nn.Module;
import org.jgrad.optim.Optimizer;
import org.jgrad.tensor.Tensor;
import org.jgrad.train.Callback;
import org.jgrad.train.ProgressBar;
import org.jgrad.train.Trainer;

/**
 * What an exercise gets: mode (quick or full), seed, its output folder, the report being written,
 * the metrics map that becomes {@code metrics.json}, and {@link #trainer} for the training loop.
 */
public final class RunContext {
  private final String name;
  private final boolean quick;
  private final long seed;
  private final Path out;
  private final Report report = new Report();
  private final Map<String, Object> metrics = new LinkedHashMap<>();
  private final PrintStream log;
  private final Device device;

  public RunContext(String name, boolean quick, long seed, Path out, PrintStream log)
      throws IOException {
    this(name, quick, seed, out, log, Device.CPU);
  }

  /**
   * @param device where an exercise that {@link Exercise#supportsDevice supports it} trains (the
   *     runner's {@code --device})
   */
  public RunContext(String name, boolean quick, long seed, Path out, PrintStream log, Device device)
      throws IOException {
    this.device = device;
    this.name = name;
    this.quick = quick;
    this.seed = seed;
    this.out = out;
    this.log = log;
    Files.createDirectories(out);
  }

  public String name() {
    return name;
  }

  /** The device models train on ({@code --device}; the CPU by default). */
  public Device device() {
    return device;
  }

  public boolean quick() {
    return quick;
  }

  public long seed() {
    return seed;
  }

  public Path out() {
    return out;
  }

  public Report report() {
    return report;
  }

  public Map<String, Object> metrics() {
    return metrics;
  }

  /** A file inside the exercise's output folder. */
  public Path file(String name) {
    return out.resolve(name);
  }

  /** Picks the quick or the full value. */
  public int pick(int quickValue, int fullValue) {
    return quick ? quickValue : fullValue;
  }

  /** A progress line on the console, prefixed with the exercise name. */
  public void log(String fmt, Object... args) {
    log.println("[" + name + "] " + String.format(java.util.Locale.ROOT, fmt, args));
    log.flush();
  }

  /**
   * A {@link Trainer} for an exercise: no progress bar, since exercises log their epochs through
   * {@link #log} (see {@link #logEpochs}), so that the console and CI logs stay one line per epoch.
   */
  public Trainer.Builder trainer(
      Module model, Optimizer optimizer, BiFunction<Tensor, Tensor, Tensor> lossFn) {
    Trainer.Builder b =
        Trainer.builder(model, optimizer, lossFn).progress(log, ProgressBar.Mode.OFF);
    // batches follow the model to the run's device (the exercise moved the model before building
    // its optimizer)
    return device.equals(Device.CPU) ? b : b.device(device);
  }

  /**
   * A callback that logs each epoch's mean training loss with {@code format} (epoch, epochs, loss).
   */
  public Callback logEpochs(String format, int epochs) {
    return new Callback() {
      @Override
      public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
        log(format, epoch, epochs, logs.get("loss"));
      }
    };
  }

  /** Writes report.md and metrics.json. */
  public void finish() throws IOException {
    report.write(out.resolve("report.md"));
    Files.writeString(out.resolve("metrics.json"), Json.writePretty(metrics, 6));
  }
}
