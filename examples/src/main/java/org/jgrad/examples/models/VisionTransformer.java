package org.jgrad.examples.models;

import org.jgrad.nn.Conv2d;
import org.jgrad.nn.LayerNorm;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.Parameter;
import org.jgrad.nn.TransformerEncoder;
import org.jgrad.nn.TransformerEncoderLayer;
import org.jgrad.tensor.Tensor;

/**
 * A small Vision Transformer (Dosovitskiy et al., 2020) for single-channel images: non-overlapping
 * patches embedded by a convolution with kernel = stride = patch size, a learned class token
 * prepended, learned positional embeddings added, a pre-norm {@link TransformerEncoder} (GELU,
 * final layer norm), and a linear head on the class token's output.
 *
 * <pre>{@code
 * VisionTransformer vit = new VisionTransformer(28, 7, 1, 64, 2, 4, 128, 10);
 * Tensor logits = vit.call(images);       // [N, 1, 28, 28] -> [N, 10]
 * }</pre>
 */
public final class VisionTransformer extends Module {
  private final Conv2d patchEmbed;
  private final Parameter clsToken, posEmbed;
  private final TransformerEncoder encoder;
  private final Linear head;
  private final int dim, patches;

  public VisionTransformer(
      int imageSize,
      int patch,
      int channels,
      int dim,
      int depth,
      int heads,
      int mlpDim,
      int classes) {
    if (imageSize % patch != 0) {
      throw new IllegalArgumentException(
          "VisionTransformer: image size " + imageSize + " is not a multiple of patch " + patch);
    }
    this.dim = dim;
    int side = imageSize / patch;
    this.patches = side * side;
    patchEmbed = child("patch_embed", new Conv2d(channels, dim, patch, patch, 0));
    // Small random starts, as the reference implementation's truncated normal with std 0.02.
    clsToken = param("cls_token", Tensor.randn(1, 1, dim).mul(0.02));
    posEmbed = param("pos_embed", Tensor.randn(1, patches + 1, dim).mul(0.02));
    encoder =
        child(
            "encoder",
            new TransformerEncoder(
                i -> new TransformerEncoderLayer(dim, heads, mlpDim, 0.0, "gelu", 1e-5, true, true),
                depth,
                new LayerNorm(dim)));
    head = child("head", new Linear(dim, classes));
  }

  /** The number of patches (tokens without the class token). */
  public int patches() {
    return patches;
  }

  @Override
  public Tensor forward(Tensor x) {
    int n = x.size(0);
    Tensor tokens = patchEmbed.call(x).flatten(2, 3).transpose(1, 2); // [N, patches, dim]
    Tensor cls = clsToken.expand(n, 1, dim);
    Tensor seq = Tensor.cat(1, cls, tokens).add(posEmbed); // [N, patches + 1, dim]
    return head.call(encoder.call(seq).select(1, 0));
  }
}
