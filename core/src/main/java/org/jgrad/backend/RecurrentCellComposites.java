package org.jgrad.backend;

/**
 * The recurrent cells of {@link FusedKernels} ({@code lstmCell}, {@code gruCell} and their
 * backwards) written with the required {@link Backend} primitives only: the definition a backend
 * can offer without a kernel of its own (the CUDA backend does), and the float32 bits the CPU
 * backend's one-pass kernels reproduce, since both round every sum and product to the operands'
 * dtype in the same order.
 *
 * <pre>{@code
 * RawTensor[] r = RecurrentCellComposites.lstmCell(backend, gates, c);       // {out, acts}
 * RawTensor[] g = RecurrentCellComposites.lstmCellBackward(backend, gy, r[1], c);
 * }</pre>
 */
public final class RecurrentCellComposites {
  private RecurrentCellComposites() {}

  /** See {@link FusedKernels#lstmCell}. */
  public static RawTensor[] lstmCell(Backend b, RawTensor gates, RawTensor c) {
    int batch = c.shape()[0], h = c.shape()[1];
    RawTensor i = b.unary(UnaryOp.SIGMOID, columns(gates, 0, h));
    RawTensor f = b.unary(UnaryOp.SIGMOID, columns(gates, h, h));
    RawTensor g = b.unary(UnaryOp.TANH, columns(gates, 2 * h, h));
    RawTensor o = b.unary(UnaryOp.SIGMOID, columns(gates, 3 * h, h));
    RawTensor next =
        b.binary(BinaryOp.ADD, b.binary(BinaryOp.MUL, f, c), b.binary(BinaryOp.MUL, i, g));
    RawTensor tc = b.unary(UnaryOp.TANH, next);
    RawTensor out = dense(b, c.dtype(), 2, batch, h);
    b.copyInto(plane(out, 0), b.binary(BinaryOp.MUL, o, tc));
    b.copyInto(plane(out, 1), next);
    RawTensor acts = dense(b, c.dtype(), batch, 5 * h);
    RawTensor[] parts = {i, f, g, o, tc};
    for (int k = 0; k < parts.length; k++) b.copyInto(columns(acts, k * h, h), parts[k]);
    return new RawTensor[] {out, acts};
  }

  /** See {@link FusedKernels#lstmCellBackward}. */
  public static RawTensor[] lstmCellBackward(Backend b, RawTensor gy, RawTensor acts, RawTensor c) {
    int batch = c.shape()[0], h = c.shape()[1];
    RawTensor i = columns(acts, 0, h), f = columns(acts, h, h), g = columns(acts, 2 * h, h);
    RawTensor o = columns(acts, 3 * h, h), tc = columns(acts, 4 * h, h);
    RawTensor gh = plane(gy, 0), gc = plane(gy, 1);
    RawTensor one = one(b, c);
    // The order of the operations is the contract with the CPU kernel (same bits in float32).
    RawTensor dc = add(b, gc, mul(b, mul(b, gh, o), sub(b, one, mul(b, tc, tc))));
    RawTensor di = mul(b, mul(b, mul(b, dc, g), i), sub(b, one, i));
    RawTensor df = mul(b, mul(b, mul(b, dc, c), f), sub(b, one, f));
    RawTensor dg = mul(b, mul(b, dc, i), sub(b, one, mul(b, g, g)));
    RawTensor dO = mul(b, mul(b, mul(b, gh, tc), o), sub(b, one, o));
    RawTensor dGates = dense(b, c.dtype(), batch, 4 * h);
    RawTensor[] blocks = {di, df, dg, dO};
    for (int k = 0; k < blocks.length; k++) b.copyInto(columns(dGates, k * h, h), blocks[k]);
    return new RawTensor[] {dGates, mul(b, dc, f)};
  }

