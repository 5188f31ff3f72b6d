package org.jgrad.examples.exercises;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.examples.models.VisionTransformer;
import org.jgrad.examples.support.ClassifierRuns;
import org.jgrad.examples.support.Csv;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.MnistSource;
import org.jgrad.examples.support.Plots;
import org.jgrad.examples.support.RowBatches;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.MultiheadAttention;
import org.jgrad.optim.Adam;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Issue 13, item 9: scaled dot-product self-attention written out step by step (every shape
 * printed, single head then multi-head) and checked against {@link MultiheadAttention}; then a
 * Vision Transformer on MNIST in six configurations (embedding size, depth, heads, MLP size) with
 * test accuracy, parameters and training time.
 *
 * <pre>{@code
 * Main.runOne(new AttentionAndVit(), true, 0, Path.of("runs"));
 * }</pre>
 */
public final class AttentionAndVit implements Exercise {
  static final int BATCH = 64, PATCH = 7;
  static final int FULL_TRAIN = 60_000, FULL_EPOCHS = 5;

  /** One ViT configuration of the table. */
  public record Config(int dim, int depth, int heads, int mlp) {
    String label() {
      return dim + "/" + depth + "/" + heads + "/" + mlp;
    }
  }

  /** The six configurations: width, depth and heads varied one at a time around 64/2/4/128. */
  public static final List<Config> CONFIGS =
      List.of(
          new Config(32, 2, 4, 64),
          new Config(64, 1, 4, 128),
          new Config(64, 2, 4, 128),
          new Config(64, 2, 1, 128),
          new Config(64, 4, 4, 128),
          new Config(128, 2, 8, 256));

  @Override
  public String name() {
    return "attention-and-vit";
  }

  @Override
  public String title() {
    return "Self-attention step by step, and a Vision Transformer on MNIST";
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    walkThrough(ctx);
    vit(ctx);
  }

  // ------------------------------------------------------------------ walk-through

  private static String shape(Tensor t) {
    return Arrays.toString(t.shape());
  }

  /** Attention by hand for {@code heads} heads against MultiheadAttention; returns max |diff|. */
  static double[] byHand(MultiheadAttention mha, Tensor x, int heads, StringBuilder log) {
    int l = x.size(0), n = x.size(1), e = x.size(2), d = e / heads;
    Tensor w = mha.parameter("in_proj_weight"), b = mha.parameter("in_proj_bias");
    log.append(String.format(Locale.ROOT, "x (L, N, E)                 %s%n", shape(x)));
    log.append(String.format(Locale.ROOT, "in_proj_weight (3E, E)      %s%n", shape(w)));
    Tensor q = x.matmul(w.narrow(0, 0, e).t()).add(b.narrow(0, 0, e));
    Tensor k = x.matmul(w.narrow(0, e, e).t()).add(b.narrow(0, e, e));
    Tensor v = x.matmul(w.narrow(0, 2 * e, e).t()).add(b.narrow(0, 2 * e, e));
    log.append(String.format(Locale.ROOT, "Q = x Wq^T + bq (L, N, E)   %s%n", shape(q)));
    log.append(String.format(Locale.ROOT, "K = x Wk^T + bk (L, N, E)   %s%n", shape(k)));
    log.append(String.format(Locale.ROOT, "V = x Wv^T + bv (L, N, E)   %s%n", shape(v)));
    // [L, N, E] -> [N, heads, L, d]: each head sees its own d = E/heads columns.
    Tensor qh = q.transpose(0, 1).reshape(n, l, heads, d).transpose(1, 2);
    Tensor kh = k.transpose(0, 1).reshape(n, l, heads, d).transpose(1, 2);
    Tensor vh = v.transpose(0, 1).reshape(n, l, heads, d).transpose(1, 2);
    log.append(
        String.format(
            Locale.ROOT, "Q per head (N, h, L, d)     %s   d = E/h = %d%n", shape(qh), d));
    Tensor scores = qh.matmul(kh.transpose(2, 3)).div(Math.sqrt(d));
    log.append(String.format(Locale.ROOT, "scores = Q K^T / sqrt(d)    %s%n", shape(scores)));
    Tensor weights = scores.softmax(-1);
    log.append(
        String.format(
            Locale.ROOT, "weights = softmax(scores)   %s   rows sum to 1%n", shape(weights)));
    Tensor heads_ = weights.matmul(vh);
    log.append(String.format(Locale.ROOT, "weights V (N, h, L, d)      %s%n", shape(heads_)));
    Tensor concat = heads_.transpose(1, 2).reshape(n, l, e).transpose(0, 1);
    log.append(String.format(Locale.ROOT, "heads concatenated (L, N, E) %s%n", shape(concat)));
    Tensor out = mha.outProj().call(concat);
    log.append(String.format(Locale.ROOT, "output = out_proj(concat)   %s%n", shape(out)));
    MultiheadAttention.Output ref = mha.forward(x, x, x, null, true, null, true);
    Tensor avg = weights.mean(1);
    log.append(
        String.format(
            Locale.ROOT,
            "MultiheadAttention: output %s, weights averaged over heads %s%n",
            shape(ref.output()),
            shape(ref.weights())));
    double dOut = out.sub(ref.output()).abs().max().item();
    double dW = avg.sub(ref.weights()).abs().max().item();
    log.append(
        String.format(
            Locale.ROOT,
            "max |by hand - MultiheadAttention|: output %.3e, weights %.3e%n",
            dOut,
            dW));
    return new double[] {dOut, dW};
  }

