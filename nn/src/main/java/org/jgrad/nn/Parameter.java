package org.jgrad.nn;

import org.jgrad.tensor.Tensor;

/**
 * A leaf tensor that a {@link Module} owns and an optimizer updates (PyTorch's {@code
 * nn.Parameter}). It shares the storage of the tensor it was made from and requires a gradient
 * unless told otherwise.
 *
 * <pre>{@code
 * Parameter w = new Parameter(Tensor.randn(3, 4));
 * Tensor loss = x.matmul(w.t()).sum();
 * loss.backward();
 * Tensor g = w.grad();
 * }</pre>
 */
public class Parameter extends Tensor {
  /** A trainable parameter over {@code data}'s storage (history is not kept). */
  public Parameter(Tensor data) {
    this(data, true);
  }

  /** A parameter over {@code data}'s storage; {@code requiresGrad=false} freezes it. */
  public Parameter(Tensor data, boolean requiresGrad) {
    super(checkFloat(data));
    requiresGrad(requiresGrad);
  }

  private static Tensor checkFloat(Tensor data) {
    if (data == null) throw new IllegalArgumentException("Parameter: data must not be null");
    if (!data.dtype().isFloatingPoint()) {
      throw new IllegalArgumentException(
          "Parameter: only floating point tensors can be parameters, got " + data.dtype());
    }
    return data;
  }

  @Override
  public String toString() {
    return "Parameter containing:\n" + super.toString();
  }
}
