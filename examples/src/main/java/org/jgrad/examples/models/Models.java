package org.jgrad.examples.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jgrad.autograd.GradMode;
import org.jgrad.nn.Module;
import org.jgrad.nn.Reduction;
import org.jgrad.nn.functional.F;
import org.jgrad.nn.io.SafeTensors;
import org.jgrad.tensor.Tensor;

/**
 * Helpers shared by the MNIST exercises around the trained models (training itself is {@link
 * org.jgrad.train.Trainer}'s): the reconstruction loss, batched inference without a graph,
 * reconstruction errors, classifier predictions, and checkpoints with metadata (safetensors) so
 * that one exercise can reuse the models another one trained.
 *
 * <pre>{@code
 * Trainer.builder(ae, new Adam(ae.parameters(), 1e-3), Models.Recon.L1::loss)
 *     .train(RowBatches.shuffled(x, x, 128, g)).epochs(5).build().fit();
 * Tensor recon = Models.predict(ae, testX, 500);
 * double l1 = Models.l1(recon, testX);
 * }</pre>
 */
public final class Models {
  private Models() {}

  /** Reconstruction loss used for training autoencoders. */
  public enum Recon {
    L1,
    MSE;

    /** Mean loss between a batch of outputs and targets, with a graph when grad mode is on. */
    public Tensor loss(Tensor output, Tensor target) {
      return this == L1
          ? F.l1Loss(output, target, Reduction.MEAN)
          : F.mseLoss(output, target, Reduction.MEAN);
    }

    /** Parses "l1" or "mse" (any case). */
    public static Recon parse(String s) {
      return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "l1" -> L1;
        case "mse" -> MSE;
        default ->
            throw new IllegalArgumentException(
                "reconstruction loss must be l1 or mse, got \"" + s + "\"");
      };
    }
  }

  /**
   * The model's outputs for all rows of {@code x}, in eval mode without a graph, batch by batch.
   */
  public static Tensor predict(Module model, Tensor x, int batchSize) {
    return map(model, x, batchSize, model::call);
  }

  /**
   * {@code fn} applied to consecutive row blocks of {@code x} in eval mode without a graph,
   * concatenated.
   */
  public static Tensor map(Module model, Tensor x, int batchSize, Function<Tensor, Tensor> fn) {
    boolean was = model.isTraining();
    model.eval();
    List<Tensor> parts = new ArrayList<>();
    try (var ng = GradMode.noGrad()) {
      int n = x.size(0);
      for (int start = 0; start < n; start += batchSize) {
        parts.add(fn.apply(x.narrow(0, start, Math.min(batchSize, n - start))).detach());
      }
    } finally {
      model.train(was);
    }
    return parts.size() == 1 ? parts.get(0) : Tensor.cat(parts, 0);
  }

  /** Mean absolute error between two equally shaped tensors. */
  public static double l1(Tensor a, Tensor b) {
    try (var ng = GradMode.noGrad()) {
      return a.sub(b).abs().mean().item();
    }
  }

  /** Mean squared error between two equally shaped tensors. */
  public static double mse(Tensor a, Tensor b) {
    try (var ng = GradMode.noGrad()) {
      return a.sub(b).square().mean().item();
    }
  }

  /** Arg-max class per row of a classifier's logits over {@code x}. */
  public static int[] predictLabels(Module classifier, Tensor x, int batchSize) {
    long[] idx = predict(classifier, x, batchSize).argmax(1, false).toLongArray();
    int[] out = new int[idx.length];
    for (int i = 0; i < idx.length; i++) out[i] = (int) idx[i];
    return out;
  }

  /** Labels of an int64 tensor as ints. */
  public static int[] labels(Tensor y) {
    long[] v = y.toLongArray();
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) out[i] = (int) v[i];
    return out;
  }

  /** Row {@code i} of a batch of images as a flat float array (for image grids). */
  public static float[] image(Tensor images, int i) {
    return images.narrow(0, i, 1).contiguous().toFloatArray();
  }

  /**
   * The first {@code count} columns of {@code m} ([pixels, units], e.g. RBM weights) as images for
   * a grid, each scaled to [0, 1] by its own minimum and maximum, since filters differ in scale.
   */
  public static float[][] columnImages(Tensor m, int count) {
    int rows = m.size(0), cols = m.size(1), k = Math.min(count, cols);
    float[] v = m.contiguous().toFloatArray();
    float[][] out = new float[k][rows];
    for (int j = 0; j < k; j++) {
      float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < rows; i++) {
        lo = Math.min(lo, v[i * cols + j]);
        hi = Math.max(hi, v[i * cols + j]);
      }
      float span = hi > lo ? hi - lo : 1;
      for (int i = 0; i < rows; i++) out[j][i] = (v[i * cols + j] - lo) / span;
    }
    return out;
  }

  /** Rows {@code 0 … count-1} of {@code images} as flat float arrays (for image grids). */
  public static float[][] images(Tensor images, int count) {
    int k = Math.min(count, images.size(0));
    float[][] out = new float[k][];
    for (int i = 0; i < k; i++) out[i] = image(images, i);
    return out;
  }

  /** Index of the first row with each label 0..9 (−1 where a label is absent). */
  public static int[] firstOfEachDigit(Tensor labels) {
    int[] y = labels(labels);
    int[] first = new int[10];
    java.util.Arrays.fill(first, -1);
    for (int i = 0; i < y.length; i++)
      if (y[i] >= 0 && y[i] < 10 && first[y[i]] < 0) first[y[i]] = i;
    return first;
  }

  /** Saves the model's state dict with string metadata describing how it was trained. */
  public static void saveCheckpoint(Module model, Path file, Map<String, String> meta)
      throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    SafeTensors.save(model.stateDict(), meta, file);
  }

  /**
   * Loads {@code file} into {@code model} when it exists and its metadata has every entry of {@code
   * expected}; returns whether it did. A file with other metadata (say, from a quick run when this
   * one is full) is left alone.
   */
  public static boolean loadCheckpoint(Module model, Path file, Map<String, String> expected)
      throws IOException {
    if (!Files.isRegularFile(file)) return false;
    SafeTensors.Contents c = SafeTensors.read(file);
    for (var e : expected.entrySet()) {
      if (!e.getValue().equals(c.metadata().get(e.getKey()))) return false;
    }
    model.loadStateDict(c.tensors(), true);
    return true;
  }
}
