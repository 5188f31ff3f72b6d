package org.jgrad.examples;

import static org.jgrad.testing.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jgrad.autograd.Function;
import org.jgrad.backend.DType;
import org.jgrad.backend.RawTensor;
import org.jgrad.data.Batch;
import org.jgrad.data.DataLoader;
import org.jgrad.data.TensorDataset;
import org.jgrad.data.datasets.Mnist;
import org.jgrad.data.synthetic.Synthetic;
import org.jgrad.nn.CrossEntropyLoss;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.functional.F;
import org.jgrad.optim.Adam;
import org.jgrad.optim.AdamW;
import org.jgrad.optim.Checkpoint;
import org.jgrad.optim.ClipGrad;
import org.jgrad.optim.Optimizer;
import org.jgrad.optim.lr.CosineAnnealingLR;
import org.jgrad.optim.lr.OneCycleLR;
import org.jgrad.tensor.Tensor;
import org.jgrad.testing.GradCheck;
import org.jgrad.train.History;
import org.jgrad.train.Metric;
import org.jgrad.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java snippets, compiled and run with assertions on what their comments claim.
 *
 * <p>Each README block preceded by {@code <!-- snippet:NAME -->} must equal, whitespace and line
 * breaks aside, the code between {@code // snippet:NAME} and {@code // end snippet:NAME} in this
 * file (several such regions are joined in order), and its imports must be imports of this file; a
 * block marked {@code <!-- snippet:not-run (why) -->} is exempt and says why. So the README cannot
 * drift from code that compiles and runs.
 */
class ReadmeSnippetsTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path SELF =
      Path.of("src", "test", "java", "org", "jgrad", "examples", "ReadmeSnippetsTest.java");

  @Test
  void firstLook() {
    Tensor.manualSeed(7);
    // snippet:first-look
    Tensor w = Tensor.randn(3, 2).requiresGrad(true);
    Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 3);
    Tensor loss = x.matmul(w).relu().sum();
    loss.backward();
    System.out.println(w.grad()); // tensor([[1., 1.], [2., 2.], [3., 3.]]) where the ReLU is open
    System.out.println(loss.gradFn()); // <SumBackward>
    // end snippet:first-look
    double[] h = x.matmul(w).toDoubleArray();
    float[] want = new float[6];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) want[i * 2 + j] = h[j] > 0 ? i + 1 : 0;
    }
    assertClose(Tensor.of(want, 3, 2), w.grad(), 0, 0);
    assertEquals("<SumBackward>", loss.gradFn().toString());
  }

  /**
   * Compiled only: it trains a full epoch of MNIST, which a unit test cannot download or afford.
   */
  @SuppressWarnings("unused")
  static void mnistLoop() throws IOException {
    // snippet:mnist-loop
    Module model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
    Optimizer opt = new Adam(model.parameters(), Adam.options().lr(1e-3));
    var lossFn = new CrossEntropyLoss();
    for (Batch b : new DataLoader(Mnist.train(), 64, true, 42)) {
      opt.zeroGrad();
      Tensor loss = lossFn.forward(model.call(b.inputs().flatten(1, -1)), b.targets());
      loss.backward();
      opt.step();
    }
    // end snippet:mnist-loop
  }

  @Test
  void trainingLoop() {
    Tensor.manualSeed(0);
    Batch all =
        new DataLoader(TensorDataset.of(Synthetic.twoMoons(256, 0.1, 1)), 256).iterator().next();
    // snippet:training-loop
    DataLoader loader =
        new DataLoader(TensorDataset.of(Synthetic.twoMoons(256, 0.1, 1)), 32, true, 42);
    Module model = new Sequential(new Linear(2, 32), new ReLU(), new Linear(32, 2));
    // end snippet:training-loop
    double before = new CrossEntropyLoss().forward(model.call(all.inputs()), all.targets()).item();
    // snippet:training-loop
    Optimizer opt = new AdamW(model.parameters(), AdamW.options().lr(1e-3).weightDecay(0.01));
    var sched = new CosineAnnealingLR(opt, 50);
    var lossFn = new CrossEntropyLoss();
    for (int epoch = 0; epoch < 50; epoch++) {
      model.train();
      for (Batch b : loader) {
        opt.zeroGrad();
        Tensor loss = lossFn.forward(model.call(b.inputs()), b.targets());
        loss.backward();
        ClipGrad.clipGradNorm(model.parameters(), 1.0);
        opt.step();
      }
      sched.step();
    }
    // end snippet:training-loop
    model.eval();
    Tensor logits = model.call(all.inputs());
    double after = lossFn.forward(logits, all.targets()).item();
    double accuracy = logits.argmax(1, false).eq(all.targets()).to(DType.FLOAT64).mean().item();
    assertTrue(after < 0.6 * before, "loss " + before + " -> " + after);
    // 400 small AdamW steps: well above chance (0.5), not yet past the ~0.87 of a linear boundary.
    assertTrue(accuracy > 0.75, "training accuracy " + accuracy);
    assertEquals(0.0, opt.paramGroups().get(0).lr(), 1e-12, "cosine schedule ends at eta_min = 0");
  }

  @Test
  void checkpoint(@TempDir Path tmp) throws IOException {
    Path cwd = tmp;
    Tensor.manualSeed(0);
    Batch b =
        new DataLoader(TensorDataset.of(Synthetic.twoMoons(64, 0.1, 1)), 64).iterator().next();
    Module model = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 2));
    Optimizer opt = new Adam(model.parameters(), Adam.options().lr(1e-2));
    var sched = new CosineAnnealingLR(opt, 10);
    var lossFn = new CrossEntropyLoss();
    int epoch = 2;
    for (int i = 0; i <= epoch; i++) {
      opt.zeroGrad();
      lossFn.forward(model.call(b.inputs()), b.targets()).backward();
      opt.step();
      sched.step();
    }
    Map<String, Tensor> saved = new LinkedHashMap<>();
    model.stateDict().forEach((k, v) -> saved.put(k, v.clone()));
    double savedLr = opt.paramGroups().get(0).lr();
    // The README writes runs/ckpt below the working directory; here that directory is a temp dir.
    Path dir = cwd.resolve(Path.of("runs", "ckpt"));
    // snippet:checkpoint
    Checkpoint.save(dir, model, opt, Map.of("scheduler", sched.stateDict(), "epoch", epoch));
    // end snippet:checkpoint
    opt.zeroGrad();
    lossFn.forward(model.call(b.inputs()), b.targets()).backward();
    opt.step();
    sched.step();
    // snippet:checkpoint
    // later, after building model, opt and sched the same way:
    Map<String, Object> extra = Checkpoint.load(dir, model, opt);
    sched.loadStateDict(Checkpoint.map(extra.get("scheduler")));
    int start = (Integer) extra.get("epoch") + 1;
    // end snippet:checkpoint
    assertEquals(3, start);
    model.stateDict().forEach((k, v) -> assertClose(saved.get(k), v, 0, 0));
    assertEquals(savedLr, opt.paramGroups().get(0).lr(), 0.0, "scheduler state restored");
  }

  @Test
  void trainer(@TempDir Path tmp) throws IOException {
    Path cwd = tmp;
    // snippet:trainer
    Path out = Path.of("runs", "two-moons");
    // end snippet:trainer
    out = cwd.resolve(out); // not the repository's runs/
    // snippet:trainer
    TensorDataset train = TensorDataset.of(Synthetic.twoMoons(1000, 0.2, 1));
    TensorDataset val = TensorDataset.of(Synthetic.twoMoons(300, 0.2, 2));
    Tensor.manualSeed(0);
    Module model =
        new Sequential(
            new Linear(2, 32), new ReLU(), new Linear(32, 32), new ReLU(), new Linear(32, 2));
    Optimizer opt = new AdamW(model.parameters(), AdamW.options().lr(0.01));
    DataLoader trainLoader = new DataLoader(train, 32, true, 42);

    History history =
        Trainer.builder(model, opt, new CrossEntropyLoss()::forward)
            .train(trainLoader)
            .validation(new DataLoader(val, 300))
            .metrics(Metric.accuracy())
            .epochs(20)
            .batchScheduler(
                new OneCycleLR(opt, OneCycleLR.options(0.02).epochs(20, trainLoader.size())))
            .outputDir(out) // history.csv, history.png, best.safetensors
            .restoreBest(true) // reload the epoch with the lowest val_loss at the end
            .build()
            .fit();
    // end snippet:trainer
    assertTrue(history.max("val_accuracy") > 0.95, history.last().toString());
    for (String f : List.of("history.csv", "history.png", "best.safetensors")) {
      assertTrue(Files.exists(out.resolve(f)), f + " not written");
    }
  }

  // snippet:custom-module
  class ScaledMlp extends Module {
    private final Linear fc1, fc2;

    ScaledMlp(int in, int hidden, int out) {
      fc1 = child("fc1", new Linear(in, hidden));
      fc2 = child("fc2", new Linear(hidden, out));
      param("scale", Tensor.ones(out)); // a learnable per-output gain
    }

    @Override
    public Tensor forward(Tensor x) {
      return fc2.call(F.relu(fc1.call(x))).mul(parameter("scale"));
    }
  }

  // end snippet:custom-module

  @Test
  void customModule() {
    // snippet:custom-module
    ScaledMlp model = new ScaledMlp(4, 16, 3);
    Tensor logits = model.call(Tensor.randn(8, 4)); // shape [8, 3]
    System.out.println(
        model.namedParameters().keySet()); // [scale, fc1.weight, fc1.bias, fc2.weight, fc2.bias]
    // end snippet:custom-module
    assertArrayEquals(new int[] {8, 3}, logits.shape());
    assertEquals(
        List.of("scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
        new ArrayList<>(model.namedParameters().keySet()));
    assertEquals(3 + 4 * 16 + 16 + 16 * 3 + 3, model.numParameters());
    logits.sum().backward();
    for (var p : model.namedParameters().entrySet())
      assertNotNull(p.getValue().grad(), p.getKey() + " has no gradient");
  }

  // snippet:custom-function
  final class Cube extends Function {
    private Tensor x;

    @Override
    protected RawTensor forward(Tensor... in) {
      x = save(in[0]);
      return in[0].mul(in[0]).mul(in[0]).raw();
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.mul(x.square()).mul(3)}; // d(x^3)/dx = 3x^2
    }
  }

  // end snippet:custom-function

  @Test
  void customFunction() {
    Tensor.manualSeed(3);
    // snippet:custom-function
    Tensor x = Tensor.of(new double[] {-1, 0.5, 2}, 3).requiresGrad(true);
    Tensor y = Function.apply(new Cube(), x);
    y.sum().backward();
    System.out.println(x.grad()); // [3, 0.75, 12]
    GradCheck.check(
        xs -> Function.apply(new Cube(), xs[0]),
        Tensor.randn(4).to(DType.FLOAT64).requiresGrad(true));
    // end snippet:custom-function
    assertClose(Tensor.of(new double[] {-1, 0.125, 8}, 3), y.detach(), 0, 0);
    assertClose(Tensor.of(new double[] {3, 0.75, 12}, 3), x.grad(), 0, 0);
    assertEquals("<CubeBackward>", y.gradFn().toString());
  }

  @Test
  void readmeSnippetsAreTheCodeAbove() throws IOException {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    String self = Files.readString(SELF, StandardCharsets.UTF_8);
    Map<String, List<String>> regions = regions(self);
    List<String> myImports = self.lines().filter(l -> l.startsWith("import ")).toList();

    Matcher m =
        Pattern.compile("(?:<!-- snippet:([\\w-]+)[^>]*-->\\n)?```java\\n(.*?)```", Pattern.DOTALL)
            .matcher(readme);
    List<String> checked = new ArrayList<>();
    int blocks = 0;
    while (m.find()) {
      blocks++;
      String name = m.group(1);
      String firstLine = m.group(2).lines().findFirst().orElse("");
      if (name == null)
        fail("README.md: a ```java block has no <!-- snippet:NAME --> marker: " + firstLine);
      if (name.equals("not-run")) continue;
      List<String> code = new ArrayList<>();
      for (String l : m.group(2).lines().toList()) {
        if (l.startsWith("import ")) {
          assertTrue(
              myImports.contains(l),
              "README snippet " + name + ": " + l + " is not an import of ReadmeSnippetsTest");
        } else if (!l.isBlank()) {
          code.add(l.strip());
        }
      }
      assertTrue(
          regions.containsKey(name),
          "README snippet " + name + " has no // snippet:" + name + " region here");
      // Whitespace is not compared: the formatter wraps and aligns the test's lines differently
      // from the README's, which is laid out for reading.
      String expected = String.join("\n", regions.get(name));
      String actual = String.join("\n", code);
      if (!withoutWhitespace(expected).equals(withoutWhitespace(actual))) {
        assertEquals(
            expected, actual, "README snippet " + name + " differs from ReadmeSnippetsTest");
      }
      checked.add(name);
    }
    assertTrue(blocks >= 7, "found only " + blocks + " ```java blocks in README.md");
    assertEquals(
        new ArrayList<>(regions.keySet()).stream().sorted().toList(),
        checked.stream().sorted().toList(),
        "each // snippet region here appears in README.md once");
    assertFalse(checked.isEmpty());
  }

  private static String withoutWhitespace(String code) {
    return code.replaceAll("\\s+", "");
  }

  /**
   * The lines of each {@code // snippet:NAME} region, stripped, blank lines dropped, regions of a
   * name joined.
   */
  private static Map<String, List<String>> regions(String source) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    String open = null;
    for (String raw : source.lines().toList()) {
      String l = raw.strip();
      if (l.startsWith("// snippet:")) {
        open = l.substring("// snippet:".length());
        out.computeIfAbsent(open, k -> new ArrayList<>());
      } else if (l.startsWith("// end snippet:")) {
        open = null;
      } else if (open != null && !l.isEmpty()) {
        out.get(open).add(l);
      }
    }
    return out;
  }
}
