package org.jgrad.nn;

import org.jgrad.autograd.GradMode;
import org.jgrad.nn.functional.F;
import org.jgrad.nn.init.Init;
import org.jgrad.tensor.Tensor;

/**
 * A lookup table: int64 indices of any shape pick rows of a [num, dim] weight, initialised N(0, 1)
 * as in PyTorch. The row at {@code paddingIdx} (if given) starts at zero and gets no gradient.
 *
 * <pre>{@code
 * Embedding emb = new Embedding(10000, 64, 0);
 * Tensor tokens = Tensor.ofLongs(new long[] {5, 17, 0, 0}, 1, 4);
 * Tensor vectors = emb.call(tokens);   // [1, 4, 64]
 * }</pre>
 */
public class Embedding extends Module {
  private final int num, dim;
  private final Integer paddingIdx;

  public Embedding(int numEmbeddings, int embeddingDim) {
    this(numEmbeddings, embeddingDim, null);
  }

  public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
    this.num = Defaults.positive("Embedding", "numEmbeddings", numEmbeddings);
    this.dim = Defaults.positive("Embedding", "embeddingDim", embeddingDim);
    if (paddingIdx != null) {
      if (paddingIdx >= num || paddingIdx < -num) {
        throw new IllegalArgumentException(
            "Embedding: paddingIdx " + paddingIdx + " must be within [-" + num + ", " + num + ")");
      }
      paddingIdx = paddingIdx < 0 ? paddingIdx + num : paddingIdx;
    }
    this.paddingIdx = paddingIdx;
    Tensor w = param("weight", Tensor.zeros(num, dim));
    Init.normal(w, 0, 1);
    if (paddingIdx != null) {
      try (var ng = GradMode.noGrad()) {
        w.select(0, paddingIdx).fill(0);
      }
    }
  }

  public Parameter weight() {
    return parameter("weight");
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.embedding(input, weight(), paddingIdx);
  }

  @Override
  protected String extraRepr() {
    return num + ", " + dim + (paddingIdx == null ? "" : ", padding_idx=" + paddingIdx);
  }
}
