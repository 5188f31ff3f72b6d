package org.jgrad.nn;

import org.jgrad.backend.ConvGeometry;
import org.jgrad.tensor.Tensor;

/**
 * What {@link Conv1d}, {@link Conv2d} and {@link ConvTranspose2d} share: channel counts and groups,
 * checked once through {@link ConvGeometry#checkChannels} (the same check F's geometry makes), and
 * the weight and bias parameters with PyTorch's initialisation.
 */
abstract class ConvLayer extends Module {
  final int in, out, groups;

  ConvLayer(String name, int inChannels, int outChannels, int groups) {
    ConvGeometry.checkChannels(name, inChannels, outChannels, groups);
    this.in = inChannels;
    this.out = outChannels;
    this.groups = groups;
  }

  /**
   * Registers "weight" of {@code weightShape} and, when {@code bias}, "bias" [out]; U(±1/√fan_in)
   * as PyTorch.
   */
  final void initParameters(boolean bias, int... weightShape) {
    Tensor w = param("weight", Tensor.zeros(weightShape));
    Tensor b = bias ? param("bias", Tensor.zeros(out)) : null;
    Defaults.linearLike(w, b);
  }

  public Parameter weight() {
    return parameter("weight");
  }

  /** The bias, or null when the layer has none. */
  public Parameter bias() {
    return parameter("bias");
  }
}
