package org.jgrad.examples.models;

import org.jgrad.nn.BatchNorm2d;
import org.jgrad.nn.Conv2d;
import org.jgrad.nn.ConvTranspose2d;
import org.jgrad.nn.Flatten;
import org.jgrad.nn.LeakyReLU;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.Tanh;
import org.jgrad.nn.Unflatten;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * A convolutional VAE for 32×32 images in [−1, 1]. Encoder: three 4×4 stride-2 convolutions
 * (channels w, 2w, 4w; 32→16→8→4 pixels; batch norm after the second and third; LeakyReLU 0.2),
 * then two linear heads for the mean and the log-variance of the code. Decoder: linear to [4w, 4,
 * 4], three 4×4 stride-2 transposed convolutions (4w→2w→w→channels, batch norm and ReLU between),
 * Tanh. With w = 64 and latent 100 this is the coursework's 64/128/256 network.
 *
 * <pre>{@code
 * ConvVae vae = new ConvVae(3, 64, 100);
 * ConvVae.Pass p = vae.pass(images, generator);       // reconstruction, mean, log-variance
 * Tensor loss = ConvVae.loss(p, images, 1.0);          // squared error + KL, per image
 * Tensor samples = vae.decode(Tensor.randn(16, 100));
 * }</pre>
 */
public final class ConvVae extends Module {
  private final int channels, width, latent;
  private final Module encoder, mean, logVar, decoder;

  /** One forward pass: the reconstruction and the code distribution's parameters. */
  public record Pass(Tensor reconstruction, Tensor mean, Tensor logVar) {}

  public ConvVae(int channels, int width, int latent) {
    if (channels < 1 || width < 1 || latent < 1)
      throw new IllegalArgumentException(
          "ConvVae: channels, width and latent must be positive, got "
              + channels
              + ", "
              + width
              + ", "
              + latent);
    this.channels = channels;
    this.width = width;
    this.latent = latent;
    int w1 = width, w2 = 2 * width, w3 = 4 * width;
    encoder =
        child(
            "encoder",
            new Sequential(
                new Conv2d(channels, w1, 4, 2, 1),
                new LeakyReLU(0.2),
                new Conv2d(w1, w2, 4, 2, 1),
                new BatchNorm2d(w2),
                new LeakyReLU(0.2),
                new Conv2d(w2, w3, 4, 2, 1),
                new BatchNorm2d(w3),
                new LeakyReLU(0.2),
                new Flatten()));
    mean = child("mean", new Linear(w3 * 16, latent));
    logVar = child("log_var", new Linear(w3 * 16, latent));
    decoder =
        child(
            "decoder",
            new Sequential(
                new Linear(latent, w3 * 16),
                new Unflatten(1, w3, 4, 4),
                new ReLU(),
                new ConvTranspose2d(w3, w2, 4, 2, 1, 0),
                new BatchNorm2d(w2),
                new ReLU(),
                new ConvTranspose2d(w2, w1, 4, 2, 1, 0),
                new BatchNorm2d(w1),
                new ReLU(),
                new ConvTranspose2d(w1, channels, 4, 2, 1, 0),
                new Tanh()));
  }

  public int latent() {
    return latent;
  }

  private void checkImages(String op, Tensor x) {
    if (x.dim() != 4 || x.size(1) != channels || x.size(2) != 32 || x.size(3) != 32)
      throw new IllegalArgumentException(
          "ConvVae."
              + op
              + ": expected images [N, "
              + channels
              + ", 32, 32], got "
              + java.util.Arrays.toString(x.shape()));
  }

  /** Encodes, samples a code with the reparameterisation z = μ + σ·ε, decodes. */
  public Pass pass(Tensor x, Generator g) {
    checkImages("pass", x);
    Tensor h = encoder.call(x);
    Tensor mu = mean.call(h), lv = logVar.call(h);
    Tensor eps = Tensor.randn(g, mu.shape());
    Tensor z = mu.add(lv.mul(0.5).exp().mul(eps));
    return new Pass(decoder.call(z), mu, lv);
  }

  /** The mean code of each image. */
  public Tensor encode(Tensor x) {
    checkImages("encode", x);
    return mean.call(encoder.call(x));
  }

  /** Codes [N, latent] to images [N, channels, 32, 32] in [−1, 1]. */
  public Tensor decode(Tensor z) {
    if (z.dim() != 2 || z.size(1) != latent)
      throw new IllegalArgumentException(
          "ConvVae.decode: expected codes [N, "
              + latent
              + "], got "
              + java.util.Arrays.toString(z.shape()));
    return decoder.call(z);
  }

  /** The reconstruction through the mean code (no sampling). */
  @Override
  public Tensor forward(Tensor x) {
    return decode(encode(x));
  }

  /** Squared error summed over an image's pixels, averaged over the batch. */
  public static Tensor reconstructionLoss(Pass p, Tensor x) {
    return p.reconstruction().sub(x).square().sum().div(x.size(0));
  }

  /** KL(q(z|x) ‖ N(0, I)) summed over the code, averaged over the batch. */
  public static Tensor klLoss(Pass p) {
    Tensor lv = p.logVar();
    return lv.add(1).sub(p.mean().square()).sub(lv.exp()).sum().mul(-0.5).div(lv.size(0));
  }

  /** The ELBO loss: reconstruction + beta·KL, per image. */
  public static Tensor loss(Pass p, Tensor x, double beta) {
    return reconstructionLoss(p, x).add(klLoss(p).mul(beta));
  }

  @Override
  protected String extraRepr() {
    return "channels=" + channels + ", width=" + width + ", latent=" + latent;
  }
}
