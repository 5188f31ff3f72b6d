package org.jgrad.data;

import java.util.List;
import org.jgrad.backend.DType;
import org.jgrad.data.io.ImageData;
import org.jgrad.tensor.Tensor;

/**
 * Labelled images kept as bytes (1 byte a pixel); examples and batches are converted to float32 in
 * [0, 1] when asked for, so only the batch being used is ever in float form.
 *
 * <pre>{@code
 * ImageDataset train = Mnist.train();
 * Example e = train.get(0);               // input [1, 28, 28] float32, target int64 scalar
 * Batch b = train.batch(new int[] {0, 1}); // inputs [2, 1, 28, 28], targets [2]
 * Tensor all = train.inputs();             // [60000, 1, 28, 28] (converts everything)
 * }</pre>
 */
public final class ImageDataset implements Dataset<Example>, BatchSource {
  private final ImageData data;

  public ImageDataset(ImageData data) {
    this.data = data;
  }

  /** The raw bytes and labels. */
  public ImageData data() {
    return data;
  }

  /** Class names in label order. */
  public List<String> classNames() {
    return data.classNames();
  }

  /** Labels as ints. */
  public int[] labels() {
    return data.labels().clone();
  }

  @Override
  public int size() {
    return data.size();
  }

  @Override
  public Example get(int index) {
    Dataset.checkIndex(index, size(), "ImageDataset.get");
    float[] x = new float[data.imageSize()];
    data.toUnitFloats(new int[] {index}, x, 0);
    return new Example(
        Tensor.of(x, data.channels(), data.height(), data.width()),
        Tensor.scalar(data.labels()[index], DType.INT64));
  }

  @Override
  public Batch batch(int[] indices) {
    for (int i : indices) Dataset.checkIndex(i, size(), "ImageDataset.batch");
    float[] x = new float[indices.length * data.imageSize()];
    data.toUnitFloats(indices, x, 0);
    long[] y = new long[indices.length];
    for (int k = 0; k < indices.length; k++) y[k] = data.labels()[indices[k]];
    return new Batch(
        Tensor.of(x, indices.length, data.channels(), data.height(), data.width()),
        Tensor.ofLongs(y, y.length));
  }

  /** All images as one float32 tensor [N, C, H, W] in [0, 1]. */
  public Tensor inputs() {
    return TensorDataset.of(data).inputs();
  }

  /** All labels as an int64 tensor [N]. */
  public Tensor targets() {
    return TensorDataset.labels(data.labels());
  }

  @Override
  public String toString() {
    return "ImageDataset[" + data + "]";
  }
}
