package org.jgrad.backend.cpu;

import org.jgrad.backend.RecurrentCellComposites;
import org.jgrad.backend.UnaryOp;
import org.jgrad.backend.cpu.kernels.ElementwiseKernels;
import org.jgrad.backend.cpu.kernels.IntRangeBody;
import org.jgrad.backend.cpu.kernels.Parallel;

/**
 * The CPU backend's LSTM and GRU cell kernels on contiguous float32 arrays: one pass per batch row
 * instead of the composite's dozen element-wise tensors. Same bits as {@link
 * RecurrentCellComposites} on this backend: the activations come from the same {@link
 * CpuKernels#unary}, the gradient rows from {@link ElementwiseKernels#lstmBackwardRow} and {@link
 * ElementwiseKernels#gruBackwardRow} (whose vector and scalar paths agree bit for bit), and each
 * float product, difference and sum is rounded in the composite's order (Java never contracts
 * {@code a * b + c} into a fused multiply-add).
 *
 * <pre>{@code
 * RecurrentKernels.lstm(batch, h, gates, 0, c, 0, out, acts);      // out [2, B, H], acts [B, 5H]
 * RecurrentKernels.lstmBackward(batch, h, gy, 0, acts, 0, c, 0, dGates, dC);
 * }</pre>
 */
final class RecurrentKernels {
  private RecurrentKernels() {}

  /**
   * Relative cost of one element of a row pass, in simple element-wise operations: the forward
   * passes evaluate sigmoid or tanh (double lanes with a degree-11 polynomial) for every gate,
   * which costs about as much as a dozen plain operations; the backward rows are plain arithmetic.
   */
  private static final int FORWARD_COST = 16, BACKWARD_COST = 4;

  /**
   * Rows [0, batch) of {@code h}-wide blocks, in parallel chunks of about {@link Strided#GRAIN}
   * element-operations when there are at least two such chunks (below that a fork costs more than
   * it saves). Rows are independent, so the result does not depend on the split.
   */
  private static void overRows(int batch, int h, int cost, IntRangeBody body) {
    long work = (long) batch * h * cost;
    if (work >= 2L * Strided.GRAIN) {
      Parallel.forRange(batch, Math.max(1, Strided.GRAIN / Math.max(1, h * cost)), body);
    } else {
      body.run(0, batch);
    }
  }

  /**
   * gates [B, 4H] at {@code go}, c [B, H] at {@code co} (both dense) into out [2, B, H] (h' then
   * c') and acts [B, 5H] (σ(i), σ(f), tanh(g), σ(o), tanh(c')), every element written.
   */
  static void lstm(
      int batch, int h, float[] gates, int go, float[] c, int co, float[] out, float[] acts) {
    overRows(
        batch,
        h,
        FORWARD_COST,
        (r0, r1) -> {
          for (int b = r0; b < r1; b++) {
            int g = go + b * 4 * h, a = b * 5 * h, cr = co + b * h, ho = b * h;
            int cn = (batch + b) * h;
            CpuKernels.unary(UnaryOp.SIGMOID, gates, g, acts, a, 2 * h);
            CpuKernels.unary(UnaryOp.TANH, gates, g + 2 * h, acts, a + 2 * h, h);
            CpuKernels.unary(UnaryOp.SIGMOID, gates, g + 3 * h, acts, a + 3 * h, h);
            for (int j = 0; j < h; j++) {
              out[cn + j] = acts[a + h + j] * c[cr + j] + acts[a + j] * acts[a + 2 * h + j];
            }
            CpuKernels.unary(UnaryOp.TANH, out, cn, acts, a + 4 * h, h);
            for (int j = 0; j < h; j++) {
              out[ho + j] = acts[a + 3 * h + j] * acts[a + 4 * h + j];
            }
          }
        });
  }

  /**
   * gy [2, B, H] at {@code gyo} (∂h', ∂c'), the forward's acts [B, 5H] at {@code ao} and c [B, H]
   * at {@code co} into dGates [B, 4H] and dC [B, H], every element written.
   */
  static void lstmBackward(
      int batch,
      int h,
      float[] gy,
      int gyo,
      float[] acts,
      int ao,
      float[] c,
      int co,
      float[] dGates,
      float[] dC) {
    overRows(
        batch,
        h,
        BACKWARD_COST,
        (r0, r1) -> {
          for (int b = r0; b < r1; b++) {
            int a = ao + b * 5 * h, d = b * 4 * h, gh0 = gyo + b * h, gc0 = gyo + (batch + b) * h;
            ElementwiseKernels.lstmBackwardRow(
                h, acts, a, gy, gh0, gc0, c, co + b * h, dGates, d, dC, b * h);
          }
        });
  }

  /**
   * xGates and hGates [B, 3H] at {@code xo} and {@code ho}, h [B, H] at {@code hv} (all dense) into
   * next [B, H] and acts [B, 3H] (r, z, n), every element written.
   */
  static void gru(
      int batch,
      int h,
      float[] xg,
      int xo,
      float[] hg,
      int ho,
      float[] hs,
      int hv,
      float[] next,
      float[] acts) {
    overRows(
        batch,
        h,
        FORWARD_COST,
        (r0, r1) -> {
          for (int b = r0; b < r1; b++) {
            int x = xo + b * 3 * h, g = ho + b * 3 * h, a = b * 3 * h, s = hv + b * h;
            for (int j = 0; j < 2 * h; j++) acts[a + j] = xg[x + j] + hg[g + j];
            CpuKernels.unary(UnaryOp.SIGMOID, acts, a, acts, a, 2 * h);
            for (int j = 0; j < h; j++) {
              acts[a + 2 * h + j] = xg[x + 2 * h + j] + acts[a + j] * hg[g + 2 * h + j];
            }
            CpuKernels.unary(UnaryOp.TANH, acts, a + 2 * h, acts, a + 2 * h, h);
            for (int j = 0; j < h; j++) {
              float n = acts[a + 2 * h + j];
              next[b * h + j] = (hs[s + j] - n) * acts[a + h + j] + n;
            }
          }
        });
  }

  /**
   * gy [B, H] at {@code gyo}, the forward's acts [B, 3H] at {@code ao}, hGates [B, 3H] at {@code
   * ho} and h [B, H] at {@code hv} into dx, dh [B, 3H] and dPrev [B, H], every element written.
   */
  static void gruBackward(
      int batch,
      int h,
      float[] gy,
      int gyo,
      float[] acts,
      int ao,
      float[] hg,
      int ho,
      float[] hs,
      int hv,
      float[] dx,
      float[] dh,
      float[] dPrev) {
    overRows(
        batch,
        h,
        BACKWARD_COST,
        (r0, r1) -> {
          for (int b = r0; b < r1; b++) {
            ElementwiseKernels.gruBackwardRow(
                h,
                acts,
                ao + b * 3 * h,
                gy,
                gyo + b * h,
                hg,
                ho + b * 3 * h + 2 * h,
                hs,
                hv + b * h,
                dx,
                dh,
                b * 3 * h,
                dPrev,
                b * h);
          }
        });
  }
}