  private static void walkThrough(RunContext ctx) {
    var r = ctx.report();
    r.heading("Self-attention step by step");
    r.paragraph(
        "A sequence of L = 4 tokens of size E = 8, batch N = 2, in PyTorch's (L, N, E) layout. The"
            + " projections use the weights of a `MultiheadAttention` module, then every step is"
            + " computed with plain tensor operations and the result is compared with the module's"
            + " own forward pass.");
    Map<String, Object> diffs = new LinkedHashMap<>();
    try (var ng = GradMode.noGrad()) {
      for (int heads : new int[] {1, 2}) {
        Tensor.manualSeed(ctx.seed() + heads);
        MultiheadAttention mha = new MultiheadAttention(8, heads);
        Tensor x = Tensor.randn(4, 2, 8);
        StringBuilder log = new StringBuilder();
        double[] d = byHand(mha, x, heads, log);
        r.paragraph(heads == 1 ? "**Single head** (h = 1):" : "**Multi-head** (h = 2):");
        r.code(log.toString());
        ctx.log(
            "attention by hand, %d head(s): max diff output %.2e, weights %.2e", heads, d[0], d[1]);
        diffs.put(
            heads == 1 ? "single_head" : "multi_head", Map.of("output", d[0], "weights", d[1]));
      }
    }
    ctx.metrics().put("walkthrough_max_abs_diff", diffs);
    double worst = 0;
    for (Object o : diffs.values()) {
      for (Object v : ((Map<?, ?>) o).values()) worst = Math.max(worst, ((Number) v).doubleValue());
    }
    r.paragraph(
        String.format(
            Locale.ROOT,
            "The hand-written steps %s `MultiheadAttention` (largest absolute difference %.2e%s).",
            worst < 1e-5 ? "reproduce" : "do NOT reproduce",
            worst,
            worst < 1e-5 ? ", float32 rounding" : ""));
  }

  // ------------------------------------------------------------------ ViT

