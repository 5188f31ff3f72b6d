package org.jgrad.examples.models;

import java.util.ArrayList;
import java.util.List;
import org.jgrad.autograd.GradMode;
import org.jgrad.nn.BatchNorm1d;
import org.jgrad.nn.BatchNorm2d;
import org.jgrad.nn.Conv2d;
import org.jgrad.nn.ConvTranspose2d;
import org.jgrad.nn.Flatten;
import org.jgrad.nn.LeakyReLU;
import org.jgrad.nn.Linear;
import org.jgrad.nn.Module;
import org.jgrad.nn.ReLU;
import org.jgrad.nn.Reduction;
import org.jgrad.nn.Sequential;
import org.jgrad.nn.Tanh;
import org.jgrad.nn.Unflatten;
import org.jgrad.nn.functional.F;
import org.jgrad.optim.Adam;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Generative adversarial networks for 28×28 digits: a fully connected pair and a DCGAN pair
 * (transposed-convolution generator, strided-convolution discriminator, batch norm, LeakyReLU), and
 * the alternating training step with the non-saturating generator loss. Generators map codes z ~
 * N(0, I) to images in [−1, 1] ({@link #toUnit} maps them to [0, 1]); discriminators return one
 * logit per image.
 *
 * <pre>{@code
 * Gan gan = Gan.fullyConnected(64);
 * Gan.Optimizers opt = gan.adam(2e-4, 2e-4);
 * Gan.StepLosses l = gan.step(realImagesInMinusOneOne, opt, generator);
 * Tensor images = Gan.toUnit(gan.generate(Tensor.randn(g, 16, 64)));
 * }</pre>
 */
public final class Gan {
  private final String kind;
  private final int latent;
  private final Module generator;
  private final Module discriminator;

  private Gan(String kind, int latent, Module generator, Module discriminator) {
    this.kind = kind;
    this.latent = latent;
    this.generator = generator;
    this.discriminator = discriminator;
  }

  /**
   * G: z → 256 → 512 → 784 (LeakyReLU 0.2, Tanh), reshaped to [N, 1, 28, 28]; D: 784 → 512 → 256 →
   * 1 (LeakyReLU 0.2).
   */
  public static Gan fullyConnected(int latent) {
    Module g =
        new Sequential(
            new Linear(latent, 256),
            new LeakyReLU(0.2),
            new Linear(256, 512),
            new LeakyReLU(0.2),
            new Linear(512, 784),
            new Tanh(),
            new Unflatten(1, 1, 28, 28));
    Module d =
        new Sequential(
            new Flatten(),
            new Linear(784, 512),
            new LeakyReLU(0.2),
            new Linear(512, 256),
            new LeakyReLU(0.2),
            new Linear(256, 1));
    return new Gan("fully connected", latent, g, d);
  }

  /**
   * G: z → linear 2c·7·7 → BN → ReLU → ConvTranspose 2c→c (4, stride 2, pad 1) → BN → ReLU →
   * ConvTranspose c→1 (4, 2, 1) → Tanh; D: conv 1→c (4, 2, 1) → LeakyReLU 0.2 → conv c→2c (4, 2, 1)
   * → BN → LeakyReLU → linear 2c·7·7 → 1. {@code c} = {@code width}.
   */
  public static Gan dcgan(int latent, int width) {
    int c2 = 2 * width;
    Module g =
        new Sequential(
            new Linear(latent, c2 * 7 * 7),
            new BatchNorm1d(c2 * 7 * 7),
            new ReLU(),
            new Unflatten(1, c2, 7, 7),
            new ConvTranspose2d(c2, width, 4, 2, 1, 0),
            new BatchNorm2d(width),
            new ReLU(),
            new ConvTranspose2d(width, 1, 4, 2, 1, 0),
            new Tanh());
    Module d =
        new Sequential(
            new Conv2d(1, width, 4, 2, 1),
            new LeakyReLU(0.2),
            new Conv2d(width, c2, 4, 2, 1),
            new BatchNorm2d(c2),
            new LeakyReLU(0.2),
            new Flatten(),
            new Linear(c2 * 7 * 7, 1));
    return new Gan("DCGAN", latent, g, d);
  }

  public String kind() {
    return kind;
  }

  public int latent() {
    return latent;
  }

  public Module generator() {
    return generator;
  }

  public Module discriminator() {
    return discriminator;
  }

  /** One Adam per network, β1 = 0.5 as in the DCGAN paper. */
  public record Optimizers(Adam g, Adam d) {}

  public Optimizers adam(double lrG, double lrD) {
    return new Optimizers(
        new Adam(generator.parameters(), Adam.options().lr(lrG).betas(0.5, 0.999)),
        new Adam(discriminator.parameters(), Adam.options().lr(lrD).betas(0.5, 0.999)));
  }

  /** The losses of one step and the discriminator's mean probabilities on real and fake images. */
  public record StepLosses(double d, double g, double dReal, double dFake) {}

  /**
   * One discriminator update on {@code real} ([N, 1, 28, 28] in [−1, 1]) and N fresh fakes, then
   * one generator update on N more fakes with the non-saturating loss −log D(G(z)). The loop is
   * written here rather than in {@link org.jgrad.train.Trainer}, which drives one model with one
   * optimizer.
   */
  public StepLosses step(Tensor real, Optimizers opt, Generator g) {
    generator.train();
    discriminator.train();
    int n = real.size(0);
    Tensor ones = Tensor.ones(n, 1), zeros = Tensor.zeros(n, 1);
    Tensor fake;
    try (var ng = GradMode.noGrad()) {
      fake = generator.call(Tensor.randn(g, n, latent));
    }
    Tensor realLogit = discriminator.call(real);
    Tensor fakeLogit = discriminator.call(fake);
    Tensor lossD = bce(realLogit, ones).add(bce(fakeLogit, zeros)).mul(0.5);
    opt.d().zeroGrad();
    lossD.backward();
    opt.d().step();

    Tensor genLogit = discriminator.call(generator.call(Tensor.randn(g, n, latent)));
    Tensor lossG = bce(genLogit, ones);
    opt.g().zeroGrad();
    lossG.backward();
    opt.g().step();
    double dReal, dFake;
    try (var ng = GradMode.noGrad()) {
      dReal = realLogit.detach().sigmoid().mean().item();
      dFake = fakeLogit.detach().sigmoid().mean().item();
    }
    return new StepLosses(lossD.item(), lossG.item(), dReal, dFake);
  }

  private static Tensor bce(Tensor logit, Tensor target) {
    return F.binaryCrossEntropyWithLogits(logit, target, null, null, Reduction.MEAN);
  }

  /** G(z) in eval mode (batch norm with running statistics), no graph. */
  public Tensor generate(Tensor z) {
    return Models.predict(generator, z, 500);
  }

  /** Images in [−1, 1] to [0, 1]. */
  public static Tensor toUnit(Tensor x) {
    return x.add(1).mul(0.5);
  }

  /** {@code steps} codes on the straight line from {@code a} to {@code b} (both [latent]). */
  public static Tensor interpolate(Tensor a, Tensor b, int steps) {
    List<Tensor> rows = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      double t = steps == 1 ? 0 : (double) i / (steps - 1);
      rows.add(a.mul(1 - t).add(b.mul(t)));
    }
    return Tensor.stack(rows, 0);
  }
}
