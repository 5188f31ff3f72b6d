package org.jgrad.examples.models;

import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Reduction;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * A fully connected variational autoencoder for 28×28 images in [0, 1]: encoder 784 → hidden → (μ,
 * log σ²) of a diagonal Gaussian over {@code latent} codes, decoder latent → hidden → 784 Bernoulli
 * logits. The loss per image is the negative ELBO, BCE(x̂, x) summed over pixels plus KL(q(z|x) ‖
 * N(0, I)) = −½ Σ (1 + log σ² − μ² − σ²), averaged over the batch.
 *
 * <pre>{@code
 * Vae vae = new Vae(400, 20);
 * Vae.Loss l = vae.loss(images);          // l.total() has a graph; l.bce() and l.kl() are its parts
 * Tensor samples = vae.decode(Tensor.randn(16, 20)).sigmoid();
 * }</pre>
 */
public final class Vae extends Module {
  private final int latent;
  private final Module encoder;
  private final Linear mu;
  private final Linear logVar;
  private final Module decoder;

  public Vae(int hidden, int latent) {
    this.latent = latent;
    encoder = child("encoder", new Sequential(new Linear(784, hidden), new ReLU()));
    mu = child("mu", new Linear(hidden, latent));
    logVar = child("log_var", new Linear(hidden, latent));
    decoder =
        child(
            "decoder",
            new Sequential(new Linear(latent, hidden), new ReLU(), new Linear(hidden, 784)));
  }

  public int latent() {
    return latent;
  }

  /** {μ, log σ²} of q(z | x) for images [N, 1, 28, 28] or [N, 784]. */
  public Tensor[] encode(Tensor x) {
    Tensor h = encoder.call(x.reshape(x.size(0), 784));
    return new Tensor[] {mu.call(h), logVar.call(h)};
  }

  /** Bernoulli logits [N, 784] of p(x | z). */
  public Tensor decode(Tensor z) {
    return decoder.call(z);
  }

  /**
   * Reconstruction probabilities [N, 784]: decoded from a sample of q(z|x) in training mode, from μ
   * in eval mode.
   */
  @Override
  public Tensor forward(Tensor x) {
    Tensor[] q = encode(x);
    return decode(isTraining() ? sample(q) : q[0]).sigmoid();
  }

  // z = μ + σ·ε: the reparameterisation keeps the sample differentiable in μ and σ
  private static Tensor sample(Tensor[] q) {
    Tensor eps = Tensor.randn(q[0].shape());
    return q[0].add(q[1].mul(0.5).exp().mul(eps));
  }

  /** The negative ELBO per image and its two parts, averaged over the batch. */
  public record Loss(Tensor total, Tensor bce, Tensor kl) {}

  /** The loss of images {@code x} (values in [0, 1]) with one sample of z per image. */
  public Loss loss(Tensor x) {
    int n = x.size(0);
    Tensor flat = x.reshape(n, 784);
    Tensor[] q = encode(flat);
    Tensor logits = decode(sample(q));
    Tensor bce =
        F.binaryCrossEntropyWithLogits(logits, flat, null, null, Reduction.SUM).mul(1.0 / n);
    Tensor kl = q[1].add(1).sub(q[0].square()).sub(q[1].exp()).sum().mul(-0.5 / n);
    return new Loss(bce.add(kl), bce, kl);
  }
}
