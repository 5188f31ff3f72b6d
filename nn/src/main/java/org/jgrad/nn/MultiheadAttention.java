package org.jgrad.nn;

import java.util.Arrays;
import org.jgrad.nn.functional.F;
import org.jgrad.nn.init.Init;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Multi-head scaled dot-product attention (Vaswani et al., 2017), as PyTorch's {@code
 * nn.MultiheadAttention} with equal query/key/value sizes: packed input projection {@code
 * in_proj_weight} [3E, E] (xavier-uniform) and {@code in_proj_bias} (zeros), output projection
 * {@code out_proj} (a Linear with zero bias). Inputs are [L, N, E] (or [N, L, E] with {@code
 * batchFirst}, or unbatched [L, E]).
 *
 * <p>Masks: {@code keyPaddingMask} [N, S] marks keys to ignore (boolean true, or an additive float
 * mask); {@code attnMask} [L, S] or [N·heads, L, S] is boolean (true = not allowed) or additive
 * float. The returned weights are averaged over heads unless asked otherwise, and (as in PyTorch
 * 1.13) are the ones after attention dropout.
 *
 * <pre>{@code
 * MultiheadAttention mha = new MultiheadAttention(16, 4);
 * Tensor x = Tensor.randn(5, 2, 16);                           // [L, N, E]
 * Tensor causal = Tensor.arange(5).unsqueeze(1).lt(Tensor.arange(5).unsqueeze(0));   // true = masked
 * MultiheadAttention.Output out = mha.forward(x, x, x, null, true, causal, true);
 * out.output();    // [5, 2, 16]
 * out.weights();   // [2, 5, 5]
 * }</pre>
 */
public class MultiheadAttention extends Module {
  private final int embedDim, numHeads, headDim;
  private final double dropout;
  private final boolean batchFirst;
  private final Linear outProj;
  private final Generator generator = Generator.defaultGenerator();

  /** Attention output and (optionally) the attention weights. */
  public record Output(Tensor output, Tensor weights) {}

  public MultiheadAttention(int embedDim, int numHeads) {
    this(embedDim, numHeads, 0, true, false);
  }

  public MultiheadAttention(
      int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst) {
    String n = "MultiheadAttention";
    this.embedDim = Defaults.positive(n, "embedDim", embedDim);
    this.numHeads = Defaults.positive(n, "numHeads", numHeads);
    if (embedDim % numHeads != 0) {
      throw new IllegalArgumentException(
          n + ": embedDim " + embedDim + " must be divisible by numHeads " + numHeads);
    }
    if (!(dropout >= 0 && dropout <= 1))
      throw new IllegalArgumentException(n + ": dropout must be in [0, 1], got " + dropout);
    this.headDim = embedDim / numHeads;
    this.dropout = dropout;
    this.batchFirst = batchFirst;
    Tensor w = param("in_proj_weight", Tensor.zeros(3 * embedDim, embedDim));
    if (bias) param("in_proj_bias", Tensor.zeros(3 * embedDim));
    outProj = child("out_proj", new Linear(embedDim, embedDim, bias));
    Init.xavierUniform(w);
    if (bias) Init.zeros(outProj.bias());
  }

  public Linear outProj() {
    return outProj;
  }

  /** Self-attention without masks; returns the output only. */
  @Override
  public Tensor forward(Tensor x) {
    return attend(x, x, x, null, false, null, true).output();
  }

  /**
   * Full attention. {@code needWeights} false leaves {@link Output#weights()} null; {@code
   * averageAttnWeights} averages them over heads ([N, L, S]) instead of [N, heads, L, S].
   */
  public Output forward(
      Tensor query,
      Tensor key,
      Tensor value,
      Tensor keyPaddingMask,
      boolean needWeights,
      Tensor attnMask,
      boolean averageAttnWeights) {
    Output out =
        attend(query, key, value, keyPaddingMask, needWeights, attnMask, averageAttnWeights);
    runHooks(out.output());
    return out;
  }

