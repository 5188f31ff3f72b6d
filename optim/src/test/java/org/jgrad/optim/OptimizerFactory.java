package org.jgrad.optim;

import java.util.List;
import java.util.Map;
import org.jgrad.json.Json;

/**
 * Builds an optimizer from a reference run's name and camelCase options through the public Options
 * API.
 */
final class OptimizerFactory {
  private OptimizerFactory() {}

  private static double d(Map<String, Object> m, String k) {
    return ((Number) m.get(k)).doubleValue();
  }

  private static boolean b(Map<String, Object> m, String k) {
    return (Boolean) m.get(k);
  }

  private static double[] betas(Map<String, Object> m) {
    return Json.doubles(m.get("betas"));
  }

  static Optimizer build(String name, List<ParamGroup> groups, Map<String, Object> m) {
    switch (name) {
      case "SGD":
        {
          var o = SGD.options(d(m, "lr"));
          if (m.containsKey("momentum")) o.momentum(d(m, "momentum"));
          if (m.containsKey("dampening")) o.dampening(d(m, "dampening"));
          if (m.containsKey("weightDecay")) o.weightDecay(d(m, "weightDecay"));
          if (m.containsKey("nesterov")) o.nesterov(b(m, "nesterov"));
          if (m.containsKey("maximize")) o.maximize(b(m, "maximize"));
          return new SGD(groups, o);
        }
      case "Adam":
      case "AdamW":
        {
          var o = name.equals("Adam") ? Adam.options() : AdamW.options();
          if (m.containsKey("lr")) o.lr(d(m, "lr"));
          if (m.containsKey("betas")) o.betas(betas(m)[0], betas(m)[1]);
          if (m.containsKey("eps")) o.eps(d(m, "eps"));
          if (m.containsKey("weightDecay")) o.weightDecay(d(m, "weightDecay"));
          if (m.containsKey("amsgrad")) o.amsgrad(b(m, "amsgrad"));
          if (m.containsKey("maximize")) o.maximize(b(m, "maximize"));
          return name.equals("Adam") ? new Adam(groups, o) : new AdamW(groups, o);
        }
      case "Adadelta":
        {
          var o = Adadelta.options();
          if (m.containsKey("lr")) o.lr(d(m, "lr"));
          if (m.containsKey("rho")) o.rho(d(m, "rho"));
          if (m.containsKey("eps")) o.eps(d(m, "eps"));
          if (m.containsKey("weightDecay")) o.weightDecay(d(m, "weightDecay"));
          if (m.containsKey("maximize")) o.maximize(b(m, "maximize"));
          return new Adadelta(groups, o);
        }
      case "Adagrad":
        {
          var o = Adagrad.options();
          if (m.containsKey("lr")) o.lr(d(m, "lr"));
          if (m.containsKey("lrDecay")) o.lrDecay(d(m, "lrDecay"));
          if (m.containsKey("initialAccumulatorValue"))
            o.initialAccumulatorValue(d(m, "initialAccumulatorValue"));
          if (m.containsKey("eps")) o.eps(d(m, "eps"));
          if (m.containsKey("weightDecay")) o.weightDecay(d(m, "weightDecay"));
          if (m.containsKey("maximize")) o.maximize(b(m, "maximize"));
          return new Adagrad(groups, o);
        }
      case "RMSprop":
        {
          var o = RMSprop.options();
          if (m.containsKey("lr")) o.lr(d(m, "lr"));
          if (m.containsKey("alpha")) o.alpha(d(m, "alpha"));
          if (m.containsKey("eps")) o.eps(d(m, "eps"));
          if (m.containsKey("weightDecay")) o.weightDecay(d(m, "weightDecay"));
          if (m.containsKey("momentum")) o.momentum(d(m, "momentum"));
          if (m.containsKey("centered")) o.centered(b(m, "centered"));
          if (m.containsKey("maximize")) o.maximize(b(m, "maximize"));
          return new RMSprop(groups, o);
        }
      case "Adamax":
        {
          var o = Adamax.options();
          if (m.containsKey("lr")) o.lr(d(m, "lr"));
          if (m.containsKey("betas")) o.betas(betas(m)[0], betas(m)[1]);
          if (m.containsKey("eps")) o.eps(d(m, "eps"));
          if (m.containsKey("weightDecay")) o.weightDecay(d(m, "weightDecay"));
          if (m.containsKey("maximize")) o.maximize(b(m, "maximize"));
          return new Adamax(groups, o);
        }
      case "NAdam":
        {
          var o = NAdam.options();
          if (m.containsKey("lr")) o.lr(d(m, "lr"));
          if (m.containsKey("betas")) o.betas(betas(m)[0], betas(m)[1]);
          if (m.containsKey("eps")) o.eps(d(m, "eps"));
          if (m.containsKey("weightDecay")) o.weightDecay(d(m, "weightDecay"));
          if (m.containsKey("momentumDecay")) o.momentumDecay(d(m, "momentumDecay"));
          return new NAdam(groups, o);
        }
      case "LBFGS":
        {
          var o = LBFGS.options();
          if (m.containsKey("lr")) o.lr(d(m, "lr"));
          if (m.containsKey("maxIter")) o.maxIter((int) d(m, "maxIter"));
          if (m.containsKey("maxEval")) o.maxEval((int) d(m, "maxEval"));
          if (m.containsKey("historySize")) o.historySize((int) d(m, "historySize"));
          if (m.containsKey("toleranceGrad")) o.toleranceGrad(d(m, "toleranceGrad"));
          if (m.containsKey("toleranceChange")) o.toleranceChange(d(m, "toleranceChange"));
          if (m.containsKey("lineSearchFn")) o.lineSearchFn((String) m.get("lineSearchFn"));
          return new LBFGS(groups, o);
        }
      default:
        throw new IllegalArgumentException("unknown optimizer " + name);
    }
  }
}
