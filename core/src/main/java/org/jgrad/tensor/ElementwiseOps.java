package org.jgrad.tensor;

import org.jgrad.autograd.Function;
import org.jgrad.autograd.GradMode;
import org.jgrad.backend.BinaryOp;
import org.jgrad.backend.RawTensor;
import org.jgrad.backend.UnaryOp;

/**
 * Element-wise primitives: each class is one graph node with its forward and its derivative. Binary
 * forwards broadcast by giving stretched dimensions stride 0; backwards return gradients in the
 * output's shape and the engine sums them back to each input's shape.
 */
final class ElementwiseOps {
  private ElementwiseOps() {}

  /** Base of unary primitives: y = op(x). */
  abstract static class Unary extends Function {
    private final UnaryOp op;

    Unary(UnaryOp op) {
      this.op = op;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      RawTensor y = backendOf(in[0]).unary(op, in[0].raw());
      saveFor(in[0], Tensor.fromRaw(y));
      return y;
    }

    /** Saves what this op's derivative needs: the input, the output, or nothing. */
    abstract void saveFor(Tensor x, Tensor y);
  }

  /** y = -x; dx = -g. */
  static final class Neg extends Unary {
    Neg() {
      super(UnaryOp.NEG);
    }

    void saveFor(Tensor x, Tensor y) {}

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.neg()};
    }
  }

  /** y = exp(x); dx = g·y (the output is saved, not the input). */
  static final class Exp extends Unary {
    private Tensor y;

    Exp() {
      super(UnaryOp.EXP);
    }

    void saveFor(Tensor x, Tensor out) {
      y = save(out);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.mul(y)};
    }
  }

  /** y = log(x); dx = g / x. */
  static final class Log extends Unary {
    private Tensor x;

    Log() {
      super(UnaryOp.LOG);
    }

    void saveFor(Tensor in, Tensor y) {
      x = save(in);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.div(x)};
    }
  }

  /** y = sqrt(x); dx = g / (2y). */
  static final class Sqrt extends Unary {
    private Tensor y;

    Sqrt() {
      super(UnaryOp.SQRT);
    }

    void saveFor(Tensor x, Tensor out) {
      y = save(out);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.div(y.mul(2))};
    }
  }

  /** y = |x|; dx = g·sign(x) (0 at 0, as PyTorch). */
  static final class Abs extends Unary {
    private Tensor x;

    Abs() {
      super(UnaryOp.ABS);
    }

    void saveFor(Tensor in, Tensor y) {
      x = save(in);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.mul(x.sign())};
    }
  }

  /** y = sign(x); the derivative is zero everywhere it exists. */
  static final class Sign extends Unary {
    Sign() {
      super(UnaryOp.SIGN);
    }

    void saveFor(Tensor x, Tensor y) {}

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.mul(0)};
    }
  }

  /** y = sin(x); dx = g·cos(x). */
  static final class Sin extends Unary {
    private Tensor x;

    Sin() {
      super(UnaryOp.SIN);
    }

    void saveFor(Tensor in, Tensor y) {
      x = save(in);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.mul(x.cos())};
    }
  }

  /** y = cos(x); dx = -g·sin(x). */
  static final class Cos extends Unary {
    private Tensor x;

    Cos() {
      super(UnaryOp.COS);
    }

    void saveFor(Tensor in, Tensor y) {
      x = save(in);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.mul(x.sin()).neg()};
    }
  }

  /** y = tanh(x); dx = g·(1 − y²). */
  static final class Tanh extends Unary {
    private Tensor y;

    Tanh() {
      super(UnaryOp.TANH);
    }

    void saveFor(Tensor x, Tensor out) {
      y = save(out);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.mul(y.square().neg().add(1))};
    }
  }

  /** y = 1/(1+exp(−x)), computed stably; dx = g·y·(1 − y). */
  static final class Sigmoid extends Unary {
    private Tensor y;

    Sigmoid() {
      super(UnaryOp.SIGMOID);
    }

    void saveFor(Tensor x, Tensor out) {
      y = save(out);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.mul(y).mul(y.neg().add(1))};
    }
  }

  /**
   * y = max(x, 0); dx = g where y > 0 (0 at 0, as PyTorch). Since y ≥ 0, the mask is sign(y): two
   * float passes instead of building a boolean mask and converting it.
   */
  static final class Relu extends Unary {
    private Tensor y;

    Relu() {
      super(UnaryOp.RELU);
    }

    void saveFor(Tensor x, Tensor out) {
      y = save(out);
    }

    protected Tensor[] backward(Tensor g) {
      // Not recording a graph (the usual backward): the backend's one-pass kernel, same values.
      if (!GradMode.isEnabled()
          && g.device().equals(y.device())
          && g.dtype() == y.dtype()
          && java.util.Arrays.equals(g.shape(), y.shape())) {
        var fused = backendOf(y).fused();
        if (fused.isPresent()) {
          return new Tensor[] {Tensor.fromRaw(fused.get().reluBackward(g.raw(), y.raw()))};
        }
      }
      return new Tensor[] {g.mul(y.sign())};
    }
  }

  /** y = erf(x); dx = g·2/√π·exp(−x²). */
  static final class Erf extends Unary {
    private Tensor x;

    Erf() {
      super(UnaryOp.ERF);
    }

    void saveFor(Tensor in, Tensor y) {
      x = save(in);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.mul(x.square().neg().exp().mul(2 / Math.sqrt(Math.PI)))};
    }
  }

  /** y = 1/x; dx = −g·y². */
  static final class Reciprocal extends Unary {
    private Tensor y;

    Reciprocal() {
      super(UnaryOp.RECIPROCAL);
    }

    void saveFor(Tensor x, Tensor out) {
      y = save(out);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.mul(y.square()).neg()};
    }
  }

  /** y = log(1 + x), accurate near 0; dx = g / (1 + x). */
  static final class Log1p extends Unary {
    private Tensor x;

    Log1p() {
      super(UnaryOp.LOG1P);
    }

    void saveFor(Tensor in, Tensor y) {
      x = save(in);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.div(x.add(1))};
    }
  }

  /** y = exp(x) − 1, accurate near 0; dx = g·(y + 1). */
  static final class Expm1 extends Unary {
    private Tensor y;

    Expm1() {
      super(UnaryOp.EXPM1);
    }

    void saveFor(Tensor x, Tensor out) {
      y = save(out);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.mul(y.add(1))};
    }
  }

  /** Base of binary primitives: the operands are broadcast to a common shape first. */
  abstract static class Binary extends Function {
    private final BinaryOp op;

    Binary(BinaryOp op) {
      this.op = op;
    }

    @Override
    protected RawTensor forward(Tensor... in) {
      int[] shape = Shapes.broadcast(opName(), in[0].shape(), in[1].shape());
      RawTensor a = Shapes.expandRaw(in[0].raw(), shape);
      RawTensor b = Shapes.expandRaw(in[1].raw(), shape);
      RawTensor out = backendOf(in[0]).binary(op, a, b);
      saveFor(in[0], in[1], Tensor.fromRaw(out));
      return out;
    }

    abstract void saveFor(Tensor a, Tensor b, Tensor out);
  }

  /** out = a + b; da = g, db = g. */
  static final class Add extends Binary {
    Add() {
      super(BinaryOp.ADD);
    }

    void saveFor(Tensor a, Tensor b, Tensor out) {}

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g, g};
    }
  }

  /** out = a − b; da = g, db = −g. */
  static final class Sub extends Binary {
    Sub() {
      super(BinaryOp.SUB);
    }

    void saveFor(Tensor a, Tensor b, Tensor out) {}

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g, needsInputGrad(1) ? g.neg() : null};
    }
  }

  /** out = a·b; da = g·b, db = g·a. */
  static final class Mul extends Binary {
    private Tensor a, b;

    Mul() {
      super(BinaryOp.MUL);
    }

    void saveFor(Tensor x, Tensor y, Tensor out) {
      if (y.requiresGrad()) a = save(x);
      if (x.requiresGrad()) b = save(y);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {
        needsInputGrad(0) ? g.mul(b) : null, needsInputGrad(1) ? g.mul(a) : null
      };
    }
  }

  /** out = a / b; da = g / b, db = −g·a / b². */
  static final class Div extends Binary {
    private Tensor a, b;

    Div() {
      super(BinaryOp.DIV);
    }

    void saveFor(Tensor x, Tensor y, Tensor out) {
      b = save(y);
      if (y.requiresGrad()) a = save(x);
    }

    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {
        needsInputGrad(0) ? g.div(b) : null,
        needsInputGrad(1) ? g.mul(a).div(b.square()).neg() : null
      };
    }
  }

  /** out = a^b; da = g·b·a^(b−1), db = g·out·log(a) (0 where a = 0, as PyTorch). */
  static final class Pow extends Binary {
    private Tensor a, b, out;

    Pow() {
      super(BinaryOp.POW);
    }

    void saveFor(Tensor x, Tensor y, Tensor o) {
      a = save(x);
      b = save(y);
      if (y.requiresGrad()) out = save(o);
    }

    protected Tensor[] backward(Tensor g) {
      Tensor da = needsInputGrad(0) ? g.mul(b).mul(a.pow(b.sub(1))) : null;
      Tensor db = null;
      if (needsInputGrad(1)) {
        Tensor safeLog = Tensor.where(a.eq(0), Tensor.zerosLike(a), a.log());
        db = g.mul(out).mul(safeLog);
      }
      return new Tensor[] {da, db};
    }
  }

  /** Element-wise max; ties split the gradient in half, as PyTorch does. */
  static final class Maximum extends Binary {
    private Tensor a, b;

    Maximum() {
      super(BinaryOp.MAX);
    }

    void saveFor(Tensor x, Tensor y, Tensor out) {
      a = save(x);
      b = save(y);
    }

    protected Tensor[] backward(Tensor g) {
      return splitByMask(g, a.gt(b), a.eq(b));
    }
  }

  /** Element-wise min; ties split the gradient in half, as PyTorch does. */
  static final class Minimum extends Binary {
    private Tensor a, b;

    Minimum() {
      super(BinaryOp.MIN);
    }

    void saveFor(Tensor x, Tensor y, Tensor out) {
      a = save(x);
      b = save(y);
    }

    protected Tensor[] backward(Tensor g) {
      return splitByMask(g, a.lt(b), a.eq(b));
    }
  }

  private static Tensor[] splitByMask(Tensor g, Tensor firstWins, Tensor tie) {
    Tensor half = g.mul(0.5);
    Tensor zero = Tensor.zerosLike(g);
    Tensor ga = Tensor.where(tie, half, Tensor.where(firstWins, g, zero));
    Tensor gb = Tensor.where(tie, half, Tensor.where(firstWins, zero, g));
    return new Tensor[] {ga, gb};
  }

  /** out = cond ? a : b; da = g where cond, db = g elsewhere; cond gets none. */
  static final class Where extends Function {
    private Tensor cond;

    @Override
    protected RawTensor forward(Tensor... in) {
      int[] shape =
          Shapes.broadcast(
              "where", Shapes.broadcast("where", in[0].shape(), in[1].shape()), in[2].shape());
      cond = save(in[0]);
      return backendOf(in[1])
          .where(
              Shapes.expandRaw(in[0].raw(), shape),
              Shapes.expandRaw(in[1].raw(), shape),
              Shapes.expandRaw(in[2].raw(), shape));
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      Tensor zero = Tensor.zerosLike(g);
      return new Tensor[] {
        null,
        needsInputGrad(1) ? Tensor.where(cond, g, zero) : null,
        needsInputGrad(2) ? Tensor.where(cond, zero, g) : null
      };
    }
  }
}
