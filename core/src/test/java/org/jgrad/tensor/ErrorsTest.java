package org.jgrad.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input gives an {@link IllegalArgumentException} naming the op and the shapes (or the bad
 * value); never an index exception, never a silently wrong result.
 */
class ErrorsTest {
  private static String iae(Executable e, String... fragments) {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
    String m = ex.getMessage();
    for (String f : fragments)
      assertTrue(m != null && m.contains(f), "message lacks \"" + f + "\": " + m);
    return m;
  }

  private static final Tensor A23 = Tensor.randn(2, 3);

  @Test
  void matmulShapes() {
    String m = iae(() -> Tensor.randn(2, 3).matmul(Tensor.randn(4, 5)));
    assertEquals("matmul: shapes [2, 3] and [4, 5] are not aligned (3 != 4)", m);
    iae(() -> Tensor.randn(3).matmul(Tensor.randn(4)), "matmul", "[3]", "[4]", "3 != 4");
    iae(() -> Tensor.randn(2, 3).matmul(Tensor.randn(2)), "matmul", "[2, 3]", "[2]");
    iae(() -> Tensor.randn(2, 2, 3).matmul(Tensor.randn(3, 3, 4)), "matmul", "[2]", "[3]");
    iae(() -> Tensor.scalar(1).matmul(Tensor.randn(2)), "matmul", "at least 1 dimension");
    iae(() -> Tensor.randn(2, 3).outer(Tensor.randn(3)), "outer", "[2, 3]", "1-D");
    iae(() -> Tensor.randn(2, 3, 4).t(), "t", "[2, 3, 4]");
  }

  @Test
  void broadcastingMismatchesNameTheOpAndBothShapes() {
    Tensor a = Tensor.randn(2, 3), b = Tensor.randn(4);
    iae(() -> a.add(b), "add", "[2, 3]", "[4]", "broadcast");
    iae(() -> a.sub(b), "sub", "[2, 3]", "[4]");
    iae(() -> a.mul(b), "mul", "[2, 3]", "[4]");
    iae(() -> a.div(b), "div", "[2, 3]", "[4]");
    iae(() -> a.pow(b), "pow", "[2, 3]", "[4]");
    iae(() -> a.maximum(b), "maximum", "[2, 3]", "[4]");
    iae(() -> a.minimum(b), "minimum", "[2, 3]", "[4]");
    iae(() -> a.lt(b), "lt", "[2, 3]", "[4]");
    iae(() -> a.eq(b), "eq", "[2, 3]", "[4]");
    iae(() -> Tensor.where(a.gt(0), a, b), "where", "[2, 3]", "[4]");
    iae(() -> Tensor.where(Tensor.ones(5).gt(0), a, a), "where", "[5]", "[2, 3]");
  }

  @Test
  void dtypeMismatches() {
    Tensor f32 = Tensor.randn(2), f64 = Tensor.randn(2).to(DType.FLOAT64);
    iae(() -> f32.add(f64), "add", "float32", "float64");
    iae(() -> f32.matmul(f64), "matmul", "float32", "float64");
    iae(() -> Tensor.where(f32.gt(0), f32, f64), "where", "float32", "float64");
    iae(() -> Tensor.cat(List.of(f32, f64), 0), "cat", "float32", "float64");
    iae(
        () -> f32.scatterAdd(0, Tensor.ofLongs(new long[] {0}), f64),
        "scatterAdd",
        "float32",
        "float64");
    iae(() -> f32.gather(0, Tensor.of(new float[] {0})), "gather", "int64", "float32");
    iae(() -> Tensor.ofLongs(new long[] {1, 2}).mean(), "mean", "int64");
    iae(() -> f32.oneHot(3), "oneHot", "int64", "float32");
  }

  @Test
  void mixedDevicesNameBothDevices() {
    Tensor cpu = Tensor.randn(2, 2), ref = Tensor.randn(2, 2).to(Device.REFERENCE);
    for (Executable e :
        List.<Executable>of(
            () -> cpu.add(ref),
            () -> ref.mul(cpu),
            () -> cpu.matmul(ref),
            () -> Tensor.cat(List.of(cpu, ref), 0),
            () -> cpu.lt(ref),
            () -> Tensor.where(cpu.gt(0), cpu, ref),
            () ->
                cpu.gather(
                    0, Tensor.ofLongs(new long[] {0, 1, 1, 0}, 2, 2).to(Device.REFERENCE)))) {
      iae(e, "cpu", "ref");
    }
    iae(() -> cpu.add(ref), "add");
  }

