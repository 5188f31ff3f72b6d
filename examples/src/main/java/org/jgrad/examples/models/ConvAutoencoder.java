package org.jgrad.examples.models;

import org.jgrad.nn.BatchNorm2d;
import org.jgrad.nn.Conv2d;
import org.jgrad.nn.ConvTranspose2d;
import org.jgrad.nn.Flatten;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.Sigmoid;
import org.jgrad.nn.Unflatten;

/**
 * Convolutional MNIST autoencoder in one of two {@link Layout}s.
 *
 * <p>{@link Layout#COMPACT} (the default). Encoder: conv 1→16 (3×3, stride 2) → ReLU → conv 16→32
 * (3×3, stride 2) → ReLU → flatten (32·7·7) → linear to the code. Decoder: linear → ReLU → [32, 7,
 * 7] → transposed conv 32→16 (stride 2) → ReLU → transposed conv 16→1 (stride 2), back to [1, 28,
 * 28] (linear output, clamped to [0, 1] in eval mode; see {@link Autoencoder}).
 *
 * <p>{@link Layout#DEEP}. Encoder: three stride-2 convolutions (1→8→16→32 channels, 28→14→7→3
 * pixels, batch norm after the second) and two linear layers (288→128→latent); the decoder mirrors
 * it with two linear layers and three transposed convolutions (3→7→14→28, batch norm after the
 * first two) and ends in a sigmoid, so reconstructions lie in [0, 1] in both modes.
 *
 * <pre>{@code
 * ConvAutoencoder ae = new ConvAutoencoder(2);                                 // compact
 * ConvAutoencoder deep = new ConvAutoencoder(16, ConvAutoencoder.Layout.DEEP);
 * Tensor z = ae.encode(images);      // [N, 2]
 * }</pre>
 */
public final class ConvAutoencoder extends Autoencoder {

  /** Which architecture to build; see the class comment. */
  public enum Layout {
    /**
     * Two stride-2 convolutions, a linear code, a linear (clamped) output: mnist-conv-autoencoders.
     */
    COMPACT,
    /**
     * Three stride-2 convolutions with batch norm, two linear layers, a sigmoid output:
     * conv-ae-grid-search.
     */
    DEEP
  }

  private final Layout layout;

  /** A {@link Layout#COMPACT} autoencoder with a code of {@code latent} numbers. */
  public ConvAutoencoder(int latent) {
    this(latent, Layout.COMPACT);
  }

  public ConvAutoencoder(int latent, Layout layout) {
    super(latent, encoder(checkLatent(latent), layout), decoder(latent, layout));
    this.layout = layout;
  }

  public Layout layout() {
    return layout;
  }

  private static Module encoder(int latent, Layout layout) {
    return switch (layout) {
      case COMPACT ->
          new Sequential(
              new Conv2d(1, 16, 3, 2, 1),
              new ReLU(),
              new Conv2d(16, 32, 3, 2, 1),
              new ReLU(),
              new Flatten(),
              new Linear(32 * 7 * 7, latent));
      case DEEP ->
          new Sequential(
              new Conv2d(1, 8, 3, 2, 1),
              new ReLU(),
              new Conv2d(8, 16, 3, 2, 1),
              new BatchNorm2d(16),
              new ReLU(),
              new Conv2d(16, 32, 3, 2, 0),
              new ReLU(),
              new Flatten(),
              new Linear(32 * 3 * 3, 128),
              new ReLU(),
              new Linear(128, latent));
    };
  }

  private static Module decoder(int latent, Layout layout) {
    return switch (layout) {
      case COMPACT ->
          new Sequential(
              new Linear(latent, 32 * 7 * 7),
              new ReLU(),
              new Unflatten(1, 32, 7, 7),
              new ConvTranspose2d(32, 16, 3, 2, 1, 1),
              new ReLU(),
              new ConvTranspose2d(16, 1, 3, 2, 1, 1));
      case DEEP ->
          new Sequential(
              new Linear(latent, 128),
              new ReLU(),
              new Linear(128, 32 * 3 * 3),
              new ReLU(),
              new Unflatten(1, 32, 3, 3),
              new ConvTranspose2d(32, 16, 3, 2, 0, 0),
              new BatchNorm2d(16),
              new ReLU(),
              new ConvTranspose2d(16, 8, 3, 2, 1, 1),
              new BatchNorm2d(8),
              new ReLU(),
              new ConvTranspose2d(8, 1, 3, 2, 1, 1),
              new Sigmoid());
    };
  }

  private static int checkLatent(int latent) {
    if (latent <= 0)
      throw new IllegalArgumentException(
          "ConvAutoencoder: latent size must be positive, got " + latent);
    return latent;
  }

  @Override
  protected String extraRepr() {
    return super.extraRepr() + ", layout=" + layout;
  }
}
