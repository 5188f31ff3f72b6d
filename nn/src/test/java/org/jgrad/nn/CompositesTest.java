package org.jgrad.nn;

import java.util.Random;
import java.util.function.Function;
import org.jgrad.nn.functional.CompositeOps;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The fused primitives F uses and the slice-based {@link Composites} agree, values and gradients,
 * on random configurations (an oracle independent of PyTorch's reference cases). The comparisons
 * are {@link Check#close}, which throws an AssertionError naming the first element out of
 * tolerance.
 */
class CompositesTest {
  private static void same(
      String what,
      Function<Tensor[], Tensor> fused,
      Function<Tensor[], Tensor> composite,
      Tensor... inputs) {
    Tensor[] a = new Tensor[inputs.length], b = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      a[i] = inputs[i].detach().requiresGrad(true);
      b[i] = inputs[i].detach().requiresGrad(true);
    }
    Tensor ya = fused.apply(a), yb = composite.apply(b);
    Check.close(what + " value", yb, ya);
    Tensor g = Tensor.randn(new Generator(1), ya.shape());
    ya.backward(g);
    yb.backward(g);
    for (int i = 0; i < inputs.length; i++)
      Check.close(what + " grad " + i, b[i].grad(), a[i].grad());
  }

  @Test
  void convolutionsAgree() {
    Random r = new Random(42);
    for (int trial = 0; trial < 12; trial++) {
      int groups = 1 + r.nextInt(2),
          cin = groups * (1 + r.nextInt(2)),
          cout = groups * (1 + r.nextInt(2));
      int[] k = {1 + r.nextInt(3), 1 + r.nextInt(3)}, s = {1 + r.nextInt(2), 1 + r.nextInt(2)};
      int[] d = {1 + r.nextInt(2), 1 + r.nextInt(2)}, p = {r.nextInt(2), r.nextInt(3)};
      Tensor x = Tensor.randn(new Generator(trial), 2, cin, 5 + r.nextInt(3), 6 + r.nextInt(3));
      Tensor w = Tensor.randn(new Generator(100 + trial), cout, cin / groups, k[0], k[1]);
      Tensor b = Tensor.randn(new Generator(200 + trial), cout);
      String cfg =
          "conv2d k"
              + k[0]
              + "x"
              + k[1]
              + " s"
              + s[0]
              + ","
              + s[1]
              + " d"
              + d[0]
              + ","
              + d[1]
              + " p"
              + p[0]
              + ","
              + p[1]
              + " g"
              + groups;
      same(
          cfg,
          t -> F.conv2d(t[0], t[1], t[2], s, p, d, groups),
          t -> CompositeOps.conv2d(t[0], t[1], t[2], s, p, d, groups),
          x,
          w,
          b);
      int[] op = {r.nextInt(Math.max(s[0], d[0])), r.nextInt(Math.max(s[1], d[1]))};
      int[] pt = {Math.min(p[0], 1), Math.min(p[1], 1)};
      Tensor wt = Tensor.randn(new Generator(300 + trial), cin, cout / groups, k[0], k[1]);
      same(
          "convTranspose2d " + cfg + " op" + op[0] + "," + op[1],
          t -> F.convTranspose2d(t[0], t[1], t[2], s, pt, op, groups, d),
          t -> CompositeOps.convTranspose2d(t[0], t[1], t[2], s, pt, op, groups, d),
          x,
          wt,
          b);
    }
  }

  @Test
  void poolingAgrees() {
    Random r = new Random(7);
    for (int trial = 0; trial < 12; trial++) {
      int[] k = {1 + r.nextInt(3), 1 + r.nextInt(3)}, s = {1 + r.nextInt(2), 1 + r.nextInt(3)};
      int[] p = {r.nextInt(k[0] / 2 + 1), r.nextInt(k[1] / 2 + 1)}, d = {1 + r.nextInt(2), 1};
      boolean ceil = r.nextBoolean(), include = r.nextBoolean();
      Tensor x = Tensor.randn(new Generator(trial), 2, 3, 6 + r.nextInt(3), 5 + r.nextInt(3));
      String cfg = "k" + k[0] + "x" + k[1] + " s" + s[0] + "," + s[1] + " p" + p[0] + "," + p[1];
      same(
          "maxPool2d " + cfg + " d" + d[0] + " ceil " + ceil,
          t -> F.maxPool2d(t[0], k, s, p, d, ceil),
          t -> CompositeOps.maxPool2d(t[0], k, s, p, d, ceil),
          x);
      same(
          "avgPool2d " + cfg + " includePad " + include,
          t -> F.avgPool2d(t[0], k, s, p, include),
          t -> CompositeOps.avgPool2d(t[0], k, s, p, include),
          x);
    }
    Tensor x = Tensor.randn(new Generator(5), 2, 3, 8, 6);
    same(
        "adaptive divisible",
        t -> F.adaptiveAvgPool2d(t[0], 4, 3),
        t -> CompositeOps.adaptiveAvgPool2d(t[0], 4, 3),
        x);
  }

  @Test
  void batchNormAgreesIncludingRunningStatistics() {
    for (int[] shape : new int[][] {{6, 3}, {4, 3, 5}, {2, 3, 4, 4}}) {
      Tensor x = Tensor.randn(new Generator(shape.length), shape).mul(2).add(0.5);
      Tensor w = Tensor.randn(new Generator(10), 3), b = Tensor.randn(new Generator(11), 3);
      Tensor rm1 = Tensor.randn(new Generator(12), 3),
          rv1 = Tensor.rand(new Generator(13), 3).add(0.5);
      Tensor rm2 = rm1.clone(), rv2 = rv1.clone();
      String what = "batchNorm " + java.util.Arrays.toString(shape);
      same(
          what + " train",
          t -> F.batchNorm(t[0], rm1, rv1, t[1], t[2], true, 0.3, 1e-5),
          t -> CompositeOps.batchNorm(t[0], rm2, rv2, t[1], t[2], true, 0.3, 1e-5),
          x,
          w,
          b);
      Check.close(what + " running mean", rm2, rm1);
      Check.close(what + " running var", rv2, rv1);
      same(
          what + " eval",
          t -> F.batchNorm(t[0], rm1, rv1, t[1], t[2], false, 0.3, 1e-5),
          t -> CompositeOps.batchNorm(t[0], rm2, rv2, t[1], t[2], false, 0.3, 1e-5),
          x,
          w,
          b);
    }
  }

  @Test
  void lstmCellsAgree() {
    for (int trial = 0; trial < 8; trial++) {
      int batch = 1 + trial % 3, h = 1 + 7 * trial;
      Tensor gates = Tensor.randn(new Generator(300 + trial), batch, 4 * h).mul(2);
      Tensor c = Tensor.randn(new Generator(400 + trial), batch, h);
      // Both outputs feed the loss, as in a sequence: h' and c' (stacked to compare them at once).
      same(
          "lstmCell B" + batch + " H" + h,
          in -> Tensor.stack(java.util.List.of(F.lstmCellFromGates(in[0], in[1])), 0),
          in -> Tensor.stack(java.util.List.of(CompositeOps.lstmCellFromGates(in[0], in[1])), 0),
          gates,
          c);
      // Same float operations in the same order: the forward values are identical, not close.
      Tensor[] fused = F.lstmCellFromGates(gates, c);
      Tensor[] comp = CompositeOps.lstmCellFromGates(gates, c);
      for (int k = 0; k < 2; k++) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(
            comp[k].toFloatArray(), fused[k].toFloatArray(), "lstmCell output " + k);
      }
    }
  }

  @Test
  void lstmCellArgumentsAreChecked() {
    Tensor c = Tensor.zeros(2, 3);
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> F.lstmCellFromGates(Tensor.zeros(2, 11), c));
    org.junit.jupiter.api.Assertions.assertTrue(
        e.getMessage().contains("lstmCellFromGates") && e.getMessage().contains("[2, 11]"),
        e.getMessage());
    e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> F.lstmCellFromGates(Tensor.zeros(3, 12), c));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("[3, 12]"), e.getMessage());
    e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> F.lstmCellFromGates(Tensor.zeros(2, 12), c.to(org.jgrad.backend.DType.FLOAT64)));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("float64"), e.getMessage());
    e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> F.lstmCellFromGates(Tensor.zeros(12), c));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("[B, 4H]"), e.getMessage());
  }

  @Test
  void gruCellsAgree() {
    for (int trial = 0; trial < 8; trial++) {
      int batch = 1 + trial % 3, h = 1 + 7 * trial;
      Tensor xg = Tensor.randn(new Generator(500 + trial), batch, 3 * h).mul(2);
      Tensor hg = Tensor.randn(new Generator(600 + trial), batch, 3 * h).mul(2);
      Tensor hs = Tensor.randn(new Generator(700 + trial), batch, h);
      same(
          "gruCell B" + batch + " H" + h,
          in -> F.gruCellFromGates(in[0], in[1], in[2]),
          in -> CompositeOps.gruCellFromGates(in[0], in[1], in[2]),
          xg,
          hg,
          hs);
      // Same float operations in the same order: identical forward values.
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          CompositeOps.gruCellFromGates(xg, hg, hs).toFloatArray(),
          F.gruCellFromGates(xg, hg, hs).toFloatArray(),
          "gruCell output");
    }
  }

  @Test
  void gruCellArgumentsAreChecked() {
    Tensor h = Tensor.zeros(2, 3), g = Tensor.zeros(2, 9);
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> F.gruCellFromGates(g, Tensor.zeros(2, 8), h));
    org.junit.jupiter.api.Assertions.assertTrue(
        e.getMessage().contains("gruCellFromGates") && e.getMessage().contains("[2, 8]"),
        e.getMessage());
    e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> F.gruCellFromGates(g, g, h.to(org.jgrad.backend.DType.FLOAT64)));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("float64"), e.getMessage());
    e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> F.gruCellFromGates(g, g, Tensor.zeros(3)));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("[B, H]"), e.getMessage());
  }
}
