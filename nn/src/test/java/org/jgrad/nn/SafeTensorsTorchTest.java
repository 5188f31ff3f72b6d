package org.jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.DType;
import org.jgrad.json.Json;
import org.jgrad.nn.io.SafeTensors;
import org.jgrad.tensor.Tensor;
import org.jgrad.testing.TorchCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights moving between PyTorch and jgrad through safetensors files. The committed files were
 * written by tools/torch_nn_reference.py by hand (the torch 1.13 here has no safetensors package):
 * 8-byte little-endian header length, JSON header, raw little-endian data.
 */
class SafeTensorsTorchTest {
  static Path resource(String name) {
    try {
      return Path.of(SafeTensorsTorchTest.class.getResource("/torch/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> ref(String model) {
    return (Map<String, Object>) TorchCases.json("/torch/safetensors_ref.json").get(model);
  }

  /**
   * The Keras MNIST CNN in PyTorch's layout (the same Sequential as the generator's keras_cnn()).
   */
  static Sequential kerasCnn() {
    return new Sequential(
        new Conv2d(1, 32, 3),
        new ReLU(),
        new MaxPool2d(2),
        new Conv2d(32, 64, 3),
        new ReLU(),
        new MaxPool2d(2),
        new Flatten(),
        new Dropout(0.5),
        new Linear(1600, 10));
  }

  static Sequential mlpBn() {
    return new Sequential(new Linear(6, 8), new BatchNorm1d(8), new ReLU(), new Linear(8, 3));
  }

  private static void checkAgainstTorch(String name, Sequential model) throws IOException {
    model.load(resource(name + ".safetensors"));
    model.eval();
    Map<String, Object> r = ref(name);
    Tensor x = TorchCases.tensor(r.get("input"));
    Tensor y;
    try (var ng = GradMode.noGrad()) {
      y = model.call(x);
    }
    Check.close(name + " output", TorchCases.tensor(r.get("output")), y);
    assertEquals(
        ((Number) r.get("params")).longValue(), model.numParameters(), name + " parameter count");
  }

  @Test
  void kerasCnnWrittenByPyTorchGivesTheSameOutputs() throws IOException {
    checkAgainstTorch("keras_cnn", kerasCnn());
  }

  @Test
  void batchNormModelWithInt64BufferWrittenByPyTorch() throws IOException {
    Sequential m = mlpBn();
    checkAgainstTorch("mlp_bn", m);
    Tensor nbt = m.stateDict().get("1.num_batches_tracked");
    assertEquals(DType.INT64, nbt.dtype());
    assertEquals(3, nbt.item());
  }

  @Test
  void everyDtypeWrittenByPythonReadsBack() throws IOException {
    SafeTensors.Contents c = SafeTensors.read(resource("dtypes.safetensors"));
    assertEquals(Map.of("source", "torch_nn_reference.py"), c.metadata());
    Map<String, Object> expected = ref("dtypes");
    assertEquals(expected.keySet(), c.tensors().keySet());
    for (String k : expected.keySet()) {
      Tensor e = TorchCases.tensor(expected.get(k));
      Tensor a = c.tensors().get(k);
      assertEquals(e.dtype(), a.dtype(), k + " dtype");
      Check.equal(k, e, a);
    }
  }

  @Test
  void kerasCnnSummaryReports34826Parameters() {
    String s = kerasCnn().summary(1, 1, 28, 28);
    assertTrue(s.contains("Total params: 34,826"), s);
    assertTrue(s.contains("Trainable params: 34,826"), s);
    assertTrue(s.contains("Non-trainable params: 0"), s);
    assertTrue(s.contains("0 (Conv2d)") && s.contains("[1, 32, 26, 26]") && s.contains("320"), s);
    assertTrue(
        s.contains("3 (Conv2d)") && s.contains("[1, 64, 11, 11]") && s.contains("18,496"), s);
    assertTrue(s.contains("5 (MaxPool2d)") && s.contains("[1, 64, 5, 5]"), s);
    assertTrue(s.contains("6 (Flatten)") && s.contains("[1, 1600]"), s);
    assertTrue(s.contains("8 (Linear)") && s.contains("[1, 10]") && s.contains("16,010"), s);
  }

  /** A file written by jgrad, read by PyTorch (through the generator's hand-written reader). */
  @Test
  void fileWrittenByJgradLoadsIntoPyTorch(@TempDir Path dir) throws Exception {
    Path python = Path.of("/usr/bin/python3");
    Path script = Path.of("..", "tools", "torch_nn_reference.py");
    assumeTrue(
        Files.isExecutable(python) && Files.exists(script),
        "needs /usr/bin/python3 and the generator script");
    List<String> cmd =
        new ArrayList<>(List.of(python.toString(), script.toString(), "--check-jgrad"));
    Map<String, Sequential> models = new LinkedHashMap<>();
    for (String name : List.of("keras_cnn", "mlp_bn")) {
      Tensor.manualSeed(7);
      Sequential model = name.equals("keras_cnn") ? kerasCnn() : mlpBn();
      if (name.equals("mlp_bn")) { // non-trivial running statistics
        try (var ng = GradMode.noGrad()) {
          for (int i = 0; i < 3; i++) model.call(Tensor.randn(16, 6).mul(2).add(1));
        }
      }
      model.eval();
      Path file = dir.resolve(name + ".safetensors");
      model.save(file);
      cmd.add(file.toString());
      cmd.add(name);
      models.put(name, model);
    }
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assumeTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
    assumeTrue(p.exitValue() == 0 || !out.isEmpty(), "python with torch is not usable here");
    assertEquals(0, p.exitValue(), "python failed: " + out);
    Map<String, Object> torchOut = Json.parseObject(out.strip());
    for (Map.Entry<String, Sequential> e : models.entrySet()) {
      Tensor x = TorchCases.tensor(ref(e.getKey()).get("input"));
      try (var ng = GradMode.noGrad()) {
        Check.close(
            e.getKey() + ": jgrad file run by PyTorch",
            e.getValue().call(x),
            TorchCases.tensor(torchOut.get(e.getKey())));
      }
    }
  }
}
