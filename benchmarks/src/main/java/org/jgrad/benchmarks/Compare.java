package org.jgrad.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.Backends;
import org.jgrad.backend.Device;
import org.jgrad.backend.cpu.kernels.Gemm;
import org.jgrad.backend.cpu.kernels.Parallel;
import org.jgrad.json.Json;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * The jgrad side of {@code benchmarks/compare-pytorch.sh}: runs one group of workloads and prints
 * one JSON object per figure on stdout (the same format {@code compare_pytorch.py} prints for
 * PyTorch). The thread count is the library's ({@code -Djgrad.threads=N} or {@code
 * JGRAD_NUM_THREADS}).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Djgrad.threads=1 -cp benchmarks/target/benchmarks.jar \
 *     org.jgrad.benchmarks.Compare gemm            # also: conv, train mlp|cnn|autoencoder
 * </pre>
 *
 * Options: {@code --budget S} seconds of measurement per figure (default 1; the script passes
 * 0.75), {@code --epoch-cap S} stops a training epoch after S seconds and extrapolates (default
 * 120; the script passes 12), {@code --train-warmup S} the shortest warm-up before a timed epoch
 * (default 0; the script passes 3), {@code --quick} for a smoke run. Each figure is the median of
 * the repeats after a warm-up (see {@link #median}); a training epoch is timed once, after a
 * warm-up of at least 100 steps and {@code --train-warmup} seconds, at most 10 s (its steps and
 * time are reported too: on the JVM they include JIT compilation).
 */
public final class Compare {
  private Compare() {}

  private static double budget = 1.0;
  private static double epochCap = 120;
  private static double trainWarmup = 0;
  private static boolean quick;
  private static Device device = Device.CPU;
  private static java.nio.file.Path mnistDir;

  public static void main(String[] args) throws IOException {
    List<String> pos = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--budget" -> budget = Double.parseDouble(value(args, ++i, "--budget"));
        case "--epoch-cap" -> epochCap = Double.parseDouble(value(args, ++i, "--epoch-cap"));
        case "--train-warmup" ->
            trainWarmup = Double.parseDouble(value(args, ++i, "--train-warmup"));
        case "--quick" -> quick = true;
        case "--device" -> device = Device.of(value(args, ++i, "--device"));
        case "--mnist" -> mnistDir = Path.of(value(args, ++i, "--mnist"));
        default -> pos.add(args[i]);
      }
    }
    if (pos.isEmpty()) usage("no workload group given");
    // a device that cannot be used fails here, with the provider's reason
    if (!device.equals(Device.CPU)) Backends.backend(device);
    // stderr: stdout carries only the JSON lines that compare_pytorch.py parses.
    System.err.print(Backends.describe());
    switch (pos.get(0)) {
      case "gemm" -> gemm();
      case "conv" -> conv();
      case "train" -> {
        if (pos.size() != 2) usage("train needs one model name");
        train(pos.get(1));
      }
      case "lstm" -> lstm();
      case "info" ->
          emit(
              Map.of("suite", "info"),
              "java",
              System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
              "gemmKernel",
              Gemm.kernelName(),
              "backends",
              Backends.describe());
      default -> usage("unknown group '" + pos.get(0) + "'");
    }
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) usage(flag + " needs a value");
    return args[i];
  }

  private static void usage(String why) {
    System.err.println("Compare: " + why);
    System.err.println(
        "usage: Compare [--budget S] [--epoch-cap S] [--train-warmup S] [--quick]"
            + " [--device cpu|cuda] [--mnist DIR]"
            + " gemm | conv | train mlp|cnn|autoencoder | lstm | info");
    System.exit(2);
  }

  // ------------------------------------------------------------------ workloads

  private static void gemm() {
    List<Workloads.Gemm> cases = new ArrayList<>();
    for (int n : Workloads.GEMM_SQUARE) {
      if (quick && n > 512) continue;
      cases.add(new Workloads.Gemm("n=" + n, n, n, n));
    }
    cases.addAll(Workloads.GEMM_TRAINING);
    try (var ng = GradMode.noGrad()) {
      // Process warm-up: gets the GEMM kernels compiled before the first timed case (each case
      // warms up again).
      Tensor wa = Data.normal(90, 96, 200).to(device), wb = Data.normal(91, 200, 160).to(device);
      prewarm(() -> sync(wa.matmul(wb)));
      long seed = 1;
      for (Workloads.Gemm g : cases) {
        Tensor a = Data.normal(seed++, g.m(), g.k()).to(device);
        Tensor b = Data.normal(seed++, g.k(), g.n()).to(device);
        Timing s = median(() -> sync(a.matmul(b)));
        emit(
            figure("gemm", g.name(), "GFLOP/s", g.flops() / s.seconds() / 1e9),
            s.extra("ms", s.seconds() * 1e3));
      }
      if (device.equals(Device.CPU)) {
        // The kernel alone, into one output array reused by every call (PyTorch: torch.mm with
        // out=): a result allocated per call is a fresh JVM array, zeroed in memory the last
        // collection left cold, which the rows above include.
        seed = 1;
        for (Workloads.Gemm g : cases) {
          float[] a = Data.normal(seed++, g.m(), g.k()).toFloatArray();
          float[] b = Data.normal(seed++, g.k(), g.n()).toFloatArray();
          float[] c = new float[g.m() * g.n()];
          int m = g.m(), n = g.n(), k = g.k();
          Timing s =
              median(
                  () -> {
                    Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
                    return c;
                  });
          emit(
              figure("gemm into C", g.name(), "GFLOP/s", g.flops() / s.seconds() / 1e9),
              s.extra("ms", s.seconds() * 1e3));
        }
      }
    }
  }

  private static void conv() {
    // Process warm-up on a small conv (batch 4) so that the first timed shape does not pay for
    // compilation.
    Tensor px = Data.normal(92, 4, 8, 12, 12).to(device).requiresGrad(true),
        pw = Data.normal(93, 16, 8, 3, 3).to(device).requiresGrad(true);
    Tensor pb = Data.normal(94, 16).to(device).requiresGrad(true),
        pg = Data.normal(95, 4, 16, 12, 12).to(device);
    prewarm(
        () -> {
          F.conv2d(px, pw, pb, new int[] {1}, new int[] {1}, new int[] {1}, 1).backward(pg);
          return sync(pw.grad());
        });
    long seed = 100;
    for (Workloads.Conv c : Workloads.CONV) {
      Tensor x = Data.normal(seed++, c.n(), c.c(), c.h(), c.w()).to(device).requiresGrad(true);
      double bound = 1 / Math.sqrt(c.c() * c.k() * c.k());
      Tensor w =
          Data.uniform(seed++, c.o(), c.c(), c.k(), c.k())
              .mul(2 * bound)
              .sub(bound)
              .to(device)
              .requiresGrad(true);
      Tensor b =
          Data.uniform(seed++, c.o()).mul(2 * bound).sub(bound).to(device).requiresGrad(true);
      Tensor gy = Data.normal(seed++, c.n(), c.o(), c.outH(), c.outW()).to(device);
      int[] one = {1}, pad = {c.pad()};
      Timing both =
          median(
              () -> {
                x.zeroGrad();
                w.zeroGrad();
                b.zeroGrad();
                F.conv2d(x, w, b, one, pad, one, 1).backward(gy);
                return sync(w.grad());
              });
      emit(
          figure("conv fwd+bwd", c.name(), "ms", both.seconds() * 1e3),
          both.extra("GFLOP/s", 3 * c.forwardFlops() / both.seconds() / 1e9));
    }
  }

  private static void train(String model) throws IOException {
    int n = quick ? 4096 : Data.MNIST_TRAIN, bs = Workloads.BATCH;
    Tensor images, labels;
    String caseName = model;
    if (mnistDir != null) {
      // The real data set (same epoch, same order): only the values differ from random data.
      Tensor[] mnist = Data.mnistTrain(mnistDir);
      if (mnist == null) {
        System.err.println("Compare: no MNIST training files in " + mnistDir);
        System.exit(2);
      }
      n = Math.min(n, mnist[0].size(0));
      images = mnist[0].narrow(0, 0, n);
      labels = mnist[1].narrow(0, 0, n);
      caseName = model + " (MNIST)";
    } else {
      images = Data.uniform(7, n, Data.MNIST_PIXELS);
      labels = Data.labels(8, n, 10);
    }
    images = images.to(device);
    labels = labels.to(device);
    Models.Trainer t = Models.create(model, 42, device);
    int batches = (n + bs - 1) / bs;
    int warmup = 0;
    long w0 = System.nanoTime();
    // At least 100 steps and trainWarmup seconds: a step of the MLP or autoencoder takes 1-2 ms, so
    // 100 steps end long before C2 has compiled the step's kernels (JFR: samples in the Vector
    // API's Java fallbacks for the first seconds only), and the timed epoch would include that.
    for (double el = 0; (warmup < 100 || el < trainWarmup) && el < 10; warmup++) {
      int r = (warmup % batches) * bs, len = Math.min(bs, n - r);
      t.step(images.narrow(0, r, len), labels.narrow(0, r, len));
      el = (System.nanoTime() - w0) / 1e9;
    }
    double warmSecs = (System.nanoTime() - w0) / 1e9;
    // What the collector cost during the timed epoch: a JVM cost PyTorch does not have (its
    // allocator frees at once), visible in the raw JSON next to the time it is part of.
    long[] gc0 = gcTotals();
    long alloc0 = allocatedBytes();
    long t0 = System.nanoTime();
    int done = 0, samples = 0;
    double loss = Double.NaN;
    for (int i = 0; i < batches; i++) {
      int r = i * bs, len = Math.min(bs, n - r);
      Tensor l = t.step(images.narrow(0, r, len), labels.narrow(0, r, len));
      done++;
      samples += len;
      if (i == batches - 1) loss = l.item();
      if ((System.nanoTime() - t0) / 1e9 > epochCap && i < batches - 1) {
        loss = l.item();
        break;
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    long[] gc1 = gcTotals();
    long alloc1 = allocatedBytes();
    double perSec = samples / secs;
    emit(
        figure("train", caseName, "samples/s", perSec),
        "epochSeconds",
        n / perSec,
        "batchesTimed",
        done,
        "batches",
        batches,
        "partial",
        done < batches,
        "samples",
        n,
        "params",
        t.numParameters(),
        "finalLoss",
        loss,
        "warmupSteps",
        warmup,
        "warmupSeconds",
        warmSecs,
        "timedSeconds",
        secs,
        "gcPauses",
        gc1[0] - gc0[0],
        "gcMillis",
        gc1[1] - gc0[1],
        "allocatedMiBPerStep",
        alloc0 < 0 || alloc1 < 0 ? Double.NaN : (alloc1 - alloc0) / 1048576.0 / done);
    Runtime rt = Runtime.getRuntime();
    emit(
        figure("train peak RSS", caseName, "MiB", peakRssMiB()),
        "heapCommittedMiB",
        rt.totalMemory() / 1048576.0,
        "heapMaxMiB",
        rt.maxMemory() / 1048576.0);
  }

  /**
   * One LSTM training step (issue 16): {@code nn.LSTM(32, 128)} over a sequence of 50 steps, batch
   * 64 (input {@code [50, 64, 32]}), MSE of the output sequence against a fixed random target, Adam
   * lr 1e-3; the median milliseconds per step.
   */
  private static void lstm() {
    int seq = 50, batch = 64, in = 32, hidden = 128;
    Tensor.manualSeed(42);
    org.jgrad.nn.LSTM lstm = new org.jgrad.nn.LSTM(in, hidden);
    org.jgrad.optim.Adam opt =
        new org.jgrad.optim.Adam(lstm.parameters(), org.jgrad.optim.Adam.options().lr(1e-3));
    Tensor x = Data.normal(60, seq, batch, in), target = Data.normal(61, seq, batch, hidden);
    Work step =
        () -> {
          opt.zeroGrad();
          Tensor loss = F.mseLoss(lstm.forward(x), target);
          loss.backward();
          opt.step();
          return loss;
        };
    prewarm(step);
    Timing s = median(step);
    emit(
        figure("lstm step", "seq 50, batch 64, 32->128", "ms", s.seconds() * 1e3),
        s.extra("params", lstm.numParameters()));
  }

  // ------------------------------------------------------------------ timing and output

  /**
   * Waits for {@code t} to be computed: off the CPU, work is queued on the device, and reading one
   * element back waits for everything queued before it (one stream per device).
   */
  private static Tensor sync(Tensor t) {
    if (device.equals(Device.CPU)) return t;
    Tensor one = t;
    for (int d = 0; d < one.shape().length; d++) one = one.narrow(d, 0, 1);
    one.item();
    return t;
  }

  private interface Work {
    Object run();
  }

  /**
   * Runs {@code w} for 2 s and at least 50 times (at most 20 s), to let the JIT compile what it
   * calls.
   */
  private static void prewarm(Work w) {
    long s0 = System.nanoTime();
    for (int i = 0; ; i++) {
      sink = w.run();
      double spent = (System.nanoTime() - s0) / 1e9;
      if ((i >= 50 && spent >= 2) || spent >= 20) break;
    }
  }

  /**
   * A median over {@code reps} calls; {@code single} when one cold call was all there was time for.
   */
  private record Timing(double seconds, int reps, boolean single) {
    Object[] extra(Object... more) {
      Object[] e = Arrays.copyOf(more, more.length + 4);
      e[more.length] = "reps";
      e[more.length + 1] = reps;
      e[more.length + 2] = "singleCall";
      e[more.length + 3] = single;
      return e;
    }
  }

  /**
   * Median seconds of {@code w}. Warm-up: at least 10 calls and 2 s (half the budget if that is
   * longer; 0.25 s with {@code --quick}), but no more than 10 s (so a call that takes seconds is
   * warmed once). The count matters on the JVM: until C2 has compiled them, Vector API kernels run
   * hundreds of times slower, whatever the time spent; and at 2 threads the compiler has no idle
   * core, so the first figures of a process were still slow after half a budget (0.375 s). Then
   * repeats until the budget is spent and at least 3 ran (at most 200; a call longer than three
   * budgets ends it). A first call longer than five budgets and 10 s is the figure itself ({@code
   * single}): such a kernel is far from any target and repeating it only costs time.
   */
  private static Timing median(Work w) {
    double warm = Math.max(quick ? 0.25 : 2.0, budget / 2);
    long s0 = System.nanoTime();
    int calls = 0;
    while (true) {
      sink = w.run();
      calls++;
      double spent = (System.nanoTime() - s0) / 1e9;
      if (calls == 1 && spent > Math.max(10, 5 * budget)) return new Timing(spent, 1, true);
      if ((calls >= 10 && spent >= warm) || spent >= 10) break;
    }
    List<Double> times = new ArrayList<>();
    long m0 = System.nanoTime();
    while (times.size() < 200) {
      long a = System.nanoTime();
      sink = w.run();
      times.add((System.nanoTime() - a) / 1e9);
      double spent = (System.nanoTime() - m0) / 1e9;
      if (spent >= budget && times.size() >= 3) break;
      if (spent >= 3 * budget) break;
    }
    double[] v = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double med = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    return new Timing(med, v.length, false);
  }

  @SuppressWarnings("unused")
  private static volatile Object sink;

  /** Collections and their accumulated milliseconds so far, over all of the JVM's collectors. */
  private static long[] gcTotals() {
    long count = 0, millis = 0;
    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, millis};
  }

  /** Bytes the JVM's threads have allocated on the heap so far, or -1 where it does not count. */
  private static long allocatedBytes() {
    if (java.lang.management.ManagementFactory.getThreadMXBean()
        instanceof com.sun.management.ThreadMXBean t) {
      return t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()
          ? t.getTotalThreadAllocatedBytes()
          : -1;
    }
    return -1;
  }

  private static Map<String, Object> figure(String suite, String name, String unit, double value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("suite", suite);
    m.put("case", name);
    m.put("unit", unit);
    m.put("value", value);
    return m;
  }

  private static void emit(Map<String, Object> base, Object... extra) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("impl", device.equals(Device.CPU) ? "jgrad" : "jgrad-" + device.type());
    if (!device.equals(Device.CPU)) m.put("device", device.toString());
    m.put("threads", Parallel.threads());
    m.putAll(base);
    for (int i = 0; i + 1 < extra.length; i += 2) m.put((String) extra[i], extra[i + 1]);
    m.replaceAll(
        (k, v) -> v instanceof Double d && !Double.isFinite(d) ? null : v); // JSON has no NaN
    System.out.println(Json.write(m));
    System.out.flush();
  }

  /** Peak resident set size of this process (VmHWM), or -1 where /proc is not available. */
  static double peakRssMiB() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) return -1;
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmHWM:")) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]) / 1024.0;
      }
    }
    return -1;
  }
}
