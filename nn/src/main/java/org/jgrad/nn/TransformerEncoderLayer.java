package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * One Transformer encoder block: self-attention and a two-layer feed-forward network, each with a
 * residual connection and layer normalisation, either after the residual sum (post-norm, the
 * original) or before the sub-layer ({@code normFirst}, pre-norm). Children are named as in
 * PyTorch: {@code self_attn}, {@code linear1}, {@code dropout}, {@code linear2}, {@code norm1},
 * {@code norm2}, {@code dropout1}, {@code dropout2}.
 *
 * <pre>{@code
 * TransformerEncoderLayer layer = new TransformerEncoderLayer(64, 4, 256, 0.1, "gelu", 1e-5, true, true);
 * Tensor y = layer.call(Tensor.randn(8, 20, 64));                      // [N, L, E] with batchFirst
 * Tensor z = layer.forward(x, null, paddingMask);                      // [N, S] boolean padding mask
 * }</pre>
 */
public class TransformerEncoderLayer extends Module {
  private final MultiheadAttention selfAttn;
  private final Linear linear1, linear2;
  private final Dropout dropout, dropout1, dropout2;
  private final LayerNorm norm1, norm2;
  private final String activation;
  private final boolean normFirst;

  /**
   * PyTorch's defaults: feed-forward 2048, dropout 0.1, relu, eps 1e-5, sequence first, post-norm.
   */
  public TransformerEncoderLayer(int dModel, int nhead) {
    this(dModel, nhead, 2048, 0.1, "relu", 1e-5, false, false);
  }

  public TransformerEncoderLayer(
      int dModel,
      int nhead,
      int dimFeedforward,
      double dropout,
      String activation,
      double layerNormEps,
      boolean batchFirst,
      boolean normFirst) {
    if (!activation.equals("relu") && !activation.equals("gelu")) {
      throw new IllegalArgumentException(
          "TransformerEncoderLayer: activation must be \"relu\" or \"gelu\", got \""
              + activation
              + "\"");
    }
    selfAttn = child("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst));
    linear1 = child("linear1", new Linear(dModel, dimFeedforward));
    this.dropout = child("dropout", new Dropout(dropout));
    linear2 = child("linear2", new Linear(dimFeedforward, dModel));
    norm1 = child("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true));
    norm2 = child("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true));
    dropout1 = child("dropout1", new Dropout(dropout));
    dropout2 = child("dropout2", new Dropout(dropout));
    this.activation = activation;
    this.normFirst = normFirst;
  }

  @Override
  public Tensor forward(Tensor src) {
    return encode(src, null, null);
  }

  /** With an optional attention mask ([L, L] or [N·heads, L, L]) and key padding mask ([N, L]). */
  public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
    return runHooks(encode(src, srcMask, srcKeyPaddingMask));
  }

  private Tensor encode(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
    Tensor x = src;
    if (normFirst) {
      x = x.add(selfAttention(norm1.call(x), srcMask, srcKeyPaddingMask));
      x = x.add(feedForward(norm2.call(x)));
    } else {
      x = norm1.call(x.add(selfAttention(x, srcMask, srcKeyPaddingMask)));
      x = norm2.call(x.add(feedForward(x)));
    }
    return x;
  }

  private Tensor selfAttention(Tensor x, Tensor mask, Tensor keyPadding) {
    return dropout1.call(selfAttn.forward(x, x, x, keyPadding, false, mask, true).output());
  }

  private Tensor feedForward(Tensor x) {
    Tensor h = linear1.call(x);
    h = activation.equals("relu") ? F.relu(h) : F.gelu(h);
    return dropout2.call(linear2.call(dropout.call(h)));
  }

  @Override
  protected String extraRepr() {
    return normFirst ? "norm_first=true" : "";
  }
}