  @Test
  void invalidShapesAndSizes() {
    iae(() -> Tensor.zeros(2, -1), "zeros", "negative", "[2, -1]");
    iae(() -> Tensor.ones(-3), "negative", "[-3]");
    iae(() -> Tensor.full(1.0, 2, -2), "negative", "[2, -2]");
    iae(() -> Tensor.randn(-1, 2), "randn", "[-1, 2]");
    iae(() -> Tensor.rand(new Generator(1), 3, -1), "rand", "[3, -1]");
    iae(() -> Tensor.randint(0, 5, -2), "randint", "[-2]");
    iae(() -> Tensor.randint(5, 5, 2), "randint", "5");
    iae(() -> Tensor.of(new float[] {1, 2, 3}, 2, 2), "of", "3", "[2, 2]");
    iae(() -> Tensor.of(new double[] {1, 2}, 3), "of", "[3]");
    iae(() -> Tensor.ofLongs(new long[] {1}, 2), "ofLongs", "[2]");
    iae(() -> Tensor.arange(0, 5, 0), "arange", "step");
    iae(() -> Tensor.linspace(0, 1, -1), "linspace", "-1");
    iae(() -> Tensor.eye(-2), "eye", "-2");
    iae(() -> A23.reshape(4), "reshape", "[4]", "6");
    iae(() -> A23.reshape(-1, -1), "reshape", "-1");
    iae(() -> A23.reshape(5, -1), "reshape", "[5, -1]", "6");
    iae(() -> A23.reshape(-2, 3), "reshape", "[-2, 3]");
    iae(() -> A23.t().view(6), "view", "[6]", "reshape");
    iae(() -> A23.expand(4, 3, 2), "expand", "[2, 3]", "[4, 3, 2]");
    iae(() -> A23.expand(3), "expand", "[2, 3]", "[3]");
    iae(() -> A23.expand(2, -2), "expand");
    iae(() -> A23.repeat(2), "repeat", "1", "2");
    iae(() -> A23.repeat(1, -1), "repeat", "-1");
  }

  @Test
  void dimsOutOfRange() {
    iae(() -> A23.sum(2, false), "sum", "2", "rank 2");
    iae(() -> A23.sum(-3, true), "sum", "-3");
    iae(() -> A23.sum(new int[] {0, 0}, false), "sum", "twice");
    iae(() -> A23.mean(5, false), "mean", "5");
    iae(() -> A23.var(2, true, false), "var", "2");
    iae(() -> A23.amax(new int[] {3}, false), "amax", "3");
    iae(() -> A23.max(2, false), "max", "2");
    iae(() -> A23.min(-5, false), "min", "-5");
    iae(() -> A23.argmax(2, false), "argmax", "2");
    iae(() -> A23.argmin(3, true), "argmin", "3");
    iae(() -> A23.logsumexp(2, false), "logsumexp", "2");
    iae(() -> A23.norm(2, new int[] {4}, false), "norm", "4");
    iae(() -> A23.softmax(2), "softmax", "2");
    iae(() -> A23.logSoftmax(-3), "logSoftmax", "-3");
    iae(() -> A23.transpose(0, 2), "transpose", "2");
    iae(() -> A23.permute(0), "permute", "[2, 3]");
    iae(() -> A23.permute(0, 0), "permute", "repeated");
    iae(() -> A23.permute(0, 2), "permute", "2");
    iae(() -> A23.squeeze(2), "squeeze", "2");
    iae(() -> A23.unsqueeze(3), "unsqueeze", "3");
    iae(() -> A23.unsqueeze(-4), "unsqueeze", "-4");
    iae(() -> A23.flatten(2, 0), "flatten");
    iae(() -> A23.flatten(1, 0), "flatten", "start");
    iae(() -> A23.narrow(2, 0, 1), "narrow", "2");
    iae(() -> A23.narrow(1, 2, 2), "narrow", "[2, 3]");
    iae(() -> A23.narrow(1, 0, -1), "narrow");
    iae(() -> A23.select(0, 2), "select", "2", "size 2");
    iae(() -> A23.select(1, -4), "select", "-4");
    iae(() -> A23.slice(1, 0, 3, 0), "slice", "step");
    iae(() -> A23.slice(2, 0, 3, 1), "slice", "2");
    iae(() -> A23.split(0, 0), "split", "0");
    iae(() -> A23.chunk(0, 1), "chunk", "0");
    iae(() -> A23.flip(2), "flip", "2");
    iae(() -> A23.flip(0, 0), "flip", "twice");
    iae(() -> A23.size(2), "size", "2");
    iae(() -> A23.gather(2, Tensor.ofLongs(new long[] {0}, 1, 1)), "gather", "2");
    iae(() -> A23.indexSelect(2, Tensor.ofLongs(new long[] {0})), "indexSelect", "2");
    iae(() -> Tensor.stack(List.of(A23, A23), 3), "stack", "3");
    iae(() -> Tensor.cat(List.of(A23, A23), 2), "cat", "2");
  }

