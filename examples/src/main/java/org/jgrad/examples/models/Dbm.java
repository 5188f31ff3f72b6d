package org.jgrad.examples.models;

import org.jgrad.autograd.GradMode;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * A two-layer Bernoulli deep Boltzmann machine v – h1 – h2 with energy E = −bᵀv − c1ᵀh1 − c2ᵀh2 −
 * vᵀW1h1 − h1ᵀW2h2 (Salakhutdinov and Hinton, 2009): initialised from two greedily trained {@link
 * Rbm}s, then trained jointly with a mean-field positive phase and persistent Gibbs chains for the
 * negative phase. Plain tensors, no autograd, as in {@link Rbm}.
 *
 * <pre>{@code
 * Dbm dbm = Dbm.fromRbms(rbm1, rbm2);          // rbm2 was trained on rbm1's hidden probabilities
 * Tensor[] chains = dbm.randomChains(100, g);  // {v, h1, h2}
 * for (Tensor v : batches) chains = dbm.step(v, chains, 10, 0.01, 2e-4, g);
 * Tensor samples = dbm.visibleMean(dbm.sample(chains, 1000, g));
 * }</pre>
 */
public final class Dbm {
  private final Tensor w1; // [visible, h1]
  private final Tensor w2; // [h1, h2]
  private final Tensor b; // [visible]
  private final Tensor c1; // [h1]
  private final Tensor c2; // [h2]

  private Dbm(Tensor w1, Tensor w2, Tensor b, Tensor c1, Tensor c2) {
    this.w1 = w1;
    this.w2 = w2;
    this.b = b;
    this.c1 = c1;
    this.c2 = c2;
  }

  /**
   * A DBM whose layers start from {@code bottom} (v–h1) and {@code top} (h1–h2; its visible layer
   * is h1). h1 then receives input from both sides, which the joint training rebalances; the biases
   * of h1 are the mean of bottom's hidden and top's visible biases.
   */
  public static Dbm fromRbms(Rbm bottom, Rbm top) {
    if (bottom.hidden() != top.visible()) {
      throw new IllegalArgumentException(
          "Dbm.fromRbms: the bottom RBM has "
              + bottom.hidden()
              + " hidden units but the top one has "
              + top.visible()
              + " visible units");
    }
    return new Dbm(
        bottom.weight().clone(),
        top.weight().clone(),
        bottom.visibleBias().clone(),
        bottom.hiddenBias().add(top.visibleBias()).mul(0.5),
        top.hiddenBias().clone());
  }

  public int visible() {
    return w1.size(0);
  }

  public int hidden1() {
    return w1.size(1);
  }

  public int hidden2() {
    return w2.size(1);
  }

  /** First-layer weights [visible, h1] (live). */
  public Tensor weight1() {
    return w1;
  }

  /** Second-layer weights [h1, h2] (live). */
  public Tensor weight2() {
    return w2;
  }

  /** Mean-field posterior {μ1, μ2} of the hidden layers given {@code v}, {@code iters} updates. */
  public Tensor[] meanField(Tensor v, int iters) {
    try (var ng = GradMode.noGrad()) {
      Tensor vIn = v.matmul(w1).add(c1);
      // bottom-up start with doubled input to h1, which stands in for the missing top-down input
      Tensor mu1 = vIn.add(v.matmul(w1)).sigmoid();
      Tensor mu2 = mu1.matmul(w2).add(c2).sigmoid();
      for (int t = 0; t < iters; t++) {
        mu1 = vIn.add(mu2.matmul(w2.t())).sigmoid();
        mu2 = mu1.matmul(w2).add(c2).sigmoid();
      }
      return new Tensor[] {mu1, mu2};
    }
  }

  /** {@code n} chains {v, h1, h2} of random bits. */
  public Tensor[] randomChains(int n, Generator g) {
    return new Tensor[] {
      Rbm.bernoulli(Tensor.full(0.5, n, visible()), g),
      Rbm.bernoulli(Tensor.full(0.5, n, hidden1()), g),
      Rbm.bernoulli(Tensor.full(0.5, n, hidden2()), g)
    };
  }

  /**
   * {@code steps} Gibbs sweeps of the chains {v, h1, h2}: h1 given (v, h2), then v and h2 given h1.
   */
  public Tensor[] sample(Tensor[] chains, int steps, Generator g) {
    try (var ng = GradMode.noGrad()) {
      Tensor v = chains[0], h1 = chains[1], h2 = chains[2];
      for (int s = 0; s < steps; s++) {
        h1 = Rbm.bernoulli(v.matmul(w1).add(h2.matmul(w2.t())).add(c1).sigmoid(), g);
        v = Rbm.bernoulli(h1.matmul(w1.t()).add(b).sigmoid(), g);
        h2 = Rbm.bernoulli(h1.matmul(w2).add(c2).sigmoid(), g);
      }
      return new Tensor[] {v, h1, h2};
    }
  }

  /** p(v = 1 | h1) of the chains, for showing samples as grey images. */
  public Tensor visibleMean(Tensor[] chains) {
    try (var ng = GradMode.noGrad()) {
      return chains[1].matmul(w1.t()).add(b).sigmoid();
    }
  }

  /**
   * One joint update on the batch {@code v}: data statistics from {@code meanFieldIters} mean-field
   * updates, model statistics from the persistent chains after one Gibbs sweep. Returns the new
   * chains.
   */
  public Tensor[] step(
      Tensor v, Tensor[] chains, int meanFieldIters, double lr, double weightDecay, Generator g) {
    if (v.dim() != 2 || v.size(1) != visible()) {
      throw new IllegalArgumentException(
          "Dbm.step: expected [n, "
              + visible()
              + "] visible states, got "
              + java.util.Arrays.toString(v.shape()));
    }
    try (var ng = GradMode.noGrad()) {
      Tensor[] mu = meanField(v, meanFieldIters);
      Tensor[] neg = sample(chains, 1, g);
      double n = v.size(0), m = neg[0].size(0);
      Tensor gW1 = v.t().matmul(mu[0]).mul(1 / n).sub(neg[0].t().matmul(neg[1]).mul(1 / m));
      Tensor gW2 = mu[0].t().matmul(mu[1]).mul(1 / n).sub(neg[1].t().matmul(neg[2]).mul(1 / m));
      w1.addInPlace(gW1.sub(w1.mul(weightDecay)), lr);
      w2.addInPlace(gW2.sub(w2.mul(weightDecay)), lr);
      b.addInPlace(v.mean(0, false).sub(neg[0].mean(0, false)), lr);
      c1.addInPlace(mu[0].mean(0, false).sub(neg[1].mean(0, false)), lr);
      c2.addInPlace(mu[1].mean(0, false).sub(neg[2].mean(0, false)), lr);
      return neg;
    }
  }

  /**
   * Mean squared error between {@code v} and p(v | μ1) after mean-field inference: how well the
   * posterior keeps the image.
   */
  public double reconstructionError(Tensor v, int meanFieldIters) {
    try (var ng = GradMode.noGrad()) {
      Tensor mu1 = meanField(v, meanFieldIters)[0];
      return mu1.matmul(w1.t()).add(b).sigmoid().sub(v).square().mean().item();
    }
  }
}
