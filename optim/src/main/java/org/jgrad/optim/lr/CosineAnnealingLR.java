package org.jgrad.optim.lr;

import org.jgrad.optim.Optimizer;

/**
 * Cosine annealing from the initial rate down to {@code etaMin} over {@code tMax} epochs (SGDR
 * without restarts), as {@code torch.optim.lr_scheduler.CosineAnnealingLR}: {@code η_t = η_min +
 * (η_0 − η_min)·(1 + cos(π·t/T_max))/2}. Past {@code tMax} the rate climbs back up along the
 * cosine, as PyTorch's does; see {@link CosineAnnealingWarmRestarts} for restarts.
 *
 * <pre>{@code
 * var sched = new CosineAnnealingLR(opt, 100, 1e-5);
 * }</pre>
 */
public final class CosineAnnealingLR extends LRScheduler {
  private int tMax;
  private double etaMin;

  public CosineAnnealingLR(Optimizer optimizer, int tMax) {
    this(optimizer, tMax, 0.0);
  }

  public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
    this(optimizer, tMax, etaMin, -1);
  }

  public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin, int lastEpoch) {
    super(optimizer, lastEpoch);
    if (tMax <= 0)
      throw new IllegalArgumentException("CosineAnnealingLR: T_max must be positive, got " + tMax);
    this.tMax = tMax;
    this.etaMin = etaMin;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    double[] lrs = currentLrs();
    if (lastEpoch == 0) return lrs;
    if (stepCount == 1 && lastEpoch > 0) {
      for (int i = 0; i < lrs.length; i++) {
        lrs[i] = etaMin + (baseLrs[i] - etaMin) * (1 + Math.cos(lastEpoch * Math.PI / tMax)) / 2;
      }
      return lrs;
    }
    if (Math.floorMod(lastEpoch - 1 - tMax, 2 * tMax) == 0) {
      // at the bottom of the cosine the ratio below is 0/0: step up by the first increment
      for (int i = 0; i < lrs.length; i++)
        lrs[i] += (baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
      return lrs;
    }
    double ratio =
        (1 + Math.cos(Math.PI * lastEpoch / tMax))
            / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax));
    for (int i = 0; i < lrs.length; i++) lrs[i] = ratio * (lrs[i] - etaMin) + etaMin;
    return lrs;
  }

  @Override
  protected double[] closedFormLr() {
    double[] out = baseLrs.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] = etaMin + (baseLrs[i] - etaMin) * (1 + Math.cos(Math.PI * lastEpoch / tMax)) / 2;
    }
    return out;
  }

  @Override
  protected void stateFields(StateFields f) {
    tMax = f.intField("tMax", tMax);
    etaMin = f.doubleField("etaMin", etaMin);
  }
}
