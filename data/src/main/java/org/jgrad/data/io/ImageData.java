package org.jgrad.data.io;

import java.util.Arrays;
import java.util.List;

/**
 * A labelled image set held as raw bytes: {@code pixels} is N x C x H x W unsigned bytes
 * (row-major, channel planes), {@code labels} has N class indices. Keeping bytes (1 byte a pixel,
 * not 4) is what lets MNIST load fast and stay small; conversion to floats happens per batch.
 *
 * <pre>{@code
 * ImageData train = Cifar10Reader.read(dir.resolve("data_batch_1.bin"));
 * int firstPixel = train.pixel(0, 0, 0, 0);   // red channel, top-left of image 0
 * }</pre>
 *
 * @param pixels N*C*H*W unsigned bytes; not copied
 * @param labels N class indices in {@code [0, classNames.size())}; not copied
 * @param channels C
 * @param height H
 * @param width W
 * @param classNames the name of each class index
 */
public record ImageData(
    byte[] pixels, int[] labels, int channels, int height, int width, List<String> classNames) {
  public ImageData {
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "ImageData: image shape must be positive, got ["
              + channels
              + ", "
              + height
              + ", "
              + width
              + "]");
    }
    long per = (long) channels * height * width;
    if (per * labels.length != pixels.length) {
      throw new IllegalArgumentException(
          "ImageData: "
              + labels.length
              + " labels of images ["
              + channels
              + ", "
              + height
              + ", "
              + width
              + "] need "
              + per * labels.length
              + " pixel bytes, got "
              + pixels.length);
    }
    classNames = List.copyOf(classNames);
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classNames.size()) {
        throw new IllegalArgumentException(
            "ImageData: label "
                + labels[i]
                + " of image "
                + i
                + " is outside [0, "
                + classNames.size()
                + ")");
      }
    }
  }

  /** Number of images. */
  public int size() {
    return labels.length;
  }

  /** Bytes per image (C*H*W). */
  public int imageSize() {
    return channels * height * width;
  }

  /** One pixel value 0..255. */
  public int pixel(int image, int channel, int y, int x) {
    return pixels[((image * channels + channel) * height + y) * width + x] & 0xFF;
  }

  /** Number of images of each class. */
  public int[] classCounts() {
    int[] counts = new int[classNames.size()];
    for (int l : labels) counts[l]++;
    return counts;
  }

  /**
   * Writes images {@code indices} as floats scaled to [0, 1] into {@code out} starting at {@code
   * outOffset} (N' x C x H x W).
   */
  public void toUnitFloats(int[] indices, float[] out, int outOffset) {
    int per = imageSize();
    for (int k = 0; k < indices.length; k++) {
      int idx = indices[k];
      if (idx < 0 || idx >= labels.length) {
        throw new IndexOutOfBoundsException(
            "ImageData: index " + idx + " outside [0, " + labels.length + ")");
      }
      ByteScaling.toUnit(pixels, idx * per, out, outOffset + k * per, per);
    }
  }

  @Override
  public String toString() {
    return "ImageData["
        + labels.length
        + " x ["
        + channels
        + ", "
        + height
        + ", "
        + width
        + "], classes "
        + classNames.size()
        + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageData d
        && channels == d.channels
        && height == d.height
        && width == d.width
        && Arrays.equals(pixels, d.pixels)
        && Arrays.equals(labels, d.labels)
        && classNames.equals(d.classNames);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(labels) * 31 + Arrays.hashCode(pixels);
  }
}
