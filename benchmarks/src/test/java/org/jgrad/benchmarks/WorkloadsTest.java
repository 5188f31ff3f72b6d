package org.jgrad.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jgrad.benchmarks.jmh.ConvBench;
import org.jgrad.benchmarks.jmh.GemmShapesBench;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

/** Checks that the benchmark workloads are the ones the issue names (no timing here). */
class WorkloadsTest {
  private static Tensor batch(int n) {
    return Data.uniform(11, n, Data.MNIST_PIXELS);
  }

  @Test
  void parameterCountsMatchTheArchitectures() {
    // 784·256+256 + 256·128+128 + 128·10+10; the Keras MNIST CNN's documented 34,826; 784·128+128 +
    // 128·32+32 + 32·128+128 + 128·784+784
    assertEquals(235_146, Models.create("mlp", 1).numParameters());
    assertEquals(34_826, Models.create("cnn", 1).numParameters());
    assertEquals(209_968, Models.create("autoencoder", 1).numParameters());
  }

  @Test
  void unknownModelIsRejectedByName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Models.create("resnet", 1));
    assertTrue(e.getMessage().contains("resnet") && e.getMessage().contains("mlp"), e.getMessage());
  }

  @Test
  void classifiersStartNearUniformCrossEntropyAndMlpLearnsABatch() {
    Tensor x = batch(16), y = Data.labels(12, 16, 10);
    Models.Trainer mlp = Models.create("mlp", 3);
    double first = mlp.step(x, y).item();
    // With small random weights the logits are near zero, so the loss is near ln(10).
    assertEquals(Math.log(10), first, 0.15);
    double last = first;
    for (int i = 0; i < 30; i++) last = mlp.step(x, y).item();
    assertTrue(
        last < first - 0.3,
        "30 Adam steps on one batch should lower the loss: " + first + " -> " + last);

    double cnn = Models.create("cnn", 4).step(x, y).item();
    assertEquals(Math.log(10), cnn, 0.3);
  }

  @Test
  void autoencoderStartsNearTheVarianceOfUniformPixels() {
    // Sigmoid outputs start near 0.5; E[(0.5 - U)^2] = 1/12 for U ~ U[0, 1).
    double loss = Models.create("autoencoder", 5).step(batch(32), Data.labels(1, 32, 10)).item();
    assertEquals(1.0 / 12, loss, 0.03);
  }

  @Test
  void slabFilledTensorsMatchTheOneShotSequence() {
    // 6000 x 784 is filled a slab at a time; its first rows must be the same stream as a small
    // tensor's.
    Tensor big = Data.uniform(9, 6000, 784);
    Tensor small = Data.uniform(9, 10, 784);
    assertArrayEquals(small.toFloatArray(), big.narrow(0, 0, 10).toFloatArray());
    float[] last = big.narrow(0, 5999, 1).toFloatArray();
    double sum = 0;
    for (float v : last) {
      assertTrue(v >= 0 && v < 1, "uniform value out of [0, 1): " + v);
      sum += v;
    }
    assertEquals(0.5, sum / last.length, 0.05);
    long[] labels = Data.labels(3, 1000, 10).toLongArray();
    assertTrue(Arrays.stream(labels).allMatch(l -> l >= 0 && l < 10));
    assertEquals(10, Arrays.stream(labels).distinct().count());
  }

  @Test
  void convShapesAreTheIssuesFour() {
    assertEquals(4, Workloads.CONV.size());
    int[][] out = {{26, 26}, {11, 11}, {32, 32}, {32, 32}};
    for (int i = 0; i < 4; i++) {
      assertEquals(out[i][0], Workloads.CONV.get(i).outH());
      assertEquals(out[i][1], Workloads.CONV.get(i).outW());
    }
  }

  @Test
  void jmhParametersNameExistingShapes() throws Exception {
    for (String p : params(ConvBench.class, "shape"))
      assertTrue(Workloads.CONV.contains(ConvBench.byParam(p)), p);
    String[] gemm = params(GemmShapesBench.class, "shape");
    assertEquals(
        Workloads.GEMM_TRAINING.stream().map(Workloads.Gemm::name).toList(), Arrays.asList(gemm));
  }

  private static String[] params(Class<?> c, String field) throws NoSuchFieldException {
    return c.getField(field).getAnnotation(Param.class).value();
  }

  @Test
  void pythonSideUsesTheSameCaseNames() throws IOException {
    String py = Files.readString(Path.of("compare_pytorch.py"));
    for (Workloads.Gemm g : Workloads.GEMM_TRAINING) {
      assertTrue(
          py.contains("(\"" + g.name() + "\", " + g.m() + ", " + g.k() + ", " + g.n() + ")"),
          g.name());
    }
    for (Workloads.Conv c : Workloads.CONV) {
      String row =
          "(\"" + c.name() + "\", " + c.n() + ", " + c.c() + ", " + c.h() + ", " + c.w() + ", "
              + c.o() + ", " + c.k() + ", " + c.pad() + ")";
      assertTrue(py.contains(row), row);
    }
    assertTrue(py.contains("GEMM_SQUARE = " + Arrays.toString(Workloads.GEMM_SQUARE)));
  }
}
