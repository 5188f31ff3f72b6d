package org.jgrad.tensor;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jgrad.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Values and gradients of the indexing, masking, sorting, scan and product ops against PyTorch
 * 1.13, from {@code core/src/test/resources/torch/idioms.json} (written by {@code
 * tools/torch_reference_idioms.py}). Each case runs the three ways of {@link TorchReferenceTest}
 * (dense CPU, strided CPU, reference device) with its tolerances.
 */
class TorchIdiomsReferenceTest {
  private static Map<String, Object> doc;

  static synchronized Map<String, Object> doc() {
    if (doc == null) {
      try (InputStream in =
          TorchIdiomsReferenceTest.class.getResourceAsStream("/torch/idioms.json")) {
        assertNotNull(
            in,
            "torch/idioms.json is missing from the test resources; run tools/torch_reference_idioms.py");
        doc = Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new IllegalStateException("cannot read torch/idioms.json", e);
      }
    }
    return doc;
  }

  static Stream<Arguments> cases() {
    return Json.list(doc().get("cases")).stream()
        .map(Json::map)
        .map(c -> Arguments.of(c.get("name"), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesPyTorch(String name, Map<String, Object> c) {
    for (TorchReferenceTest.Variant v : TorchReferenceTest.Variant.values()) {
      try {
        TorchReferenceTest.run(c, v);
      } catch (AssertionError e) {
        throw new AssertionError(name + " (" + c.get("op") + ", " + v + "): " + e.getMessage(), e);
      }
    }
  }

  @Test
  void fileCoversTheNewOps() {
    TreeSet<String> ops = new TreeSet<>();
    for (Object o : Json.list(doc().get("cases"))) ops.add((String) Json.map(o).get("op"));
    for (String op :
        List.of(
            "sort",
            "topk",
            "cumsum",
            "prod",
            "prodDim",
            "maskedFill",
            "maskedSelect",
            "index",
            "indexPut",
            "sliceScatter",
            "any",
            "all",
            "anyDim",
            "allDim",
            "sumDim",
            "catVarargs")) {
      assertTrue(ops.contains(op), "no PyTorch reference case for " + op);
    }
  }

  private static List<Tensor> one(Tensor t) {
    return List.of(t);
  }

  private static List<Tensor> pair(Tensor.ValuesIndices vi) {
    return List.of(vi.values(), vi.indices());
  }

  private static int integer(Map<String, Object> a, String key) {
    return Json.integer(a.get(key));
  }

  private static boolean bool(Map<String, Object> a, String key) {
    return (Boolean) a.get(key);
  }

  /**
   * The Tensor call for an op of idioms.json (TorchReferenceTest falls back to it for ops it does
   * not know).
   */
  static List<Tensor> apply(String op, Map<String, Object> a, Tensor[] in) {
    Tensor x = in[0];
    return switch (op) {
      case "sort" -> pair(x.sort(integer(a, "dim"), bool(a, "descending")));
      case "topk" -> pair(x.topk(integer(a, "k"), integer(a, "dim"), bool(a, "largest")));
      case "cumsum" -> one(x.cumsum(integer(a, "dim")));
      case "prod" -> one(x.prod());
      case "prodDim" -> one(x.prod(integer(a, "dim"), bool(a, "keepDim")));
      case "maskedFill" -> one(x.maskedFill(in[1], Json.number(a.get("value"))));
      case "maskedSelect" -> one(x.maskedSelect(in[1]));
      case "index" -> one(x.index(in[1]));
      case "indexPut" -> one(x.indexPut(in[1], in[2], bool(a, "accumulate")));
      case "sliceScatter" ->
          one(
              x.sliceScatter(
                  in[1],
                  integer(a, "dim"),
                  integer(a, "start"),
                  integer(a, "end"),
                  integer(a, "step")));
      case "any" -> one(x.any());
      case "all" -> one(x.all());
      case "anyDim" -> one(x.any(integer(a, "dim"), bool(a, "keepDim")));
      case "allDim" -> one(x.all(integer(a, "dim"), bool(a, "keepDim")));
      case "sumDim" -> one(x.sum(integer(a, "dim")));
      case "meanDim" -> one(x.mean(integer(a, "dim")));
      case "argmaxDim1" -> one(x.argmax(integer(a, "dim")));
      case "maxDim1" -> pair(x.max(integer(a, "dim")));
      case "catVarargs" -> one(Tensor.cat(in));
      default -> throw new IllegalArgumentException("TorchReferenceTest: no mapping for op " + op);
    };
  }
}