  private static void vit(RunContext ctx) throws Exception {
    var r = ctx.report();
    r.heading("A Vision Transformer on MNIST");
    int nLoad = ctx.pick(160, Integer.getInteger("jgrad.vit.train", FULL_TRAIN));
    int nTest = ctx.pick(100, Integer.getInteger("jgrad.vit.test", 10_000));
    int epochs = ctx.pick(1, Integer.getInteger("jgrad.vit.epochs", FULL_EPOCHS));
    MnistSource.Split data = MnistSource.load(ctx, nLoad, nTest);
    int n = data.trainX().size(0), nVal = n / 10, nTrain = n - nVal;
    Tensor trX = data.trainX().narrow(0, 0, nTrain), trY = data.trainY().narrow(0, 0, nTrain);
    Tensor vaX = data.trainX().narrow(0, nTrain, nVal), vaY = data.trainY().narrow(0, nTrain, nVal);
    r.paragraph(
        String.format(
            Locale.ROOT,
            "Model: %d×%d patches of the 28×28 image (%d tokens) embedded by a convolution with"
                + " kernel = stride = %d, a learned class token, learned positional embeddings, a"
                + " pre-norm `TransformerEncoder` (GELU, no dropout, final layer norm) and a linear"
                + " head on the class token. Configurations are written dim/depth/heads/MLP dim."
                + " Training: %d images (%d more for validation), Adam (lr 1e-3), batch %d, %d"
                + " epoch(s) each, after a few untimed warm-up steps on a throwaway model; test: %d images.",
            PATCH,
            PATCH,
            (28 / PATCH) * (28 / PATCH),
            PATCH,
            nTrain,
            nVal,
            BATCH,
            epochs,
            data.testX().size(0)));
    List<List<Object>> rows = new ArrayList<>();
    List<Object> table = new ArrayList<>();
    Map<String, Object> acc = new LinkedHashMap<>(), params = new LinkedHashMap<>();
    Map<String, ClassifierRuns.Result> res = new LinkedHashMap<>();
    ClassifierRuns.warmUp(new VisionTransformer(28, PATCH, 1, 32, 1, 2, 32, 10), trX, trY, BATCH);
    for (Config c : CONFIGS) {
      Tensor.manualSeed(ctx.seed() * 100 + 3);
      VisionTransformer vit =
          new VisionTransformer(28, PATCH, 1, c.dim(), c.depth(), c.heads(), c.mlp(), 10);
      Adam opt = new Adam(vit.parameters(), Adam.options().lr(1e-3));
      var x =
          ClassifierRuns.train(
              ctx,
              "vit " + c.label(),
              vit,
              opt,
              RowBatches.shuffled(trX, trY, BATCH, new Generator(ctx.seed() + 5)),
              vaX,
              vaY,
              data.testX(),
              data.testY(),
              epochs);
      res.put(c.label(), x);
      rows.add(
          List.of(
              c.dim(),
              c.depth(),
              c.heads(),
              c.mlp(),
              x.testAccuracy(),
              x.params(),
              x.seconds(),
              x.secondsPerEpoch()));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("dim", c.dim());
      row.put("depth", c.depth());
      row.put("heads", c.heads());
      row.put("mlp_dim", c.mlp());
      row.put("test_accuracy", x.testAccuracy());
      row.put("params", x.params());
      row.put("train_seconds", x.seconds());
      table.add(row);
      acc.put(c.label(), x.testAccuracy());
      params.put(c.label(), x.params());
    }
    r.table(
        List.of(
            "dim",
            "depth",
            "heads",
            "MLP dim",
            "test accuracy",
            "parameters",
            "training time (s)",
            "s per epoch"),
        rows);
    double[] ep = ClassifierRuns.epochs(epochs);
    List<String> hdr = new ArrayList<>(List.of("epoch"));
    List<double[]> cols = new ArrayList<>(List.of(ep));
    Map<String, double[][]> curves = new LinkedHashMap<>();
    for (var e : res.entrySet()) {
      hdr.add(e.getKey().replace('/', '-') + "_val_acc");
      cols.add(e.getValue().valAccuracy());
      curves.put(e.getKey(), new double[][] {ep, e.getValue().valAccuracy()});
    }
    Csv.write(ctx.file("vit_curves.csv"), hdr, cols);
    plot(ctx.out(), curves);
    r.image("vit_accuracy.png", "ViT validation accuracy per epoch (dim/depth/heads/MLP dim)");
    r.paragraph(reading(res, data.testX().size(0), ctx.quick() || !data.real()));
    if (!ctx.quick() && (nLoad < FULL_TRAIN || epochs < FULL_EPOCHS)) {
      double full = FULL_TRAIN - FULL_TRAIN / 10, total = 0;
      for (var x : res.values()) total += x.secondsPerEpoch() / nTrain * full * FULL_EPOCHS;
      r.paragraph(
          String.format(
              Locale.ROOT,
              "**Reduced configuration.** This run used %d of the %d training images and %d of %d"
                  + " epochs (-Djgrad.vit.train / .epochs), because the full one does not finish on"
                  + " the shared 2-core machine it ran on. At the seconds per epoch measured here,"
                  + " the full configuration would take about %.0f s (%.1f h) for the six models.",
              nLoad,
              FULL_TRAIN,
              epochs,
              FULL_EPOCHS,
              total,
              total / 3600));
    }
    var m = ctx.metrics();
    m.put("vit_table", table);
    m.put("test_accuracy", acc);
    m.put("params", params);
    m.put("epochs", epochs);
    m.put("train_images", nTrain);
    m.put("real_mnist", data.real());
  }

