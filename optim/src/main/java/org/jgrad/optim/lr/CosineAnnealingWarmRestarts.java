package org.jgrad.optim.lr;

import org.jgrad.optim.Optimizer;

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov and Hutter, 2016), as {@code
 * torch.optim.lr_scheduler.CosineAnnealingWarmRestarts}: the rate falls from the initial rate to
 * {@code etaMin} over {@code t0} epochs, jumps back, and each following period is {@code tMult}
 * times longer.
 *
 * <pre>{@code
 * var sched = new CosineAnnealingWarmRestarts(opt, 10, 2, 1e-5);
 * int iters = batchesPerEpoch;
 * for (int epoch = 0; epoch < 70; epoch++) {
 *   for (int i = 0; i < iters; i++) {
 *     trainOneBatch(opt);
 *     sched.step(epoch + (double) i / iters);   // fractional epochs anneal within an epoch
 *   }
 * }
 * }</pre>
 */
public final class CosineAnnealingWarmRestarts extends LRScheduler {
  private int t0;
  private int tMult;
  private double etaMin;
  private double tI;
  private double tCur;

  public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0) {
    this(optimizer, t0, 1, 0.0);
  }

  public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult, double etaMin) {
    this(optimizer, t0, tMult, etaMin, -1);
  }

  public CosineAnnealingWarmRestarts(
      Optimizer optimizer, int t0, int tMult, double etaMin, int lastEpoch) {
    super(optimizer, lastEpoch);
    if (t0 <= 0) throw new IllegalArgumentException("Expected positive integer T_0, but got " + t0);
    if (tMult < 1)
      throw new IllegalArgumentException("Expected integer T_mult >= 1, but got " + tMult);
    this.t0 = t0;
    this.tI = t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tCur = lastEpoch;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    double[] out = new double[baseLrs.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = etaMin + (baseLrs[i] - etaMin) * (1 + Math.cos(Math.PI * tCur / tI)) / 2;
    }
    return out;
  }

  /** Advances one epoch (restarting when the period ends). */
  @Override
  public void step() {
    stepCount++;
    if (lastEpoch < 0) {
      moveTo(0);
      return;
    }
    lastEpoch++;
    tCur = tCur + 1;
    if (tCur >= tI) {
      tCur = tCur - tI;
      tI = tI * tMult;
    }
    apply(computeLr());
  }

  @Override
  public void step(int epoch) {
    step((double) epoch);
  }

  /** Jumps to a possibly fractional {@code epoch}, e.g. {@code epoch + batch / batchesPerEpoch}. */
  public void step(double epoch) {
    stepCount++;
    moveTo(epoch);
  }

  private void moveTo(double epoch) {
    if (epoch < 0)
      throw new IllegalArgumentException("Expected non-negative epoch, but got " + epoch);
    if (epoch >= t0) {
      if (tMult == 1) {
        tCur = epoch % t0;
      } else {
        int n = (int) (Math.log(epoch / t0 * (tMult - 1) + 1) / Math.log(tMult));
        tCur = epoch - t0 * (Math.pow(tMult, n) - 1) / (tMult - 1);
        tI = t0 * Math.pow(tMult, n);
      }
    } else {
      tI = t0;
      tCur = epoch;
    }
    lastEpoch = (int) Math.floor(epoch);
    apply(computeLr());
  }

  @Override
  protected void stateFields(StateFields f) {
    t0 = f.intField("t0", t0);
    tMult = f.intField("tMult", tMult);
    etaMin = f.doubleField("etaMin", etaMin);
    tI = f.doubleField("tI", tI);
    tCur = f.doubleField("tCur", tCur);
  }
}
