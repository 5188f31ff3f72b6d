package org.jgrad.data.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jgrad.data.io.TabularData;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

class StandardizerTest {
  @Test
  void fitsPopulationMomentsAndLeavesConstantColumnsUnscaled() {
    // column 0: {1, 3} -> mean 2, population sd 1; column 1: {5, 5} -> sd 0 -> 1; column 2: {NaN,
    // 4} -> mean 4
    float[] x = {1, 5, Float.NaN, 3, 5, 4};
    Standardizer s = Standardizer.fit(x, 2, 3);
    assertArrayEquals(new double[] {2, 5, 4}, s.mean());
    assertArrayEquals(new double[] {1, 1, 1}, s.std());
    float[] y = s.apply(x);
    assertArrayEquals(new float[] {-1, 0, Float.NaN, 1, 0, 0}, y);
    TabularData t =
        new TabularData(
            new float[] {0, 4}, 2, 1, List.of("a"), new int[] {0, 1}, List.of("n", "p"));
    Standardizer st = Standardizer.fit(t);
    assertArrayEquals(new float[] {-1, 1}, st.apply(t).features());
    assertArrayEquals(
        new float[] {-1, 1}, st.apply(Tensor.of(new float[] {0, 4}, 2, 1)).toFloatArray());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.apply(Tensor.zeros(2, 2)));
    assertTrue(e.getMessage().contains("[N, 3]"), e.getMessage());
  }
}
