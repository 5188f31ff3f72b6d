package org.jgrad.examples.models;

import org.jgrad.nn.Module;
import org.jgrad.tensor.Tensor;

/**
 * An autoencoder for 28×28 grayscale images: an encoder to a latent code of {@link #latent()}
 * numbers and a decoder back to [N, 1, 28, 28].
 *
 * <p>The decoder's last layer is linear, and in eval mode its output is clamped to [0, 1]. A
 * sigmoid output does not work with L1 loss: for the many pixels whose target is 0, L1 keeps
 * pushing the logit down with no finite optimum, the sigmoid saturates, and training can get stuck
 * for good on the all-black image (the per-pixel median of MNIST). A linear output has its L1
 * optimum at the target and never saturates; the clamp can only lower the error against targets in
 * [0, 1].
 *
 * <pre>{@code
 * Autoencoder ae = new DenseAutoencoder(16);
 * Tensor z = ae.encode(images);      // [N, 16]
 * Tensor back = ae.decode(z);        // [N, 1, 28, 28]
 * }</pre>
 */
public abstract class Autoencoder extends Module {
  private final int latent;
  private final Module encoder;
  private final Module decoder;

  protected Autoencoder(int latent, Module encoder, Module decoder) {
    if (latent <= 0)
      throw new IllegalArgumentException(
          getClass().getSimpleName() + ": latent size must be positive, got " + latent);
    this.latent = latent;
    this.encoder = child("encoder", encoder);
    this.decoder = child("decoder", decoder);
  }

  /** Size of the code. */
  public final int latent() {
    return latent;
  }

  /** Images [N, 1, 28, 28] to codes [N, latent]. */
  public final Tensor encode(Tensor images) {
    if (images.dim() != 4 || images.size(1) != 1 || images.size(2) != 28 || images.size(3) != 28) {
      throw new IllegalArgumentException(
          typeName()
              + ".encode: expected images [N, 1, 28, 28], got "
              + java.util.Arrays.toString(images.shape()));
    }
    return encoder.call(images);
  }

  /** Codes [N, latent] to images [N, 1, 28, 28] (clamped to [0, 1] in eval mode). */
  public final Tensor decode(Tensor codes) {
    if (codes.dim() != 2 || codes.size(1) != latent) {
      throw new IllegalArgumentException(
          typeName()
              + ".decode: expected codes [N, "
              + latent
              + "], got "
              + java.util.Arrays.toString(codes.shape()));
    }
    Tensor out = decoder.call(codes);
    return isTraining() ? out : out.clamp(0, 1);
  }

  @Override
  public final Tensor forward(Tensor images) {
    return decode(encode(images));
  }

  @Override
  protected String extraRepr() {
    return "latent=" + latent;
  }
}
