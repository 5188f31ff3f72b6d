package org.jgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricTest {

  @Test
  void accuracyForClassesBinaryAndOneHot() {
    Metric acc = Metric.accuracy();
    acc.reset();
    assertTrue(Double.isNaN(acc.value()));
    acc.update(
        Tensor.of(new float[] {0.1f, 0.9f, 0.8f, 0.2f, 0.3f, 0.7f}, 3, 2),
        Tensor.ofLongs(new long[] {1, 0, 0}));
    assertEquals(2.0 / 3, acc.value(), 1e-12);
    acc.update(Tensor.of(new float[] {0.9f, 0.1f}, 1, 2), Tensor.ofLongs(new long[] {0}));
    assertEquals(3.0 / 4, acc.value(), 1e-12);

    Metric bin = Metric.accuracy();
    bin.reset();
    bin.update(
        Tensor.of(new float[] {0.2f, 0.6f, 0.5f, 0.4f}, 4, 1),
        Tensor.of(new float[] {0, 1, 0, 1}, 4, 1));
    assertEquals(0.5, bin.value(), 1e-12);

    Metric logits = Metric.binaryAccuracy(0);
    logits.reset();
    logits.update(Tensor.of(new float[] {-2, 3}), Tensor.of(new float[] {0, 1}));
    assertEquals(1.0, logits.value());

    Metric oneHot = Metric.accuracy();
    oneHot.reset();
    oneHot.update(
        Tensor.of(new float[] {0.1f, 0.9f, 0.8f, 0.2f}, 2, 2),
        Tensor.of(new float[] {0, 1, 0, 1}, 2, 2));
    assertEquals(0.5, oneHot.value());

    assertThrows(
        IllegalArgumentException.class,
        () ->
            acc.update(
                Tensor.of(new float[] {0.1f, 0.9f}, 1, 2), Tensor.ofLongs(new long[] {0, 1})));
  }

  @Test
  void meanMetricWeightsByBatchSize() {
    Metric mae = Metric.mean("mae", (o, y) -> o.sub(y).abs().mean().item());
    mae.reset();
    mae.update(Tensor.of(new float[] {1, 1, 1}), Tensor.of(new float[] {0, 0, 0})); // 1.0 over 3
    mae.update(Tensor.of(new float[] {4}), Tensor.of(new float[] {0})); // 4.0 over 1
    assertEquals(7.0 / 4, mae.value(), 1e-12);
    assertEquals("mae", mae.name());
  }

  @Test
  void historyCsvRoundTripAndMissingValues(@TempDir Path dir) throws Exception {
    History h = new History();
    Map<String, Double> r1 = new LinkedHashMap<>();
    r1.put("epoch", 1.0);
    r1.put("loss", 0.5);
    h.add(r1);
    Map<String, Double> r2 = new LinkedHashMap<>(r1);
    r2.put("epoch", 2.0);
    r2.put("loss", 0.25);
    r2.put("val_loss", 0.3);
    h.add(r2);
    assertEquals("epoch,loss,val_loss\n1,0.5,\n2,0.25,0.3\n", h.toCsv());
    h.writeCsv(dir.resolve("sub/h.csv"));
    History back = History.readCsv(dir.resolve("sub/h.csv"));
    assertEquals(h.toCsv(), back.toCsv());
    assertEquals(0.25, back.min("loss"));
    assertTrue(Double.isNaN(back.column("val_loss")[0]));
    h.plot(dir.resolve("h.png"));
    assertTrue(java.nio.file.Files.size(dir.resolve("h.png")) > 1000);
  }
}
