package org.jgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.backend.RawTensor;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.NeuralOpsWithArgs;
import org.jgrad.tensor.Tensor;
import org.jgrad.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every differentiable op's backward against finite differences in float64, on the CPU device and
 * (for a subset) on {@link Device#REFERENCE}, with broadcasting and non-contiguous inputs; second
 * derivatives through {@code createGraph}; and GradCheck's own ability to catch a wrong backward.
 */
class GradCheckTest {
  // ---------------------------------------------------------------- input builders

  /**
   * Each case builds its own inputs from a seed derived from its name, so cases are independent.
   */
  private static final class In {
    final Generator g;
    final Device device;

    In(String name, Device device) {
      this.g = new Generator(name.hashCode());
      this.device = device;
    }

    private Tensor leaf(Tensor t) {
      Tensor x = t.to(DType.FLOAT64).detach();
      if (!device.equals(Device.CPU)) x = x.to(device).detach();
      return x.requiresGrad(true);
    }

    /** Standard normal. */
    Tensor n(int... shape) {
      return leaf(Tensor.randn(g, shape));
    }

    /** Uniform in [lo, hi]. */
    Tensor u(double lo, double hi, int... shape) {
      return leaf(Tensor.rand(g, shape).mul(hi - lo).add(lo));
    }

    /** Magnitude in [0.5, 2], random sign: away from kinks and poles. */
    Tensor nz(int... shape) {
      Tensor mag = Tensor.rand(g, shape).mul(1.5).add(0.5);
      Tensor sign = Tensor.rand(g, shape).lt(0.5).to(DType.FLOAT32).mul(2).sub(1);
      return leaf(mag.mul(sign));
    }

    /** Standard normal, stored transposed in the last two dims (a non-contiguous leaf). */
    Tensor nt(int... shape) {
      int r = shape.length;
      int[] ts = shape.clone();
      ts[r - 1] = shape[r - 2];
      ts[r - 2] = shape[r - 1];
      Tensor x = Tensor.randn(g, ts).to(DType.FLOAT64);
      if (!device.equals(Device.CPU)) x = x.to(device);
      Tensor v = x.transpose(-1, -2).detach().requiresGrad(true);
      assertFalse(v.isContiguous());
      return v;
    }

    /**
     * Standard normal, every other element of a larger storage (a stepped, non-contiguous leaf).
     */
    Tensor ns(int... shape) {
      int[] wide = shape.clone();
      wide[shape.length - 1] *= 2;
      Tensor x = Tensor.randn(g, wide).to(DType.FLOAT64);
      if (!device.equals(Device.CPU)) x = x.to(device);
      Tensor v = x.slice(-1, 1, wide[shape.length - 1], 2).detach().requiresGrad(true);
      assertFalse(v.isContiguous());
      return v;
    }

    /** Int64 indices in [0, bound). */
    Tensor idx(int bound, int... shape) {
      Tensor t = Tensor.randint(g, 0, bound, shape);
      return device.equals(Device.CPU) ? t : t.to(device);
    }

    /** Fixed int64 values on this device. */
    Tensor longs(long... v) {
      Tensor t = Tensor.ofLongs(v);
      return device.equals(Device.CPU) ? t : t.to(device);
    }

    /** A random bool mask. */
    Tensor mask(int... shape) {
      Tensor t = Tensor.rand(g, shape).lt(0.5);
      return device.equals(Device.CPU) ? t : t.to(device);
    }
  }

  private record Case(
      String name, java.util.function.Function<In, Tensor[]> inputs, GradCheck.Fn fn) {}

  private static Case c(
      String name, java.util.function.Function<In, Tensor[]> inputs, GradCheck.Fn fn) {
    return new Case(name, inputs, fn);
  }

  private static Tensor[] of(Tensor... t) {
    return t;
  }

  static List<Case> allCases() {
    List<Case> cs = new ArrayList<>();
    // element-wise, binary with broadcasting
    cs.add(c("add_broadcast", in -> of(in.n(3, 4), in.n(4)), x -> x[0].add(x[1])));
    cs.add(c("add_scalar_tensor", in -> of(in.n(), in.n(2, 3)), x -> x[0].add(x[1])));
    cs.add(c("sub_broadcast", in -> of(in.n(2, 1, 3), in.n(4, 1)), x -> x[0].sub(x[1])));
    cs.add(c("mul_broadcast", in -> of(in.n(3, 1), in.n(1, 4)), x -> x[0].mul(x[1])));
    cs.add(c("mul_self", in -> of(in.n(3, 4)), x -> x[0].mul(x[0])));
    cs.add(c("div_broadcast", in -> of(in.n(3, 4), in.nz(4)), x -> x[0].div(x[1])));
    cs.add(c("pow_tensor", in -> of(in.u(0.5, 2, 3, 4), in.n(4)), x -> x[0].pow(x[1])));
    cs.add(c("maximum", in -> of(in.n(3, 4), in.n(4)), x -> x[0].maximum(x[1])));
    cs.add(c("minimum", in -> of(in.n(3, 4), in.n(3, 1)), x -> x[0].minimum(x[1])));
    cs.add(
        c(
            "where",
            in -> of(in.mask(3, 4), in.n(3, 4), in.n(4)),
            x -> Tensor.where(x[0], x[1], x[2])));
    // scalar variants
    cs.add(c("add_s", in -> of(in.n(2, 3)), x -> x[0].add(2.5)));
    cs.add(c("sub_s", in -> of(in.n(2, 3)), x -> x[0].sub(-1.25)));
    cs.add(c("mul_s", in -> of(in.n(2, 3)), x -> x[0].mul(-3)));
    cs.add(c("div_s", in -> of(in.n(2, 3)), x -> x[0].div(0.75)));
    cs.add(c("pow_s3", in -> of(in.n(2, 3)), x -> x[0].pow(3)));
    cs.add(c("pow_s_half", in -> of(in.u(0.5, 2, 2, 3)), x -> x[0].pow(0.5)));
    cs.add(c("pow_s_neg", in -> of(in.u(0.5, 2, 2, 3)), x -> x[0].pow(-1.5)));
    cs.add(c("pow_s2", in -> of(in.n(2, 3)), x -> x[0].pow(2)));
    // unary
    cs.add(c("neg", in -> of(in.n(2, 3)), x -> x[0].neg()));
    cs.add(c("exp", in -> of(in.n(2, 3)), x -> x[0].exp()));
    cs.add(c("log", in -> of(in.u(0.5, 3, 2, 3)), x -> x[0].log()));
    cs.add(c("sqrt", in -> of(in.u(0.5, 3, 2, 3)), x -> x[0].sqrt()));
    cs.add(c("log1p", in -> of(in.u(-0.5, 3, 2, 3)), x -> x[0].log1p()));
    cs.add(c("expm1", in -> of(in.u(-2, 2, 2, 3)), x -> x[0].expm1()));
    cs.add(c("abs", in -> of(in.nz(2, 3)), x -> x[0].abs()));
    cs.add(c("sign", in -> of(in.nz(2, 3)), x -> x[0].sign()));
    cs.add(c("sin", in -> of(in.n(2, 3)), x -> x[0].sin()));
    cs.add(c("cos", in -> of(in.n(2, 3)), x -> x[0].cos()));
    cs.add(c("tanh", in -> of(in.n(2, 3)), x -> x[0].tanh()));
    cs.add(c("sigmoid", in -> of(in.n(2, 3)), x -> x[0].sigmoid()));
    cs.add(c("relu", in -> of(in.nz(2, 3)), x -> x[0].relu()));
    cs.add(c("erf", in -> of(in.n(2, 3)), x -> x[0].erf()));
    cs.add(c("reciprocal", in -> of(in.nz(2, 3)), x -> x[0].reciprocal()));
    cs.add(c("square", in -> of(in.n(2, 3)), x -> x[0].square()));
    cs.add(c("leakyRelu", in -> of(in.nz(2, 3)), x -> x[0].leakyRelu(0.1)));
    cs.add(c("elu", in -> of(in.nz(2, 3)), x -> x[0].elu(0.7)));
    cs.add(c("gelu", in -> of(in.u(-3, 3, 2, 4)), x -> x[0].gelu()));
    cs.add(c("softplus", in -> of(in.u(-5, 5, 2, 4)), x -> x[0].softplus()));
    cs.add(c("softplus_beta", in -> of(in.nz(2, 4)), x -> x[0].softplus(2, 1.5)));
    cs.add(c("silu", in -> of(in.n(2, 4)), x -> x[0].silu()));
    cs.add(c("clamp", in -> of(in.n(3, 4)), x -> x[0].clamp(-0.4, 0.6)));
    cs.add(c("clampMin", in -> of(in.n(3, 4)), x -> x[0].clampMin(-0.3)));
    cs.add(c("clampMax", in -> of(in.n(3, 4)), x -> x[0].clampMax(0.2)));
    // reductions
    cs.add(c("sum_all", in -> of(in.n(3, 4)), x -> x[0].sum()));
    cs.add(c("sum_dims", in -> of(in.n(2, 3, 4)), x -> x[0].sum(new int[] {0, 2}, false)));
    cs.add(c("sum_keep", in -> of(in.n(2, 3, 4)), x -> x[0].sum(1, true)));
    cs.add(c("mean", in -> of(in.n(2, 3, 4)), x -> x[0].mean(new int[] {-1}, false)));
    cs.add(c("mean_all", in -> of(in.n(3, 4)), x -> x[0].mean()));
    cs.add(c("var_unbiased", in -> of(in.n(3, 4)), x -> x[0].var(1, true, false)));
    cs.add(
        c(
            "var_biased_keep",
            in -> of(in.n(2, 3, 4)),
            x -> x[0].var(new int[] {0, 2}, false, true)));
    cs.add(c("var_all", in -> of(in.n(3, 4)), x -> x[0].var()));
    cs.add(c("std", in -> of(in.n(3, 4)), x -> x[0].std(0, true, false)));
    cs.add(c("std_all", in -> of(in.n(3, 4)), x -> x[0].std()));
    cs.add(c("amax", in -> of(in.n(3, 4)), x -> x[0].amax(new int[] {1}, false)));
    cs.add(c("amin", in -> of(in.n(2, 3, 4)), x -> x[0].amin(new int[] {0, 2}, true)));
    cs.add(c("max_all", in -> of(in.n(3, 4)), x -> x[0].max()));
    cs.add(c("min_all", in -> of(in.n(3, 4)), x -> x[0].min()));
    cs.add(c("max_dim", in -> of(in.n(3, 4)), x -> x[0].max(1, false).values()));
    cs.add(c("min_dim_keep", in -> of(in.n(3, 4)), x -> x[0].min(0, true).values()));
    cs.add(c("logsumexp", in -> of(in.n(3, 4)), x -> x[0].logsumexp(1, false)));
    cs.add(
        c("logsumexp_dims", in -> of(in.n(2, 3, 4)), x -> x[0].logsumexp(new int[] {0, 2}, true)));
    cs.add(c("norm2", in -> of(in.n(3, 4)), x -> x[0].norm()));
    cs.add(c("norm1", in -> of(in.nz(3, 4)), x -> x[0].norm(1, new int[] {1}, false)));
    cs.add(
        c(
            "norm_inf",
            in -> of(in.n(3, 4)),
            x -> x[0].norm(Double.POSITIVE_INFINITY, new int[] {0}, true)));
    cs.add(c("norm3", in -> of(in.nz(3, 4)), x -> x[0].norm(3, new int[] {1}, false)));
    cs.add(c("softmax", in -> of(in.n(3, 4)), x -> x[0].softmax(1)));
    cs.add(c("softmax_dim0", in -> of(in.n(2, 3, 4)), x -> x[0].softmax(0)));
    cs.add(c("logSoftmax", in -> of(in.n(3, 4)), x -> x[0].logSoftmax(-1)));
    // linear algebra
    cs.add(c("matmul_dot", in -> of(in.n(4), in.n(4)), x -> x[0].matmul(x[1])));
    cs.add(c("matmul_mv", in -> of(in.n(3, 4), in.n(4)), x -> x[0].matmul(x[1])));
    cs.add(c("matmul_vm", in -> of(in.n(3), in.n(3, 4)), x -> x[0].matmul(x[1])));
    cs.add(c("matmul_mm", in -> of(in.n(2, 3), in.n(3, 4)), x -> x[0].matmul(x[1])));
    cs.add(c("matmul_batched", in -> of(in.n(2, 3, 4), in.n(4, 2)), x -> x[0].matmul(x[1])));
    cs.add(
        c("matmul_bcast_batch", in -> of(in.n(2, 1, 2, 3), in.n(3, 3, 2)), x -> x[0].matmul(x[1])));
    cs.add(c("matmul_vec_batched", in -> of(in.n(3), in.n(2, 3, 2)), x -> x[0].matmul(x[1])));
    cs.add(c("outer", in -> of(in.n(3), in.n(4)), x -> x[0].outer(x[1])));
    // shape ops
    cs.add(c("reshape", in -> of(in.n(2, 3, 4)), x -> x[0].reshape(4, -1).mul(x[0].reshape(4, 6))));
    cs.add(c("view", in -> of(in.n(2, 6)), x -> x[0].view(3, 4).exp()));
    cs.add(c("permute", in -> of(in.n(2, 3, 4)), x -> x[0].permute(2, 0, 1).exp()));
    cs.add(c("transpose", in -> of(in.n(2, 3)), x -> x[0].transpose(0, 1).matmul(x[0])));
    cs.add(c("t", in -> of(in.n(2, 3)), x -> x[0].t().sin()));
    cs.add(
        c(
            "expand",
            in -> of(in.n(3, 1)),
            x -> x[0].expand(2, 3, 4).mul(x[0].expand(3, 4).sum(1, true))));
    cs.add(c("narrow", in -> of(in.n(4, 5)), x -> x[0].narrow(1, 1, 3).exp()));
    cs.add(c("select", in -> of(in.n(3, 4)), x -> x[0].select(1, -2).exp()));
    cs.add(c("slice_step", in -> of(in.n(3, 9)), x -> x[0].slice(1, 1, 8, 3).exp()));
    cs.add(c("flatten", in -> of(in.n(2, 3, 2)), x -> x[0].flatten(1, 2).exp()));
    cs.add(c("squeeze_unsqueeze", in -> of(in.n(3, 1, 2)), x -> x[0].squeeze().unsqueeze(0).exp()));
    cs.add(
        c(
            "contiguous_clone",
            in -> of(in.n(3, 4)),
            x -> x[0].t().contiguous().mul(x[0].t().clone())));
    cs.add(
        c(
            "cat",
            in -> of(in.n(2, 3), in.n(1, 3), in.n(4, 3)),
            x -> Tensor.cat(List.of(x[0], x[1], x[2]), 0).exp()));
    cs.add(
        c(
            "stack",
            in -> of(in.n(2, 3), in.n(2, 3)),
            x -> Tensor.stack(List.of(x[0], x[1].exp()), 1)));
    cs.add(
        c(
            "split",
            in -> of(in.n(5, 2)),
            x -> {
              List<Tensor> p = x[0].split(2, 0);
              return Tensor.cat(List.of(p.get(0).exp(), p.get(1).sin(), p.get(2).mul(3)), 0);
            }));
    cs.add(
        c(
            "chunk",
            in -> of(in.n(2, 6)),
            x -> {
              List<Tensor> p = x[0].chunk(3, 1);
              return p.get(0).mul(p.get(1)).add(p.get(2).exp());
            }));
    cs.add(c("pad", in -> of(in.n(2, 3)), x -> x[0].pad(new int[] {1, 2, 0, 1}, 0.5).exp()));
    cs.add(c("repeat", in -> of(in.n(2, 3)), x -> x[0].repeat(2, 1, 2).sin()));
    cs.add(c("flip", in -> of(in.n(3, 4)), x -> x[0].flip(0, 1).mul(x[0])));
    cs.add(c("gather", in -> of(in.n(3, 4), in.idx(4, 3, 5)), x -> x[0].gather(1, x[1])));
    cs.add(
        c(
            "scatterAdd",
            in -> of(in.n(3, 4), in.idx(3, 2, 4), in.n(2, 4)),
            x -> x[0].scatterAdd(0, x[1], x[2])));
    cs.add(
        c(
            "scatterAdd_src_larger",
            in -> of(in.n(3, 4), in.idx(3, 2, 3), in.n(3, 4)),
            x -> x[0].scatterAdd(0, x[1], x[2])));
    cs.add(
        c(
            "gather_index_smaller",
            in -> of(in.n(3, 4), in.idx(4, 2, 2)),
            x -> x[0].gather(1, x[1])));
    cs.add(
        c(
            "indexSelect",
            in -> of(in.n(4, 3), in.longs(3, 0, 3, 1)),
            x -> x[0].indexSelect(0, x[1])));
    cs.add(
        c(
            "to_reference_and_back",
            in -> of(in.n(2, 3)),
            x -> x[0].to(Device.REFERENCE).exp().to(Device.CPU)));
    // non-contiguous inputs
    cs.add(c("nc_add_broadcast", in -> of(in.nt(3, 4), in.ns(4)), x -> x[0].add(x[1]).mul(x[0])));
    cs.add(c("nc_exp", in -> of(in.nt(3, 4)), x -> x[0].exp()));
    cs.add(c("nc_sum_dims", in -> of(in.nt(2, 3, 4)), x -> x[0].sum(new int[] {0, 2}, true)));
    cs.add(c("nc_var", in -> of(in.ns(3, 4)), x -> x[0].var(1, true, false)));
    cs.add(c("nc_softmax", in -> of(in.nt(3, 4)), x -> x[0].softmax(-1)));
    cs.add(c("nc_matmul", in -> of(in.nt(3, 4), in.ns(4, 2)), x -> x[0].matmul(x[1])));
    cs.add(
        c("nc_matmul_batched", in -> of(in.nt(2, 3, 4), in.nt(2, 4, 3)), x -> x[0].matmul(x[1])));
    cs.add(c("nc_reshape", in -> of(in.nt(3, 4)), x -> x[0].reshape(12).exp()));
    cs.add(c("nc_gather", in -> of(in.nt(3, 4), in.idx(4, 3, 2)), x -> x[0].gather(1, x[1])));
    cs.add(
        c(
            "nc_cat",
            in -> of(in.nt(2, 3), in.ns(2, 2)),
            x -> Tensor.cat(List.of(x[0], x[1]), 1).sin()));
    cs.add(c("nc_max_dim", in -> of(in.ns(3, 4)), x -> x[0].max(1, true).values()));
    cs.add(c("nc_pad_flip", in -> of(in.nt(3, 2)), x -> x[0].flip(1).pad(new int[] {1, 1}, 0)));
    // neural-network primitives
    cs.add(
        c(
            "conv2d",
            in -> of(in.n(2, 2, 5, 5), in.n(3, 2, 3, 3), in.n(3)),
            x ->
                NeuralOpsWithArgs.conv2d(
                    x[0], x[1], x[2], new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 1}, 1)));
    cs.add(
        c(
            "conv2d_groups_dilation",
            in -> of(in.n(1, 4, 6, 6), in.n(4, 2, 2, 2)),
            x ->
                NeuralOpsWithArgs.conv2d(
                    x[0], x[1], null, new int[] {1, 1}, new int[] {1, 1}, new int[] {2, 1}, 2)));
    cs.add(
        c(
            "conv2d_input_only",
            in -> of(in.n(1, 2, 4, 4), in.n(2, 2, 3, 3).detach()),
            x ->
                NeuralOpsWithArgs.conv2d(
                    x[0], x[1], null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1)));
    cs.add(
        c(
            "nc_conv2d",
            in -> of(in.nt(1, 2, 4, 5), in.ns(2, 2, 2, 2)),
            x ->
                NeuralOpsWithArgs.conv2d(
                    x[0], x[1], null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1)));
    cs.add(
        c(
            "convTranspose2d",
            in -> of(in.n(1, 2, 3, 3), in.n(2, 3, 3, 3), in.n(3)),
            x ->
                NeuralOpsWithArgs.convTranspose2d(
                    x[0],
                    x[1],
                    x[2],
                    new int[] {2, 2},
                    new int[] {1, 1},
                    new int[] {1, 0},
                    1,
                    new int[] {1, 1})));
    cs.add(
        c(
            "convTranspose2d_input_only",
            in -> of(in.n(1, 2, 3, 2), in.n(2, 2, 2, 2).detach()),
            x ->
                NeuralOpsWithArgs.convTranspose2d(
                    x[0],
                    x[1],
                    null,
                    new int[] {1, 2},
                    new int[] {0, 0},
                    new int[] {0, 1},
                    1,
                    new int[] {1, 1})));
    cs.add(
        c(
            "maxPool2d",
            in -> of(in.n(2, 2, 5, 5)),
            x ->
                NeuralOpsWithArgs.maxPool2d(
                    x[0], new int[] {2, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 1})));
    cs.add(
        c(
            "maxPool2d_dilation",
            in -> of(in.n(1, 1, 6, 6)),
            x ->
                NeuralOpsWithArgs.maxPool2d(
                    x[0], new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {2, 2})));
    cs.add(
        c(
            "avgPool2d",
            in -> of(in.n(1, 2, 5, 6)),
            x ->
                NeuralOpsWithArgs.avgPool2d(
                    x[0], new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1})));
    cs.add(
        c(
            "adaptiveAvgPool2d",
            in -> of(in.n(1, 2, 5, 7)),
            x -> NeuralOpsWithArgs.adaptiveAvgPool2d(x[0], 3, 4)));
    cs.add(
        c(
            "logSoftmaxNll",
            in -> of(in.n(4, 5), in.longs(2, -100, 4, 0)),
            x -> NeuralOpsWithArgs.logSoftmaxNll(x[0], x[1], -100)));
    // composites
    cs.add(
        c(
            "mlp",
            in -> of(in.n(4, 3), in.n(3, 5), in.n(5)),
            x -> x[0].matmul(x[1]).add(x[2]).tanh().sum(1, false).logSoftmax(0)));
    cs.add(
        c(
            "layer_norm",
            in -> of(in.n(3, 6)),
            x -> x[0].sub(x[0].mean(1, true)).div(x[0].var(1, false, true).add(1e-5).sqrt())));
    return cs;
  }

  /** The cases that also run with every input on the reference device. */
  private static final List<String> ON_REFERENCE =
      List.of(
          "add_broadcast",
          "div_broadcast",
          "pow_tensor",
          "where",
          "exp",
          "log",
          "sigmoid",
          "gelu",
          "sum_dims",
          "var_biased_keep",
          "amax",
          "max_dim",
          "logsumexp",
          "softmax",
          "matmul_bcast_batch",
          "slice_step",
          "cat",
          "pad",
          "gather",
          "scatterAdd",
          "nc_matmul",
          "nc_softmax",
          "mlp",
          "conv2d",
          "convTranspose2d",
          "maxPool2d",
          "avgPool2d",
          "logSoftmaxNll");

  static Stream<Arguments> cpuCases() {
    return allCases().stream().map(k -> Arguments.of(k.name(), k));
  }

  static Stream<Arguments> referenceCases() {
    return allCases().stream()
        .filter(k -> ON_REFERENCE.contains(k.name()))
        .map(k -> Arguments.of(k.name(), k));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cpuCases")
  void backwardMatchesFiniteDifferencesOnCpu(String name, Case k) {
    Tensor[] inputs = k.inputs().apply(new In(name, Device.CPU));
    GradCheck.check(k.fn(), inputs);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("referenceCases")
  void backwardMatchesFiniteDifferencesOnReference(String name, Case k) {
    Tensor[] inputs = k.inputs().apply(new In(name, Device.REFERENCE));
    for (Tensor t : inputs) assertEquals(Device.REFERENCE, t.device());
    GradCheck.check(k.fn(), inputs);
  }

  @Test
  void referenceListNamesExistingCases() {
    List<String> names = allCases().stream().map(Case::name).toList();
    for (String n : ON_REFERENCE) assertTrue(names.contains(n), n);
    assertEquals(names.size(), names.stream().distinct().count(), "duplicate case names");
  }

  /** Large problems go through random directions; they must pass as well. */
  @Test
  void randomDirectionModeOnALargeProblem() {
    In in = new In("large", Device.CPU);
    Tensor a = in.n(30, 40), b = in.n(40, 20);
    GradCheck.check(x -> x[0].matmul(x[1]).tanh(), a, b);
    GradCheck.withDefaults()
        .fullJacobianLimit(0)
        .randomDirections(3)
        .verify(x -> x[0].softmax(1).mul(x[0]), a);
  }

  // ---------------------------------------------------------------- second order

  @ParameterizedTest(name = "{0}")
  @MethodSource("gradGradCases")
  void secondDerivativesMatchFiniteDifferences(String name, Case k) {
    Tensor[] inputs = k.inputs().apply(new In(name, Device.CPU));
    GradCheck.checkGradGrad(k.fn(), inputs);
  }

  static Stream<Arguments> gradGradCases() {
    List<String> names =
        List.of(
            "mul_broadcast",
            "div_broadcast",
            "pow_tensor",
            "exp",
            "log",
            "sqrt",
            "sin",
            "tanh",
            "sigmoid",
            "erf",
            "gelu",
            "softplus",
            "reciprocal",
            "var_unbiased",
            "logsumexp",
            "softmax",
            "logSoftmax",
            "matmul_batched",
            "norm2",
            "max_dim",
            "gather",
            "where",
            "mlp",
            "layer_norm",
            "nc_matmul",
            "conv2d_input_only",
            "convTranspose2d_input_only",
            "logSoftmaxNll");
    return allCases().stream()
        .filter(k -> names.contains(k.name()))
        .map(k -> Arguments.of(k.name(), k));
  }

  /** H·v from backward(createGraph) against (∇f(x + εv) − ∇f(x − εv)) / 2ε. */
  @Test
  void hessianVectorProductMatchesFiniteDifferencesOfTheGradient() {
    Generator g = new Generator(11);
    Tensor a = Tensor.randn(g, 4, 4).to(DType.FLOAT64);
    GradCheck.Fn f =
        x -> x[0].matmul(a).tanh().mul(x[0].exp()).sum().add(x[0].square().sum().log());
    double[] x0 = Tensor.randn(g, 4, 4).to(DType.FLOAT64).toDoubleArray();
    double[] v = Tensor.randn(g, 4, 4).to(DType.FLOAT64).toDoubleArray();

    Tensor x = Tensor.of(x0, 4, 4).requiresGrad(true);
    Tensor y = f.apply(x);
    y.backward(Tensor.onesLike(y), false, true);
    Tensor grad = x.grad();
    assertTrue(
        grad.requiresGrad(), "createGraph must give a gradient that is itself differentiable");
    x.zeroGrad();
    grad.mul(Tensor.of(v, 4, 4)).sum().backward();
    double[] hv = x.grad().toDoubleArray();

    double eps = 1e-6;
    double[] plus = gradientAt(f, shifted(x0, v, eps)), minus = gradientAt(f, shifted(x0, v, -eps));
    for (int i = 0; i < hv.length; i++) {
      double numeric = (plus[i] - minus[i]) / (2 * eps);
      assertTrue(
          Math.abs(hv[i] - numeric) <= 1e-5 + 1e-3 * Math.abs(numeric),
          "Hv[" + i + "]: analytic " + hv[i] + ", numeric " + numeric);
    }
  }

  private static double[] shifted(double[] x, double[] v, double eps) {
    double[] out = x.clone();
    for (int i = 0; i < out.length; i++) out[i] += eps * v[i];
    return out;
  }

  private static double[] gradientAt(GradCheck.Fn f, double[] x0) {
    Tensor x = Tensor.of(x0, 4, 4).requiresGrad(true);
    f.apply(x).backward();
    return x.grad().toDoubleArray();
  }

  // ---------------------------------------------------------------- GradCheck itself

  /** y = x², with a deliberately wrong backward (3x instead of 2x). */
  static final class WrongSquare extends Function {
    private Tensor x;

    @Override
    protected RawTensor forward(Tensor... in) {
      x = save(in[0]);
      return in[0].mul(in[0]).raw();
    }

    @Override
    protected Tensor[] backward(Tensor g) {
      return new Tensor[] {g.mul(x).mul(3)};
    }
  }

  @Test
  void catchesAWrongBackwardAndNamesInputAndElement() {
    In in = new In("wrong", Device.CPU);
    Tensor a = in.n(2, 3), b = in.n(2, 3);
    GradCheck.Failure f =
        assertThrows(
            GradCheck.Failure.class,
            () -> GradCheck.check(x -> x[0].add(Function.apply(new WrongSquare(), x[1])), a, b));
    assertEquals(1, f.input());
    String m = f.getMessage();
    assertTrue(m.contains("input 1"), m);
    assertTrue(m.contains("input element [0, 0]"), m);
    assertTrue(m.contains("analytic") && m.contains("numeric"), m);
    double x00 = b.get(0, 0);
    assertTrue(m.contains(String.format(java.util.Locale.ROOT, "analytic %.10g", 3 * x00)), m);
  }

  @Test
  void randomDirectionModeAlsoCatchesAWrongBackward() {
    In in = new In("wrongLarge", Device.CPU);
    Tensor a = in.u(0.5, 1.5, 40, 40);
    GradCheck.Failure f =
        assertThrows(
            GradCheck.Failure.class,
            () -> GradCheck.check(x -> Function.apply(new WrongSquare(), x[0]), a));
    assertTrue(
        f.getMessage().contains("directional derivative mismatch for input 0"), f.getMessage());
  }

  @Test
  void catchesAGradientThatIsOffByLessThanOnePercent() {
    // Scale the correct derivative by 1.01 through a custom op: rtol 1e-3 must notice.
    final class Slightly extends Function {
      @Override
      protected RawTensor forward(Tensor... in) {
        return in[0].exp().raw();
      }

      @Override
      protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.mul(inputs().get(0).detach().exp()).mul(1.01)};
      }
    }
    Tensor a = new In("slight", Device.CPU).n(3);
    assertThrows(
        GradCheck.Failure.class,
        () -> GradCheck.check(x -> Function.apply(new Slightly(), x[0]), a));
  }

  @Test
  void rejectsFloat32InputsAndFunctionsWithoutGradInputs() {
    Tensor f32 = Tensor.randn(2, 2).requiresGrad(true);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check(x -> x[0].exp(), f32));
    assertTrue(
        e.getMessage().contains("float32") && e.getMessage().contains("float64"), e.getMessage());
    Tensor noGrad = Tensor.randn(2, 2).to(DType.FLOAT64);
    e =
        assertThrows(
            IllegalArgumentException.class, () -> GradCheck.check(x -> x[0].exp(), noGrad));
    assertTrue(e.getMessage().contains("no input requires grad"), e.getMessage());
    Tensor ok = Tensor.randn(2, 2).to(DType.FLOAT64).requiresGrad(true);
    e =
        assertThrows(
            IllegalArgumentException.class, () -> GradCheck.check(x -> x[0].to(DType.FLOAT32), ok));
    assertTrue(e.getMessage().contains("must return float64"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> GradCheck.withDefaults().eps(0));
  }

  @Test
  void restoresExistingGradientsAndLeavesInputsUnchanged() {
    Tensor a = Tensor.randn(2, 3).to(DType.FLOAT64).requiresGrad(true);
    double[] before = a.toDoubleArray();
    Tensor g = Tensor.ones(DType.FLOAT64, 2, 3);
    a.setGrad(g);
    GradCheck.check(x -> x[0].sin().mul(x[0]), a);
    assertSame(g, a.grad());
    assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(a.toDoubleArray()));
    Tensor b = Tensor.randn(2, 3).to(DType.FLOAT64).requiresGrad(true);
    GradCheck.check(x -> x[0].exp(), b);
    assertNull(b.grad());
  }

  @Test
  void anOutputIndependentOfAnInputHasAZeroJacobian() {
    Tensor a = Tensor.randn(3).to(DType.FLOAT64).requiresGrad(true);
    Tensor b = Tensor.randn(3).to(DType.FLOAT64).requiresGrad(true);
    GradCheck.check(x -> x[0].exp(), a, b);
  }
}
