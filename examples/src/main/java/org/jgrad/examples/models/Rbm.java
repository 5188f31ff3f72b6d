package org.jgrad.examples.models;

import java.util.ArrayList;
import java.util.List;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.DType;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * A Bernoulli–Bernoulli restricted Boltzmann machine with energy E(v, h) = −bᵀv − cᵀh − vᵀWh,
 * trained by contrastive divergence (CD-k) or persistent CD, with block Gibbs sampling, the free
 * energy, the stochastic pseudo-log-likelihood and clamped Gibbs in-painting. Its tensors are plain
 * (no autograd): the CD update is the difference of two expectations, not the gradient of a loss
 * one can write down, so it is applied by hand.
 *
 * <pre>{@code
 * Rbm rbm = new Rbm(784, 256, new Generator(0));
 * rbm.initVisibleBias(binaryTrainImages);            // b = logit of the pixel means
 * for (Tensor v : batches) rbm.cd(v, 1, 0.05, 0.5, 1e-4, g);
 * double pl = rbm.pseudoLikelihood(testImages, new Generator(1));
 * Tensor start = Rbm.bernoulli(Tensor.full(0.5, 16, 784), g);   // random bits
 * List<Tensor> samples = rbm.gibbs(start, new int[] {1, 1000}, g);   // after 1 and 1000 steps
 * }</pre>
 */
public final class Rbm {
  private final int visible;
  private final int hidden;
  private final Tensor w; // [visible, hidden]
  private final Tensor b; // [visible]
  private final Tensor c; // [hidden]
  private final Tensor dW;
  private final Tensor db;
  private final Tensor dc;

  /** Weights N(0, 0.01²), biases zero (Hinton's practical guide). */
  public Rbm(int visible, int hidden, Generator g) {
    if (visible < 1 || hidden < 1) {
      throw new IllegalArgumentException(
          "Rbm: visible and hidden sizes must be positive, got " + visible + ", " + hidden);
    }
    this.visible = visible;
    this.hidden = hidden;
    this.w = Tensor.randn(g, visible, hidden).mul(0.01);
    this.b = Tensor.zeros(visible);
    this.c = Tensor.zeros(hidden);
    this.dW = Tensor.zeros(visible, hidden);
    this.db = Tensor.zeros(visible);
    this.dc = Tensor.zeros(hidden);
  }

  /** An RBM with the given parameters (copied), e.g. for tests. */
  public static Rbm of(Tensor w, Tensor b, Tensor c) {
    Rbm r = new Rbm(w.size(0), w.size(1), new Generator(0));
    r.w.copyFrom(w.to(DType.FLOAT32));
    r.b.copyFrom(b.to(DType.FLOAT32));
    r.c.copyFrom(c.to(DType.FLOAT32));
    return r;
  }

  public int visible() {
    return visible;
  }

  public int hidden() {
    return hidden;
  }

  /** The weights [visible, hidden] (live: changes with training). */
  public Tensor weight() {
    return w;
  }

  public Tensor visibleBias() {
    return b;
  }

  public Tensor hiddenBias() {
    return c;
  }

  /** Sets the visible biases to log(p / (1 − p)) of the pixel means p of {@code data}. */
  public void initVisibleBias(Tensor data) {
    check("initVisibleBias", data);
    Tensor p = data.mean(0, false).clamp(1e-3, 1 - 1e-3);
    b.copyFrom(p.log().sub(p.neg().add(1).log()));
  }

  /** p(h = 1 | v) = σ(vW + c), [n, hidden]. */
  public Tensor hiddenProb(Tensor v) {
    return v.matmul(w).add(c).sigmoid();
  }

  /** p(v = 1 | h) = σ(hWᵀ + b), [n, visible]. */
  public Tensor visibleProb(Tensor h) {
    return h.matmul(w.t()).add(b).sigmoid();
  }

  /** 0/1 float samples with P(1) = p, elementwise. */
  public static Tensor bernoulli(Tensor p, Generator g) {
    return Tensor.rand(g, p.shape()).lt(p).to(DType.FLOAT32);
  }

  /** F(v) = −bᵀv − Σⱼ softplus(cⱼ + (vW)ⱼ), so that p(v) ∝ exp(−F(v)); one value per row. */
  public Tensor freeEnergy(Tensor v) {
    try (var ng = GradMode.noGrad()) {
      Tensor vb = v.mul(b).sum(1, false);
      return vb.add(v.matmul(w).add(c).softplus().sum(1, false)).neg();
    }
  }

  /**
   * One CD-k update on the batch {@code v0} ([n, visible], 0/1): the chain starts at the data.
   * Returns the batch's mean squared reconstruction error after the first Gibbs step.
   */
  public double cd(Tensor v0, int k, double lr, double momentum, double weightDecay, Generator g) {
    check("cd", v0);
    try (var ng = GradMode.noGrad()) {
      Tensor ph0 = hiddenProb(v0);
      Chain neg = run(bernoulli(ph0, g), k, g);
      update(v0, ph0, neg.v, hiddenProb(neg.v), lr, momentum, weightDecay);
      return neg.firstReconstruction.sub(v0).square().mean().item();
    }
  }

  /**
   * One persistent-CD update: the negative statistics come from {@code chains} ([m, visible]),
   * advanced k Gibbs steps from where the last update left them. Returns the new chain states.
   */
  public Tensor pcd(
      Tensor v0,
      Tensor chains,
      int k,
      double lr,
      double momentum,
      double weightDecay,
      Generator g) {
    check("pcd", v0);
    check("pcd", chains);
    try (var ng = GradMode.noGrad()) {
      Tensor ph0 = hiddenProb(v0);
      Chain neg = run(bernoulli(hiddenProb(chains), g), k, g);
      update(v0, ph0, neg.v, hiddenProb(neg.v), lr, momentum, weightDecay);
      return neg.v;
    }
  }

