package org.jgrad.optim.lr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jgrad.json.Json;
import org.jgrad.optim.Optimizer;

/** Builds a scheduler from the reference file's spec through the public constructors. */
final class SchedulerFactory {
  private SchedulerFactory() {}

  private static double d(Map<String, Object> a, String k, double dflt) {
    return a.containsKey(k) ? ((Number) a.get(k)).doubleValue() : dflt;
  }

  private static int i(Map<String, Object> a, String k) {
    return ((Number) a.get(k)).intValue();
  }

  private static int[] ints(Object o) {
    double[] d = Json.doubles(o);
    int[] out = new int[d.length];
    for (int k = 0; k < d.length; k++) out[k] = (int) d[k];
    return out;
  }

  static Object build(Optimizer opt, Map<String, Object> spec) {
    String type = (String) spec.get("type");
    Map<String, Object> a = spec.containsKey("args") ? Json.map(spec.get("args")) : Map.of();
    switch (type) {
      case "StepLR":
        return new StepLR(opt, i(a, "stepSize"), d(a, "gamma", 0.1));
      case "MultiStepLR":
        return new MultiStepLR(opt, ints(a.get("milestones")), d(a, "gamma", 0.1));
      case "ExponentialLR":
        return new ExponentialLR(opt, d(a, "gamma", Double.NaN));
      case "ConstantLR":
        return new ConstantLR(opt, d(a, "factor", 1.0 / 3), (int) d(a, "totalIters", 5));
      case "LinearLR":
        return new LinearLR(
            opt, d(a, "startFactor", 1.0 / 3), d(a, "endFactor", 1.0), (int) d(a, "totalIters", 5));
      case "CosineAnnealingLR":
        return new CosineAnnealingLR(opt, i(a, "tMax"), d(a, "etaMin", 0));
      case "CosineAnnealingWarmRestarts":
        return new CosineAnnealingWarmRestarts(
            opt, i(a, "t0"), (int) d(a, "tMult", 1), d(a, "etaMin", 0));
      case "OneCycleLR":
        {
          var o =
              OneCycleLR.options(d(a, "maxLr", Double.NaN))
                  .totalSteps(i(a, "totalSteps"))
                  .pctStart(d(a, "pctStart", 0.3))
                  .annealStrategy(
                      "linear".equals(a.get("annealStrategy"))
                          ? OneCycleLR.AnnealStrategy.LINEAR
                          : OneCycleLR.AnnealStrategy.COS)
                  .cycleMomentum(!Boolean.FALSE.equals(a.get("cycleMomentum")))
                  .baseMomentum(d(a, "baseMomentum", 0.85))
                  .maxMomentum(d(a, "maxMomentum", 0.95))
                  .divFactor(d(a, "divFactor", 25))
                  .finalDivFactor(d(a, "finalDivFactor", 1e4))
                  .threePhase(Boolean.TRUE.equals(a.get("threePhase")));
          return new OneCycleLR(opt, o);
        }
      case "SequentialLR":
        {
          List<LRScheduler> subs = new ArrayList<>();
          for (Object s : Json.list(spec.get("schedulers")))
            subs.add((LRScheduler) build(opt, Json.map(s)));
          return new SequentialLR(opt, subs, ints(a.get("milestones")));
        }
      case "ChainedScheduler":
        {
          List<LRScheduler> subs = new ArrayList<>();
          for (Object s : Json.list(spec.get("schedulers")))
            subs.add((LRScheduler) build(opt, Json.map(s)));
          return new ChainedScheduler(subs);
        }
      case "ReduceLROnPlateau":
        {
          var o =
              ReduceLROnPlateau.options()
                  .mode(
                      "max".equals(a.get("mode"))
                          ? ReduceLROnPlateau.Mode.MAX
                          : ReduceLROnPlateau.Mode.MIN)
                  .factor(d(a, "factor", 0.1))
                  .patience((int) d(a, "patience", 10))
                  .threshold(d(a, "threshold", 1e-4))
                  .thresholdMode(
                      "abs".equals(a.get("thresholdMode"))
                          ? ReduceLROnPlateau.ThresholdMode.ABS
                          : ReduceLROnPlateau.ThresholdMode.REL)
                  .cooldown((int) d(a, "cooldown", 0))
                  .eps(d(a, "eps", 1e-8));
          if (a.get("minLr") instanceof List<?>) {
            o.minLr(Json.doubles(a.get("minLr")));
          } else {
            o.minLr(d(a, "minLr", 0));
          }
          return new ReduceLROnPlateau(opt, o);
        }
      default:
        throw new IllegalArgumentException("unknown scheduler " + type);
    }
  }
}
