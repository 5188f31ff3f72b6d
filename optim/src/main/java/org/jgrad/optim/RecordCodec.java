package org.jgrad.optim;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgrad.tensor.Tensor;

/**
 * The one place where typed configs and states meet the PyTorch-shaped maps of state dicts: a
 * record's components become map entries under their names, except that a pair of components {@code
 * beta1, beta2} becomes one {@code "betas"} entry holding {@code double[2]}, as in PyTorch. Null
 * reference components are left out of the map (an Adam state without AMSGrad has no {@code
 * "maxExpAvgSq"}).
 */
final class RecordCodec {
  private RecordCodec() {}

  static final String BETAS = "betas";

  /** The entries of {@code r}, in component order. */
  static Map<String, Object> toMap(Record r) {
    Map<String, Object> out = new LinkedHashMap<>();
    RecordComponent[] comps = r.getClass().getRecordComponents();
    for (int i = 0; i < comps.length; i++) {
      String name = comps[i].getName();
      if (name.equals("beta1") && i + 1 < comps.length && comps[i + 1].getName().equals("beta2")) {
        out.put(BETAS, new double[] {(Double) value(r, comps[i]), (Double) value(r, comps[i + 1])});
        i++;
        continue;
      }
      Object v = value(r, comps[i]);
      if (v != null) out.put(name, v instanceof List<?> l ? new ArrayList<>(l) : v);
    }
    return out;
  }

  /**
   * The keys {@link #toMap} writes for records of {@code type} (including absent nullable ones).
   */
  static Set<String> keys(Class<? extends Record> type) {
    Set<String> out = new java.util.LinkedHashSet<>();
    for (RecordComponent c : type.getRecordComponents()) {
      out.add(c.getName().equals("beta1") || c.getName().equals("beta2") ? BETAS : c.getName());
    }
    return out;
  }

  /**
   * A record of {@code type} from {@code map}; its constructor validates. Missing reference
   * components are null; a missing primitive is an error.
   *
   * @param what names the map in messages ("state of parameter 3")
   */
  static <R extends Record> R fromMap(Class<R> type, Map<String, ?> map, String what) {
    Set<String> known = keys(type);
    for (String k : map.keySet()) {
      if (!known.contains(k)) {
        throw new IllegalArgumentException(
            what + ": unknown key '" + k + "'; known keys: " + known);
      }
    }
    RecordComponent[] comps = type.getRecordComponents();
    Object[] args = new Object[comps.length];
    Class<?>[] types = new Class<?>[comps.length];
    double[] betas = null;
    if (map.containsKey(BETAS)) {
      Object b = map.get(BETAS);
      betas = b instanceof double[] a ? a : b instanceof List<?> l ? toDoubles(l, what) : null;
      if (betas == null || betas.length != 2) {
        throw new IllegalArgumentException("Invalid betas: expected 2 values, got " + describe(b));
      }
    }
    for (int i = 0; i < comps.length; i++) {
      String name = comps[i].getName();
      types[i] = comps[i].getType();
      Object v;
      boolean present;
      if (name.equals("beta1") || name.equals("beta2")) {
        present = betas != null;
        v = present ? betas[name.equals("beta1") ? 0 : 1] : null;
      } else {
        present = map.containsKey(name);
        v = map.get(name);
      }
      if (!present && types[i].isPrimitive()) {
        throw new IllegalArgumentException(
            what + ": missing '" + (name.startsWith("beta") ? BETAS : name) + "'");
      }
      args[i] = coerce(types[i], v, name, what);
    }
    try {
      Constructor<R> ctor = type.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("RecordCodec: cannot build " + type.getName(), e);
    }
  }

  /** A copy of {@code r} with one entry replaced (validated by the record's constructor). */
  @SuppressWarnings("unchecked")
  static <R extends Record> R with(R r, String key, Object value, String what) {
    Map<String, Object> m = toMap(r);
    if (!keys(r.getClass()).contains(key)) {
      throw new IllegalArgumentException(
          what + ": unknown option '" + key + "'; known options: " + keys(r.getClass()));
    }
    m.put(key, value);
    return fromMap((Class<R>) r.getClass(), m, what);
  }

  private static Object value(Record r, RecordComponent c) {
    try {
      var acc = c.getAccessor();
      acc.setAccessible(true);
      return acc.invoke(r);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("RecordCodec: cannot read " + c, e);
    }
  }

  private static Object coerce(Class<?> t, Object v, String name, String what) {
    String bad = what + ": '" + name + "' must be ";
    // PyTorch keeps counters such as "step" as one-element tensors
    if (t.isPrimitive() && v instanceof Tensor x && x.numel() == 1) v = x.item();
    if (t == double.class) {
      if (v instanceof Number n) return n.doubleValue();
      throw new IllegalArgumentException(bad + "a number, got " + describe(v));
    }
    if (t == int.class || t == long.class) {
      if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
        return t == int.class ? (Object) n.intValue() : (Object) n.longValue();
      }
      throw new IllegalArgumentException(bad + "an integer, got " + describe(v));
    }
    if (t == boolean.class) {
      if (v instanceof Boolean b) return b;
      throw new IllegalArgumentException(bad + "a boolean, got " + describe(v));
    }
    if (v == null) return null;
    if (t == Double.class) {
      if (v instanceof Number n) return n.doubleValue();
      throw new IllegalArgumentException(bad + "a number, got " + describe(v));
    }
    if (t == List.class) {
      if (v instanceof List<?> l) return new ArrayList<>(l);
      throw new IllegalArgumentException(bad + "a list, got " + describe(v));
    }
    if (!t.isInstance(v)) {
      throw new IllegalArgumentException(bad + "a " + t.getSimpleName() + ", got " + describe(v));
    }
    return v;
  }

  private static double[] toDoubles(List<?> l, String what) {
    double[] out = new double[l.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(l.get(i) instanceof Number n))
        throw new IllegalArgumentException(what + ": betas must be numbers: " + l);
      out[i] = n.doubleValue();
    }
    return out;
  }

  private static String describe(Object v) {
    if (v == null) return "null";
    if (v instanceof double[] a) return java.util.Arrays.toString(a);
    if (v instanceof Tensor t) return "a tensor of shape " + java.util.Arrays.toString(t.shape());
    return v + " (" + v.getClass().getSimpleName() + ")";
  }
}