  private record Chain(Tensor v, Tensor firstReconstruction) {}

  // k steps v ~ p(v|h), h ~ p(h|v) starting from hidden samples h.
  private Chain run(Tensor h, int k, Generator g) {
    if (k < 1) throw new IllegalArgumentException("Rbm: k must be at least 1, got " + k);
    Tensor v = null, first = null;
    for (int s = 0; s < k; s++) {
      Tensor pv = visibleProb(h);
      if (first == null) first = pv;
      v = bernoulli(pv, g);
      if (s < k - 1) h = bernoulli(hiddenProb(v), g);
    }
    return new Chain(v, first);
  }

  private void update(
      Tensor v0,
      Tensor ph0,
      Tensor vk,
      Tensor phk,
      double lr,
      double momentum,
      double weightDecay) {
    double n0 = v0.size(0), nk = vk.size(0);
    Tensor gW = v0.t().matmul(ph0).mul(1 / n0).sub(vk.t().matmul(phk).mul(1 / nk));
    if (weightDecay != 0) gW = gW.sub(w.mul(weightDecay));
    Tensor gb = v0.mean(0, false).sub(vk.mean(0, false));
    Tensor gc = ph0.mean(0, false).sub(phk.mean(0, false));
    dW.mulInPlace(momentum).addInPlace(gW, lr);
    db.mulInPlace(momentum).addInPlace(gb, lr);
    dc.mulInPlace(momentum).addInPlace(gc, lr);
    w.addInPlace(dW);
    b.addInPlace(db);
    c.addInPlace(dc);
  }

  /**
   * Runs block Gibbs sampling from {@code v} and returns p(v | h) of the states after each step
   * count listed in {@code after} (ascending), e.g. {1, 10, 100, 1000}.
   */
  public List<Tensor> gibbs(Tensor v, int[] after, Generator g) {
    check("gibbs", v);
    List<Tensor> out = new ArrayList<>();
    try (var ng = GradMode.noGrad()) {
      int step = 0;
      for (int target : after) {
        if (target < step + 1) {
          throw new IllegalArgumentException(
              "Rbm.gibbs: step counts must be ascending and positive, got "
                  + java.util.Arrays.toString(after));
        }
        Tensor pv = null;
        while (step < target) {
          pv = visibleProb(bernoulli(hiddenProb(v), g));
          v = bernoulli(pv, g);
          step++;
        }
        out.add(pv);
      }
    }
    return out;
  }

  /**
   * Stochastic pseudo-log-likelihood per image (as scikit-learn's {@code score_samples}): for one
   * random pixel i per row, visible · log σ(F(ṽ) − F(v)) with ṽ = v with pixel i flipped; the mean
   * over rows. Its expectation over i is Σᵢ log p(vᵢ | v₋ᵢ).
   */
  public double pseudoLikelihood(Tensor v, Generator g) {
    return pseudoLikelihoodTerms(v, g).mean().item();
  }

  /**
   * The per-row terms whose mean is {@link #pseudoLikelihood}: their spread gives the estimate's
   * standard error.
   */
  public Tensor pseudoLikelihoodTerms(Tensor v, Generator g) {
    check("pseudoLikelihood", v);
    try (var ng = GradMode.noGrad()) {
      Tensor flip = Tensor.randint(g, 0, visible, v.size(0)).oneHot(visible).to(DType.FLOAT32);
      Tensor vFlip = v.add(flip.mul(v.mul(-2).add(1)));
      Tensor diff = freeEnergy(vFlip).sub(freeEnergy(v));
      // log σ(x) = −softplus(−x), stable for large |x|
      return diff.neg().softplus().neg().mul(visible);
    }
  }

  /**
   * Fills the pixels where {@code known} is 0 by Gibbs sampling with the others clamped to {@code
   * v}: {@code steps} steps from random bits, returning the mean of p(v | h) over the last half of
   * the steps at the unknown pixels (the known ones are copied from {@code v}).
   */
  public Tensor inpaint(Tensor v, Tensor known, int steps, Generator g) {
    check("inpaint", v);
    if (known.numel() != visible) {
      throw new IllegalArgumentException(
          "Rbm.inpaint: mask has " + known.numel() + " entries, expected " + visible);
    }
    try (var ng = GradMode.noGrad()) {
      Tensor unknown = known.neg().add(1);
      Tensor clamped = v.mul(known);
      Tensor cur = clamped.add(bernoulli(Tensor.full(0.5, v.shape()), g).mul(unknown));
      Tensor sum = Tensor.zeros(v.shape());
      int burn = steps / 2, kept = 0;
      for (int s = 0; s < steps; s++) {
        Tensor pv = visibleProb(bernoulli(hiddenProb(cur), g));
        cur = clamped.add(bernoulli(pv, g).mul(unknown));
        if (s >= burn) {
          sum.addInPlace(pv);
          kept++;
        }
      }
      return clamped.add(sum.mul(1.0 / kept).mul(unknown));
    }
  }

  private void check(String op, Tensor v) {
    if (v.dim() != 2 || v.size(1) != visible) {
      throw new IllegalArgumentException(
          "Rbm."
              + op
              + ": expected [n, "
              + visible
              + "] visible states, got "
              + java.util.Arrays.toString(v.shape()));
    }
  }
}
