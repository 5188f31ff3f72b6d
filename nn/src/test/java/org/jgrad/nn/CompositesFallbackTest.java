package org.jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.function.Function;
import org.jgrad.backend.Backend;
import org.jgrad.backend.BackendProvider;
import org.jgrad.backend.BinaryOp;
import org.jgrad.backend.ConvGeometry;
import org.jgrad.backend.DType;
import org.jgrad.backend.Device;
import org.jgrad.backend.FusedKernels;
import org.jgrad.backend.RawTensor;
import org.jgrad.backend.ReduceOp;
import org.jgrad.backend.Storage;
import org.jgrad.backend.UnaryOp;
import org.jgrad.backend.reference.ReferenceBackend;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.NeuralOps;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A backend with only the required primitives ({@link Backend#fused()} empty) still runs every
 * function of {@link F}: F falls back to its composites, and Tensor's in-place optimizer updates to
 * element-wise primitives. Values and gradients match the fused CPU path.
 */
class CompositesFallbackTest {
  private static final Device UNFUSED = new Device("unfused", 0);

  /** The reference kernels behind the required interface only: a device under construction. */
  static final class UnfusedBackend implements Backend {
    static final UnfusedBackend INSTANCE = new UnfusedBackend();
    private final ReferenceBackend ref = ReferenceBackend.on(UNFUSED);

    @Override
    public String name() {
      return "unfused";
    }

    @Override
    public Device device() {
      return UNFUSED;
    }

    @Override
    public Storage allocate(DType dtype, int length) {
      return ref.allocate(dtype, length);
    }

    @Override
    public Storage fromHost(double[] values, DType dtype) {
      return ref.fromHost(values, dtype);
    }

    @Override
    public Storage fromHost(float[] values) {
      return ref.fromHost(values);
    }

    @Override
    public double[] toHostDouble(RawTensor x) {
      return ref.toHostDouble(x);
    }

    @Override
    public float[] toHostFloat(RawTensor x) {
      return ref.toHostFloat(x);
    }

    @Override
    public RawTensor copy(RawTensor x, DType to) {
      return ref.copy(x, to);
    }

    @Override
    public void copyInto(RawTensor dst, RawTensor src) {
      ref.copyInto(dst, src);
    }

    @Override
    public void fill(RawTensor dst, double value) {
      ref.fill(dst, value);
    }

    @Override
    public RawTensor unary(UnaryOp op, RawTensor x) {
      return ref.unary(op, x);
    }

    @Override
    public RawTensor binary(BinaryOp op, RawTensor a, RawTensor b) {
      return ref.binary(op, a, b);
    }

    @Override
    public RawTensor where(RawTensor c, RawTensor a, RawTensor b) {
      return ref.where(c, a, b);
    }

    @Override
    public RawTensor reduce(ReduceOp op, RawTensor x, int[] axes) {
      return ref.reduce(op, x, axes);
    }

    @Override
    public RawTensor argReduce(ReduceOp op, RawTensor x, int axis) {
      return ref.argReduce(op, x, axis);
    }

    @Override
    public RawTensor matmul(RawTensor a, RawTensor b) {
      return ref.matmul(a, b);
    }

    @Override
    public RawTensor gather(RawTensor x, int dim, RawTensor index) {
      return ref.gather(x, dim, index);
    }

    @Override
    public RawTensor scatterAdd(RawTensor base, int dim, RawTensor index, RawTensor src) {
      return ref.scatterAdd(base, dim, index, src);
    }

    @Override
    public Optional<FusedKernels> fused() {
      return Optional.empty();
    }
  }

  /**
   * Registered in this module's test resources,
   * META-INF/services/org.jgrad.backend.BackendProvider.
   */
  public static final class UnfusedProvider implements BackendProvider {
    @Override
    public String name() {
      return "unfused";
    }

    @Override
    public boolean isAvailable() {
      return true;
    }

    @Override
    public String unavailableReason() {
      return null;
    }

    @Override
    public Backend backend(int index) {
      return UnfusedBackend.INSTANCE;
    }
  }

  /**
   * f on the CPU (fused kernels) and on the unfused device agree in value and in every input
   * gradient.
   */
  private static void same(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
    Tensor[] a = new Tensor[inputs.length], b = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      boolean grad = inputs[i].dtype().isFloatingPoint();
      a[i] = inputs[i].detach().requiresGrad(grad);
      b[i] = inputs[i].detach().to(UNFUSED).requiresGrad(grad);
    }
    Tensor ya = f.apply(a), yb = f.apply(b);
    assertTrue(yb.device().equals(UNFUSED), what + " left the unfused device");
    Check.close(what + " value", yb.to(Device.CPU), ya);
    Tensor g = Tensor.randn(new Generator(1), ya.numel()).reshape(ya.shape()); // also for a scalar
    ya.backward(g);
    yb.backward(g.to(UNFUSED));
    for (int i = 0; i < inputs.length; i++) {
      if (a[i].grad() != null)
        Check.close(what + " grad " + i, b[i].grad().to(Device.CPU), a[i].grad());
    }
  }

  @Test
  void registeredThroughTheSameServiceLoaderPathAsCpu() {
    assertTrue(Tensor.zeros(2).to(UNFUSED).backend() instanceof UnfusedBackend);
    assertTrue(Tensor.zeros(2).backend().fused().isPresent(), "the CPU backend has fused kernels");
  }

  @Test
  void functionalFallsBackToTheComposites() {
    Tensor x = Tensor.randn(new Generator(2), 2, 4, 7, 6);
    Tensor w = Tensor.randn(new Generator(3), 6, 2, 3, 3), b = Tensor.randn(new Generator(4), 6);
    same(
        "conv2d",
        t -> F.conv2d(t[0], t[1], t[2], new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 2}, 2),
        x,
        w,
        b);
    Tensor wt = Tensor.randn(new Generator(5), 4, 3, 3, 2);
    same(
        "convTranspose2d",
        t ->
            F.convTranspose2d(
                t[0],
                t[1],
                null,
                new int[] {2, 2},
                new int[] {1, 0},
                new int[] {1, 0},
                1,
                new int[] {1, 1}),
        x,
        wt);
    same(
        "maxPool2d",
        t ->
            F.maxPool2d(
                t[0],
                new int[] {3, 2},
                new int[] {2, 2},
                new int[] {1, 1},
                new int[] {1, 1},
                false),
        x);
    same(
        "avgPool2d",
        t -> F.avgPool2d(t[0], new int[] {2, 3}, new int[] {1, 2}, new int[] {1, 1}, true),
        x);
    same("adaptiveAvgPool2d", t -> F.adaptiveAvgPool2d(t[0], 7, 3), x);
    Tensor gamma = Tensor.randn(new Generator(6), 4), beta = Tensor.randn(new Generator(7), 4);
    same(
        "batchNorm",
        t -> F.batchNorm(t[0], null, null, t[1], t[2], true, 0.1, 1e-5),
        x,
        gamma,
        beta);
    Tensor logits = Tensor.randn(new Generator(8), 5, 3);
    Tensor target = Tensor.ofLongs(new long[] {0, 2, -100, 1, 2}, 5);
    same(
        "crossEntropy",
        t -> F.crossEntropy(t[0], t[1], null, -100, Reduction.MEAN, 0),
        logits,
        target);
  }

  @Test
  void coreFusedOpsSayWhereTheFallbackIs() {
    Tensor x = Tensor.randn(new Generator(9), 1, 1, 4, 4).to(UNFUSED);
    UnsupportedOperationException e =
        assertThrows(
            UnsupportedOperationException.class,
            () ->
                NeuralOps.maxPool2d(
                    x,
                    ConvGeometry.pool2d(
                        "maxPool2d",
                        x.shape(),
                        new int[] {2},
                        new int[] {2},
                        new int[] {0},
                        new int[] {1},
                        false)));
    assertTrue(
        e.getMessage().contains("'unfused'") && e.getMessage().contains("F"), e.getMessage());
  }

  @Test
  void inPlaceUpdatesFallBackToElementwisePrimitives() {
    Tensor t = Tensor.randn(new Generator(10), 3, 4), a = Tensor.randn(new Generator(11), 3, 4);
    Tensor c = Tensor.rand(new Generator(12), 4).add(0.5);
    Tensor u = t.clone().to(UNFUSED);
    t.addcdivInPlace(a, c, 0.3).addInPlace(a, -2).mulInPlace(c);
    u.addcdivInPlace(a.to(UNFUSED), c.to(UNFUSED), 0.3)
        .addInPlace(a.to(UNFUSED), -2)
        .mulInPlace(c.to(UNFUSED));
    Check.close("in-place updates", u.to(Device.CPU), t);
  }
}