  @Test
  void joiningMismatchedTensors() {
    iae(() -> Tensor.cat(List.of(A23, Tensor.randn(3, 3)), 1), "cat", "[2, 3]", "[3, 3]");
    iae(() -> Tensor.cat(List.of(A23, Tensor.randn(2)), 0), "cat", "rank", "[2]");
    iae(() -> Tensor.cat(List.of(), 0), "cat", "empty");
    iae(() -> Tensor.stack(List.of(A23, Tensor.randn(3, 2)), 0), "stack", "[2, 3]", "[3, 2]");
    iae(() -> Tensor.stack(List.of(), 0), "stack", "empty");
  }

  @Test
  void padAndClampArguments() {
    iae(() -> A23.pad(new int[] {1}, 0), "pad", "even");
    iae(() -> A23.pad(new int[] {1, 1, 1, 1, 1, 1}, 0), "pad", "6", "2");
    iae(() -> A23.pad(new int[] {-1, 0}, 0), "pad", "negative");
    iae(() -> A23.clamp(1, -1), "clamp", "min", "max");
    iae(() -> A23.norm(0, new int[] {0}, false), "norm", "p");
    iae(() -> A23.norm(-1, new int[] {0}, false), "norm", "p");
  }

  @Test
  void indexOpsRejectBadIndicesWithoutIndexExceptions() {
    Tensor x = Tensor.randn(3, 4);
    iae(() -> x.gather(1, Tensor.ofLongs(new long[] {0, 4, 1}, 3, 1)), "gather", "4", "4");
    iae(() -> x.gather(1, Tensor.ofLongs(new long[] {-5}, 1, 1)), "gather", "-5");
    iae(() -> x.gather(1, Tensor.ofLongs(new long[] {0, 1}, 2)), "gather", "[2]", "[3, 4]", "rank");
    iae(
        () -> x.gather(0, Tensor.ofLongs(new long[] {0, 0, 0, 0, 0}, 1, 5)),
        "gather",
        "[1, 5]",
        "[3, 4]");
    iae(
        () -> x.scatterAdd(0, Tensor.ofLongs(new long[] {3}, 1, 1), Tensor.randn(1, 1)),
        "scatterAdd",
        "3");
    iae(
        () -> x.scatterAdd(0, Tensor.ofLongs(new long[] {0, 1}, 2, 1), Tensor.randn(1, 1)),
        "scatterAdd",
        "[2, 1]",
        "[1, 1]");
    iae(() -> x.indexSelect(0, Tensor.ofLongs(new long[] {0, 3})), "indexSelect", "3");
    iae(
        () -> x.indexSelect(0, Tensor.ofLongs(new long[] {0, 1}, 1, 2)),
        "indexSelect",
        "1-D",
        "[1, 2]");
    iae(() -> Tensor.ofLongs(new long[] {0, 5}).oneHot(3), "oneHot", "5", "3");
    iae(() -> Tensor.ofLongs(new long[] {-1}).oneHot(3), "oneHot", "-1");
    iae(() -> x.get(3, 0), "get", "3", "size 3");
    iae(() -> x.get(0), "get", "2", "1");
  }

  @Test
  void reductionsOverNothing() {
    Tensor empty = Tensor.zeros(0, 3);
    iae(() -> empty.max(), "max", "empty", "[0, 3]");
    iae(() -> empty.amin(new int[] {0}, false), "empty");
    iae(() -> empty.argmax(0, false), "argmax", "empty", "[0, 3]");
    iae(() -> empty.max(0, false), "max", "empty");
    assertEquals(3, empty.sum(0, false).numel(), "summing over an empty dim is fine: zeros");
    assertEquals(
        0,
        empty.max(1, false).values().numel(),
        "reducing a non-empty dim of an empty tensor is fine");
  }

