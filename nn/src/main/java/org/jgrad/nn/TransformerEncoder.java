package org.jgrad.nn;

import java.util.function.IntFunction;
import org.jgrad.tensor.Tensor;

/**
 * A stack of {@link TransformerEncoderLayer}s applied in turn, with an optional final layer
 * normalisation, as PyTorch's {@code nn.TransformerEncoder}. Children are named as in PyTorch:
 * {@code layers.0}, {@code layers.1}, … and {@code norm}, so a PyTorch state dict loads as is.
 *
 * <p>PyTorch deep-copies one prototype layer, so all its layers start from the same weights; here a
 * factory builds each layer, which gives every layer its own initialisation (load a state dict to
 * reproduce PyTorch's identical start). A final norm is what pre-norm stacks ({@code normFirst})
 * need, since their last residual sum is otherwise not normalised.
 *
 * <pre>{@code
 * TransformerEncoder enc = new TransformerEncoder(
 *     i -> new TransformerEncoderLayer(64, 4, 128, 0.1, "gelu", 1e-5, true, true), 6, new LayerNorm(64));
 * Tensor y = enc.call(Tensor.randn(8, 17, 64));                // [N, L, E] with batchFirst
 * Tensor z = enc.forward(x, null, paddingMask);                // [N, L] boolean padding mask
 * }</pre>
 */
public class TransformerEncoder extends Module {
  private final ModuleList layers;
  private final LayerNorm norm;

  /**
   * {@code numLayers} layers made by {@code layer} (called with the layer index), then {@code norm}
   * (may be null for none).
   */
  public TransformerEncoder(
      IntFunction<? extends TransformerEncoderLayer> layer, int numLayers, LayerNorm norm) {
    Defaults.positive("TransformerEncoder", "numLayers", numLayers);
    layers = child("layers", new ModuleList());
    for (int i = 0; i < numLayers; i++) {
      TransformerEncoderLayer l = layer.apply(i);
      if (l == null) {
        throw new IllegalArgumentException(
            "TransformerEncoder: the layer factory returned null for layer " + i);
      }
      layers.add(l);
    }
    this.norm = norm == null ? null : child("norm", norm);
  }

  /** Without a final norm. */
  public TransformerEncoder(IntFunction<? extends TransformerEncoderLayer> layer, int numLayers) {
    this(layer, numLayers, null);
  }

  /** The number of layers. */
  public int numLayers() {
    return layers.size();
  }

  /** Layer {@code i} (negative counts from the end). */
  public TransformerEncoderLayer layer(int i) {
    return (TransformerEncoderLayer) layers.get(i);
  }

  /** The final norm, or null. */
  public LayerNorm norm() {
    return norm;
  }

  @Override
  public Tensor forward(Tensor src) {
    return encode(src, null, null);
  }

  /**
   * With an optional attention mask ([L, L] or [N·heads, L, L]) and key padding mask ([N, L]), both
   * passed to every layer.
   */
  public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
    return runHooks(encode(src, mask, srcKeyPaddingMask));
  }

  private Tensor encode(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
    Tensor x = src;
    for (Module l : layers) x = ((TransformerEncoderLayer) l).forward(x, mask, srcKeyPaddingMask);
    return norm == null ? x : norm.call(x);
  }
}
