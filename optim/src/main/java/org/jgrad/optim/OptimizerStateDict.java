package org.jgrad.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgrad.autograd.GradMode;
import org.jgrad.tensor.Tensor;

/**
 * A snapshot of an optimizer: per-parameter state keyed by the parameter's position across all
 * groups (0, 1, … in group order), and each group's options with {@code "params"} holding those
 * positions. It mirrors PyTorch's {@code {'state': …, 'param_groups': […]}}.
 *
 * <p>The snapshot owns deep copies of every tensor, so later steps do not change it and it can be
 * loaded into a fresh optimizer over other tensors of the same shapes:
 *
 * <pre>{@code
 * OptimizerStateDict saved = opt.stateDict();
 * Adam resumed = new Adam(model.parameters(), Adam.options());
 * resumed.loadStateDict(saved);              // continues bit for bit where opt stopped
 * }</pre>
 *
 * <p>The optimizer derives the maps from its typed config and state records (and builds the records
 * back when loading), so the keys are the records' component names. {@link Checkpoint} writes such
 * a snapshot to disk beside the model.
 *
 * <p>State values are {@link Tensor}s, {@link Long}/{@link Integer}/{@link Double} numbers, {@link
 * Boolean}s, {@link String}s, {@code double[]}, lists of those (LBFGS keeps its history as lists of
 * tensors) or null.
 */
public record OptimizerStateDict(
    Map<Integer, Map<String, Object>> state, List<Map<String, Object>> paramGroups) {

  public OptimizerStateDict {
    Map<Integer, Map<String, Object>> st = new LinkedHashMap<>();
    state.forEach((k, v) -> st.put(k, deepCopyMap(v)));
    state = st;
    List<Map<String, Object>> groups = new ArrayList<>();
    for (Map<String, Object> g : paramGroups) groups.add(deepCopyMap(g));
    paramGroups = groups;
  }

  /** A deep copy: new tensors, new arrays, new collections. */
  @SuppressWarnings("unchecked")
  static Object deepCopy(Object v) {
    if (v instanceof Tensor t) {
      try (var ng = GradMode.noGrad()) {
        return t.detach().clone();
      }
    }
    if (v instanceof double[] a) return a.clone();
    if (v instanceof long[] a) return a.clone();
    if (v instanceof int[] a) return a.clone();
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) out.add(deepCopy(o));
      return out;
    }
    if (v instanceof Map<?, ?> m) return deepCopyMap((Map<Object, Object>) m);
    return v;
  }

  static <K> Map<K, Object> deepCopyMap(Map<K, ?> m) {
    Map<K, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, deepCopy(v)));
    return out;
  }
}