  /** See {@link FusedKernels#gruCell}. */
  public static RawTensor[] gruCell(Backend b, RawTensor xGates, RawTensor hGates, RawTensor h) {
    int batch = h.shape()[0], w = h.shape()[1];
    RawTensor r = b.unary(UnaryOp.SIGMOID, add(b, columns(xGates, 0, w), columns(hGates, 0, w)));
    RawTensor z = b.unary(UnaryOp.SIGMOID, add(b, columns(xGates, w, w), columns(hGates, w, w)));
    RawTensor n =
        b.unary(
            UnaryOp.TANH, add(b, columns(xGates, 2 * w, w), mul(b, r, columns(hGates, 2 * w, w))));
    RawTensor next = add(b, mul(b, sub(b, h, n), z), n);
    RawTensor acts = dense(b, h.dtype(), batch, 3 * w);
    RawTensor[] parts = {r, z, n};
    for (int k = 0; k < parts.length; k++) b.copyInto(columns(acts, k * w, w), parts[k]);
    return new RawTensor[] {next, acts};
  }

  /** See {@link FusedKernels#gruCellBackward}. */
  public static RawTensor[] gruCellBackward(
      Backend b, RawTensor gy, RawTensor acts, RawTensor hGates, RawTensor h) {
    int batch = h.shape()[0], w = h.shape()[1];
    RawTensor r = columns(acts, 0, w), z = columns(acts, w, w), n = columns(acts, 2 * w, w);
    RawTensor one = one(b, h);
    // The order of the operations is the contract with the CPU kernel (same bits in float32).
    RawTensor dn = mul(b, mul(b, gy, sub(b, one, z)), sub(b, one, mul(b, n, n)));
    RawTensor dz = mul(b, mul(b, mul(b, gy, sub(b, h, n)), z), sub(b, one, z));
    RawTensor dr = mul(b, mul(b, mul(b, dn, columns(hGates, 2 * w, w)), r), sub(b, one, r));
    RawTensor dx = dense(b, h.dtype(), batch, 3 * w), dh = dense(b, h.dtype(), batch, 3 * w);
    RawTensor[] xs = {dr, dz, dn}, hs = {dr, dz, mul(b, dn, r)};
    for (int k = 0; k < 3; k++) {
      b.copyInto(columns(dx, k * w, w), xs[k]);
      b.copyInto(columns(dh, k * w, w), hs[k]);
    }
    return new RawTensor[] {dx, dh, mul(b, gy, z)};
  }

  /** A 1 of {@code like}'s shape and dtype, broadcast from one element. */
  private static RawTensor one(Backend b, RawTensor like) {
    return new RawTensor(
        b.fromHost(new double[] {1}, like.dtype()), like.shape().clone(), new int[like.rank()], 0);
  }

  /** Columns [from, from + width) of a 2-D tensor, as a view. */
  static RawTensor columns(RawTensor x, int from, int width) {
    int[] st = x.strides();
    return x.withLayout(
        new int[] {x.shape()[0], width}, new int[] {st[0], st[1]}, x.offset() + from * st[1]);
  }

  /** {@code x[k]} of a 3-D tensor, as a view. */
  static RawTensor plane(RawTensor x, int k) {
    int[] st = x.strides();
    return x.withLayout(
        new int[] {x.shape()[1], x.shape()[2]}, new int[] {st[1], st[2]}, x.offset() + k * st[0]);
  }

  private static RawTensor dense(Backend b, DType dtype, int... shape) {
    return RawTensor.dense(b.allocate(dtype, RawTensor.numel(shape)), shape);
  }

  private static RawTensor add(Backend b, RawTensor x, RawTensor y) {
    return b.binary(BinaryOp.ADD, x, y);
  }

  private static RawTensor sub(Backend b, RawTensor x, RawTensor y) {
    return b.binary(BinaryOp.SUB, x, y);
  }

  private static RawTensor mul(Backend b, RawTensor x, RawTensor y) {
    return b.binary(BinaryOp.MUL, x, y);
  }
}
