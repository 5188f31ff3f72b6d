package org.jgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

class EarlyStoppingTest {

  @Test
  void stopsAfterPatienceEpochsWithoutImprovementAndRestoresBestWeights() {
    Tensor w = Tensor.of(new double[] {0}).requiresGrad(true);
    Map<String, Tensor> model = new LinkedHashMap<>(Map.of("w", w));
    EarlyStopping es =
        new EarlyStopping(EarlyStopping.Mode.MIN, 3, 0.01)
            .restoreBestWeights(
                () -> model,
                state -> {
                  try (var ng = GradMode.noGrad()) {
                    model.get("w").copyFrom(state.get("w"));
                  }
                });
    // epoch:          0    1     2      3     4     5     6
    double[] loss = {1.0, 0.8, 0.795, 0.79, 0.85, 0.9, 0.81};
    boolean[] stop = {false, false, false, false, true, true, true};
    for (int e = 0; e < loss.length; e++) {
      try (var ng = GradMode.noGrad()) {
        w.fill(e); // the weights "trained" in epoch e
      }
      assertEquals(stop[e], es.step(loss[e]), "epoch " + e);
      if (es.shouldStop()) break;
    }
    // 0.795 and 0.79 are within minDelta of 0.8, so epoch 1 stays the best
    assertEquals(0.8, es.best());
    assertEquals(1, es.bestEpoch());
    assertArrayEquals(new double[] {1}, w.toDoubleArray(), "best weights restored");
    assertTrue(es.shouldStop());
  }

  @Test
  void maxModeAndNaN() {
    EarlyStopping es = new EarlyStopping(EarlyStopping.Mode.MAX, 2, 0);
    assertFalse(es.step(0.5));
    assertFalse(es.step(0.6));
    assertFalse(es.step(Double.NaN));
    assertEquals(1, es.epochsWithoutImprovement());
    assertFalse(es.step(0.7));
    assertEquals(0, es.epochsWithoutImprovement());
    assertFalse(es.step(0.7));
    assertTrue(es.step(0.69));
    assertFalse(es.restoreBest(), "no restore configured");
  }

  @Test
  void snapshotsAreCopies() {
    Tensor w = Tensor.of(new double[] {1, 2});
    EarlyStopping es =
        new EarlyStopping(EarlyStopping.Mode.MIN, 1, 0)
            .restoreBestWeights(() -> Map.of("w", w), s -> {});
    es.step(1.0);
    w.fill(7);
    assertArrayEquals(new double[] {1, 2}, es.bestState().get("w").toDoubleArray());
  }

  @Test
  void badSettingsAreRejected() {
    assertThrows(
        IllegalArgumentException.class, () -> new EarlyStopping(EarlyStopping.Mode.MIN, 0, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new EarlyStopping(EarlyStopping.Mode.MIN, 1, -1));
  }
}
