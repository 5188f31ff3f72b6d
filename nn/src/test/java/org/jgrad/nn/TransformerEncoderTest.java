package org.jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Structure and argument checks of {@link TransformerEncoder}; values are in TorchLayerTest. */
class TransformerEncoderTest {
  @Test
  void namesItsChildrenAsPyTorchAndBuildsOneLayerPerIndex() {
    Tensor.manualSeed(1);
    TransformerEncoder enc =
        new TransformerEncoder(
            i -> new TransformerEncoderLayer(8, 2, 16, 0, "relu", 1e-5, true, false),
            3,
            new LayerNorm(8));
    assertEquals(3, enc.numLayers());
    assertEquals(List.of("layers", "norm"), List.copyOf(enc.namedChildren().keySet()));
    assertTrue(enc.stateDict().containsKey("layers.2.self_attn.in_proj_weight"));
    assertTrue(enc.stateDict().containsKey("norm.weight"));
    assertNotSame(enc.layer(0), enc.layer(1));
    assertEquals(enc.layer(2), enc.layer(-1));
    // Each layer is initialised on its own (unlike PyTorch's deep copies).
    Tensor w0 = enc.stateDict().get("layers.0.linear1.weight");
    Tensor w1 = enc.stateDict().get("layers.1.linear1.weight");
    assertTrue(w0.sub(w1).abs().max().item() > 0);
    Tensor y = enc.call(Tensor.randn(2, 5, 8));
    assertEquals(List.of(2, 5, 8), List.of(y.size(0), y.size(1), y.size(2)));
    assertNull(new TransformerEncoder(i -> new TransformerEncoderLayer(8, 2), 1).norm());
  }

  @Test
  void rejectsBadArguments() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TransformerEncoder(i -> new TransformerEncoderLayer(8, 2), 0));
    assertTrue(e.getMessage().contains("TransformerEncoder: numLayers"), e.getMessage());
    var n =
        assertThrows(IllegalArgumentException.class, () -> new TransformerEncoder(i -> null, 2));
    assertTrue(n.getMessage().contains("null for layer 0"), n.getMessage());
  }
}