  /** Which configuration wins, and what width, depth and heads each change by themselves. */
  static String reading(Map<String, ClassifierRuns.Result> res, int nTest, boolean small) {
    String best = null;
    for (var e : res.entrySet()) {
      if (best == null || e.getValue().testAccuracy() > res.get(best).testAccuracy())
        best = e.getKey();
    }
    double p = res.get(best).testAccuracy(), se = Math.sqrt(2 * p * (1 - p) / nTest);
    String ref = new Config(64, 2, 4, 128).label();
    double base = res.get(ref).testAccuracy();
    StringBuilder s =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "The best configuration is %s with %.2f%% test accuracy (%d parameters, %.1f s)."
                    + " Against the reference %s (%.2f%%), one change at a time: ",
                best,
                100 * p,
                res.get(best).params(),
                res.get(best).seconds(),
                ref,
                100 * base));
    List<String> parts = new ArrayList<>();
    for (var e : res.entrySet()) {
      if (e.getKey().equals(ref)) continue;
      double d = e.getValue().testAccuracy() - base;
      parts.add(
          String.format(
              Locale.ROOT,
              "%s %+.2f points (%s)",
              e.getKey(),
              100 * d,
              Math.abs(d) <= 2 * se ? "within two standard errors" : d > 0 ? "better" : "worse"));
    }
    s.append(String.join("; ", parts))
        .append(
            String.format(
                Locale.ROOT,
                ". A difference's standard error on %d test images is about %.2f points.",
                nTest,
                100 * se));
    if (small) s.append(" This is a quick run on a few hundred images; the ranking says little.");
    return s.toString();
  }

  private static void plot(Path dir, Map<String, double[][]> curves) throws IOException {
    Plots.lines(
        dir.resolve("vit_accuracy.png"),
        "ViT validation accuracy per epoch",
        "epoch",
        "validation accuracy",
        curves,
        false);
  }

  @Override
  public List<String> replot(Path dir) throws IOException {
    Map<String, double[]> csv = Csv.read(dir.resolve("vit_curves.csv"));
    double[] ep = csv.get("epoch");
    Map<String, double[][]> curves = new LinkedHashMap<>();
    for (var e : csv.entrySet()) {
      if (e.getKey().endsWith("_val_acc")) {
        String label = e.getKey().substring(0, e.getKey().length() - 8).replace('-', '/');
        curves.put(label, new double[][] {ep, e.getValue()});
      }
    }
    plot(dir, curves);
    return List.of("vit_accuracy.png");
  }
}