  @Test
  void scalarConversionAndGradients() {
    iae(() -> A23.item(), "item", "[2, 3]");
    Tensor x = Tensor.randn(2).requiresGrad(true);
    iae(() -> x.setGrad(Tensor.zeros(3)), "setGrad", "[3]", "[2]");
    iae(() -> x.mul(2).backward(Tensor.ones(3)), "backward", "[3]", "[2]");
    iae(() -> x.mul(2).backward(), "backward", "scalar");
    iae(() -> new Device("", 0), "Device");
    iae(() -> new Device("cpu", -1), "Device", "-1");
  }

  // ---------------------------------------------------------------- fuzzing for bare exceptions

  /**
   * Throws random (often invalid) arguments at the shape and index ops. Any failure must be an
   * IllegalArgumentException or IllegalStateException with a message; anything else (index,
   * negative-size or null-pointer exceptions) is a bug.
   */
  @Test
  void randomBadArgumentsNeverGiveBareExceptions() {
    Random r = new Random(2026);
    List<String> problems = new ArrayList<>();
    int rejected = 0, accepted = 0;
    for (int trial = 0; trial < 3000; trial++) {
      int rank = r.nextInt(4);
      int[] shape = new int[rank];
      for (int i = 0; i < rank; i++) shape[i] = r.nextInt(4);
      Tensor x = Tensor.randn(shape);
      int d = r.nextInt(9) - 4, e = r.nextInt(9) - 4, f = r.nextInt(9) - 4, g = r.nextInt(5) - 1;
      int op = r.nextInt(26);
      Supplier<Object> call =
          switch (op) {
            case 0 -> () -> x.sum(d, r.nextBoolean());
            case 1 -> () -> x.transpose(d, e);
            case 2 -> () -> x.narrow(d, e, f);
            case 3 -> () -> x.select(d, e);
            case 4 -> () -> x.slice(d, e, f, g);
            case 5 -> () -> x.unsqueeze(d);
            case 6 -> () -> x.squeeze(d);
            case 7 -> () -> x.flatten(d, e);
            case 8 -> () -> x.reshape(randomShape(r));
            case 9 -> () -> x.expand(randomShape(r));
            case 10 -> () -> x.permute(randomShape(r));
            case 11 -> () -> x.split(e, d);
            case 12 -> () -> x.chunk(e, d);
            case 13 -> () -> x.softmax(d);
            case 14 -> () -> x.max(d, r.nextBoolean());
            case 15 -> () -> x.argmin(d, r.nextBoolean());
            case 16 ->
                () ->
                    x.gather(d, Tensor.randint(new Generator(r.nextLong()), -5, 5, randomShape(r)));
            case 17 -> () -> x.indexSelect(d, Tensor.ofLongs(new long[] {e, f}));
            case 18 -> () -> x.repeat(randomShape(r));
            case 19 -> () -> x.pad(randomShape(r), 0);
            case 20 -> () -> x.flip(randomShape(r));
            case 21 -> () -> Tensor.cat(List.of(x, Tensor.randn(randomShape(r))), d);
            case 22 -> () -> Tensor.stack(List.of(x, Tensor.randn(randomShape(r))), d);
            case 23 -> () -> x.matmul(Tensor.randn(randomShape(r)));
            case 24 -> () -> x.add(Tensor.randn(randomShape(r)));
            default ->
                () ->
                    x.scatterAdd(
                        d, Tensor.randint(0, 4, randomShape(r)), Tensor.randn(randomShape(r)));
          };
      try {
        call.get();
        accepted++;
      } catch (IllegalArgumentException | IllegalStateException ok) {
        rejected++;
        if (ok.getMessage() == null || ok.getMessage().isBlank())
          problems.add("op " + op + ": empty message");
      } catch (RuntimeException bad) {
        problems.add(
            "op "
                + op
                + " on "
                + Arrays.toString(shape)
                + " (d="
                + d
                + ", e="
                + e
                + ", f="
                + f
                + ", g="
                + g
                + "): "
                + bad);
      }
    }
    assertTrue(
        rejected > 500 && accepted > 500,
        "the fuzzer should hit both: " + rejected + " rejected, " + accepted + " accepted");
    if (!problems.isEmpty()) {
      fail(
          problems.size()
              + " bare exceptions, e.g.:\n"
              + String.join("\n", problems.subList(0, Math.min(10, problems.size()))));
    }
  }

  private static int[] randomShape(Random r) {
    int n = r.nextInt(4);
    int[] s = new int[n];
    for (int i = 0; i < n; i++) s[i] = r.nextInt(6) - 1;
    return s;
  }
}
