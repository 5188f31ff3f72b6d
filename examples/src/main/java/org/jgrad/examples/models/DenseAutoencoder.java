package org.jgrad.examples.models;

import org.jgrad.nn.Flatten;
import org.jgrad.nn.Linear;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.Unflatten;

/**
 * Fully connected MNIST autoencoder: 784 → 512 → latent (ReLU after the hidden layer, a linear
 * code), mirrored by the decoder (latent → 512 → 784, linear output, clamped in eval mode; see
 * {@link Autoencoder}). One wide hidden layer per side: with L1 loss, deeper stacks sit far longer
 * on the all-black plateau (the per-pixel median of MNIST is 0) before they start to learn.
 *
 * <pre>{@code
 * DenseAutoencoder ae = new DenseAutoencoder(32);
 * Tensor recon = ae.call(images);    // images [N, 1, 28, 28]
 * }</pre>
 */
public final class DenseAutoencoder extends Autoencoder {
  public DenseAutoencoder(int latent) {
    super(
        latent,
        new Sequential(
            new Flatten(), new Linear(784, 512), new ReLU(), new Linear(512, checkLatent(latent))),
        new Sequential(
            new Linear(latent, 512),
            new ReLU(),
            new Linear(512, 784),
            new Unflatten(1, 1, 28, 28)));
  }

  private static int checkLatent(int latent) {
    if (latent <= 0)
      throw new IllegalArgumentException(
          "DenseAutoencoder: latent size must be positive, got " + latent);
    return latent;
  }
}
