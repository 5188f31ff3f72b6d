package org.jgrad.backend;

import java.util.Optional;

/**
 * The narrow waist between tensors and hardware: the primitives every device must have. They are
 * data-only: no autograd, no broadcasting rules beyond strides. Operands of element-wise ops
 * already have the output's shape (broadcast dimensions have stride 0). Results are fresh, dense
 * tensors.
 *
 * <p>Everything here is required: a backend that lacks a method does not compile, and a backend
 * whose element-wise switch lacks a {@link UnaryOp}/{@link BinaryOp}/{@link ReduceOp} constant does
 * not compile either (the switches are exhaustive switch expressions without {@code default}).
 * Fused kernels that merely speed things up (convolution, pooling, log-softmax + NLL, batch norm,
 * optimizer updates) are optional: a backend offers them through {@link #fused()}, and callers fall
 * back to composites of these primitives when it returns empty.
 *
 * <p>{@link org.jgrad.backend.reference.ReferenceBackend} is the specification: every other backend
 * must agree with it within float tolerance.
 *
 * <pre>{@code
 * Backend b = ReferenceBackend.INSTANCE;
 * RawTensor y = b.unary(UnaryOp.EXP, x);
 * }</pre>
 */
public interface Backend {
  /** "reference", "cpu", "cuda:0": for messages and {@code Backends.describe()}. */
  String name();

  /**
   * The device whose storages this backend allocates; tensors carry it to find their backend again.
   */
  Device device();

  /** A zero-filled dense buffer: every op result and every factory starts here. */
  Storage allocate(DType dtype, int length);

  /** Copies host values into a new storage of {@code dtype}: how data enters the device. */
  Storage fromHost(double[] values, DType dtype);

  /** Copies host float values into a new FLOAT32 storage, without a detour through double. */
  Storage fromHost(float[] values);

  /**
   * Copies a (possibly strided) tensor out to the host in row-major order: how data leaves the
   * device.
   */
  double[] toHostDouble(RawTensor x);

  /**
   * Copies a (possibly strided) tensor out to the host in row-major order, rounded to float (no
   * double detour).
   */
  float[] toHostFloat(RawTensor x);

  /**
   * Gathers a strided view into a new dense tensor of dtype {@code to}: contiguous(), clone() and
   * casts.
   */
  RawTensor copy(RawTensor x, DType to);

  /**
   * Writes {@code src} (same shape, possibly broadcast strides) into the view {@code dst}: in-place
   * assignment.
   */
  void copyInto(RawTensor dst, RawTensor src);

  /**
   * Sets every element of the view {@code dst} to {@code value}: fill_/zero_ without allocating a
   * source.
   */
  void fill(RawTensor dst, double value);

  /** The element-wise functions of one operand, the {@link UnaryOp} list (exp, log, tanh…). */
  RawTensor unary(UnaryOp op, RawTensor x);

  /**
   * Arithmetic and comparisons of two operands of the same shape and dtype; comparisons return
   * BOOL.
   */
  RawTensor binary(BinaryOp op, RawTensor a, RawTensor b);

  /**
   * Element-wise {@code cond ? a : b} (all three of one shape): masks, relu-like gradients, clamp.
   */
  RawTensor where(RawTensor cond, RawTensor a, RawTensor b);

  /**
   * Sum, max or min over {@code axes} (sorted, distinct), kept as size-1 dimensions: mean, var,
   * norms build on it.
   */
  RawTensor reduce(ReduceOp op, RawTensor x, int[] axes);

  /**
   * Index (INT64) of the first maximum (or minimum) along {@code axis}, kept as size 1: argmax
   * cannot be composed.
   */
  RawTensor argReduce(ReduceOp op, RawTensor x, int axis);

  /**
   * Batched product of the last two axes (batch dims already equal): it dominates run time, so it
   * is primitive.
   */
  RawTensor matmul(RawTensor a, RawTensor b);

  /**
   * {@code out[i][j][k] = x[i][index[i][j][k]][k]} for dim 1 (likewise any dim): indexing,
   * embeddings, NLL.
   */
  RawTensor gather(RawTensor x, int dim, RawTensor index);

  /**
   * A copy of {@code base} with {@code src} added at {@code index} along {@code dim}: the gradient
   * of gather.
   */
  RawTensor scatterAdd(RawTensor base, int dim, RawTensor index, RawTensor src);

  /**
   * The optional fused kernels of this backend, or empty when it has none; callers then use the
   * composites of the primitives above (see {@link FusedKernels}). Abstract on purpose: every
   * backend states whether it has them.
   */
  Optional<FusedKernels> fused();

  /**
   * A hint from the autograd engine: nothing refers to {@code storage} any more (a gradient created
   * and consumed within one backward pass, see {@code Autograd}), so this backend may hand its
   * memory out again for a later allocation, as PyTorch's caching allocator does. Reuse keeps a
   * training step's large temporaries in cache and out of the garbage collector. Default: ignored.
   */
  default void recycle(Storage storage) {}
}