  private Output attend(
      Tensor query,
      Tensor key,
      Tensor value,
      Tensor keyPaddingMask,
      boolean needWeights,
      Tensor attnMask,
      boolean averageAttnWeights) {
    String n = "MultiheadAttention";
    boolean unbatched = query.dim() == 2;
    int rank = unbatched ? 2 : 3;
    if ((query.dim() != 3 && !unbatched) || key.dim() != rank || value.dim() != rank) {
      throw new IllegalArgumentException(
          n
              + ": expected query, key and value all 3-D (or all 2-D unbatched), got "
              + Arrays.toString(query.shape())
              + ", "
              + Arrays.toString(key.shape())
              + ", "
              + Arrays.toString(value.shape()));
    }
    Tensor q = query, k = key, v = value;
    if (unbatched) {
      q = q.unsqueeze(1);
      k = k.unsqueeze(1);
      v = v.unsqueeze(1);
      if (keyPaddingMask != null) keyPaddingMask = keyPaddingMask.unsqueeze(0);
    } else if (batchFirst) {
      q = q.transpose(0, 1);
      k = k.transpose(0, 1);
      v = v.transpose(0, 1);
    }
    int len = q.size(0), batch = q.size(1), src = k.size(0);
    if (q.size(2) != embedDim || k.size(2) != embedDim || v.size(2) != embedDim) {
      throw new IllegalArgumentException(
          n
              + ": expected embedding size "
              + embedDim
              + " in query, key and value, got "
              + Arrays.toString(query.shape())
              + ", "
              + Arrays.toString(key.shape())
              + ", "
              + Arrays.toString(value.shape()));
    }
    if (k.size(1) != batch || v.size(1) != batch || v.size(0) != src) {
      throw new IllegalArgumentException(
          n
              + ": key "
              + Arrays.toString(key.shape())
              + " and value "
              + Arrays.toString(value.shape())
              + " do not match query "
              + Arrays.toString(query.shape()));
    }
    Tensor w = parameter("in_proj_weight"), b = parameter("in_proj_bias");
    int e = embedDim;
    Tensor qp = F.linear(q, w.narrow(0, 0, e), b == null ? null : b.narrow(0, 0, e));
    Tensor kp = F.linear(k, w.narrow(0, e, e), b == null ? null : b.narrow(0, e, e));
    Tensor vp = F.linear(v, w.narrow(0, 2 * e, e), b == null ? null : b.narrow(0, 2 * e, e));
    // [L, N, E] -> [N·heads, L, headDim]
    qp = qp.reshape(len, batch * numHeads, headDim).transpose(0, 1);
    kp = kp.reshape(src, batch * numHeads, headDim).transpose(0, 1);
    vp = vp.reshape(src, batch * numHeads, headDim).transpose(0, 1);

    Tensor mask = null;
    if (attnMask != null) {
      if (attnMask.dim() == 2) {
        if (attnMask.size(0) != len || attnMask.size(1) != src) {
          throw new IllegalArgumentException(
              n
                  + ": 2-D attnMask must be ["
                  + len
                  + ", "
                  + src
                  + "], got "
                  + Arrays.toString(attnMask.shape()));
        }
        mask = F.additiveMask(attnMask, qp).unsqueeze(0);
      } else if (attnMask.dim() == 3) {
        if (attnMask.size(0) != batch * numHeads
            || attnMask.size(1) != len
            || attnMask.size(2) != src) {
          throw new IllegalArgumentException(
              n
                  + ": 3-D attnMask must be ["
                  + batch * numHeads
                  + ", "
                  + len
                  + ", "
                  + src
                  + "], got "
                  + Arrays.toString(attnMask.shape()));
        }
        mask = F.additiveMask(attnMask, qp);
      } else {
        throw new IllegalArgumentException(
            n + ": attnMask must be 2-D or 3-D, got " + Arrays.toString(attnMask.shape()));
      }
    }
    if (keyPaddingMask != null) {
      if (keyPaddingMask.dim() != 2
          || keyPaddingMask.size(0) != batch
          || keyPaddingMask.size(1) != src) {
        throw new IllegalArgumentException(
            n
                + ": keyPaddingMask must be ["
                + batch
                + ", "
                + src
                + "], got "
                + Arrays.toString(keyPaddingMask.shape()));
      }
      Tensor kpm =
          F.additiveMask(keyPaddingMask, qp)
              .reshape(batch, 1, 1, src)
              .expand(batch, numHeads, 1, src)
              .reshape(batch * numHeads, 1, src);
      mask = mask == null ? kpm : mask.add(kpm);
    }
    Tensor scores = qp.div(Math.sqrt(headDim)).matmul(kp.transpose(1, 2));
    if (mask != null) scores = scores.add(mask);
    Tensor attn =
        F.dropout(scores.softmax(-1), dropout, isTraining(), generator); // [N·heads, L, S]
    Tensor ctx = attn.matmul(vp).transpose(0, 1).reshape(len * batch, e);
    Tensor out = outProj.call(ctx).reshape(len, batch, e);
    Tensor weights = null;
    if (needWeights) {
      weights = attn.reshape(batch, numHeads, len, src);
      if (averageAttnWeights) weights = weights.mean(1, false);
      if (unbatched) weights = weights.squeeze(0);
    }
    if (unbatched) out = out.squeeze(1);
    else if (batchFirst) out = out.transpose(0, 1);
    return new Output(out, weights);
  }

  @Override
  protected String extraRepr() {
    return "embed_dim="
        + embedDim
        + ", num_heads="
        + numHeads
        + (dropout != 0 ? ", dropout=" + dropout : "")
        + (batchFirst ? ", batch_first=true" : "");
  }
}
