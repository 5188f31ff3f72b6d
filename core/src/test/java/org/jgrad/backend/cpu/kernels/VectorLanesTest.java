package org.jgrad.backend.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.function.BiFunction;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The two-vector lane selections against their definitions on a‖b, lane by lane (the kernels'
 * transposes, Winograd tiles and pooling build on them). The lambdas keep jdk.incubator.vector out
 * of this class's signature, so the test also loads in the JVM without the module, where it skips.
 */
class VectorLanesTest {
  @Test
  void selectionsMatchTheirDefinitions() throws Exception {
    assumeTrue(Gemm.vectorKernel() != null, "Vector API module not present in this JVM");
    Class<?> helper = Class.forName("org.jgrad.backend.cpu.kernels.VectorLanesProbe");
    int l = (int) helper.getMethod("length").invoke(null);
    check(l, "zipLo", i -> (i & 1) == 0 ? i / 2 : l + i / 2);
    check(l, "zipHi", i -> (i & 1) == 0 ? l / 2 + i / 2 : l + l / 2 + i / 2);
    check(l, "evens", i -> 2 * i);
    check(l, "odds", i -> 2 * i + 1);
  }

  private static void check(int l, String op, IntUnaryOperator fromConcat) throws Exception {
    float[] a = new float[l], b = new float[l], both = new float[2 * l];
    for (int i = 0; i < 2 * l; i++) both[i] = 1000 + i * 1.5f;
    System.arraycopy(both, 0, a, 0, l);
    System.arraycopy(both, l, b, 0, l);
    @SuppressWarnings("unchecked")
    BiFunction<float[], float[], float[]> f =
        (BiFunction<float[], float[], float[]>)
            Class.forName("org.jgrad.backend.cpu.kernels.VectorLanesProbe")
                .getMethod("of", String.class)
                .invoke(null, op);
    float[] expected = new float[l];
    for (int i = 0; i < l; i++) expected[i] = both[fromConcat.applyAsInt(i)];
    assertArrayEquals(expected, f.apply(a, b), op);
  }
}
