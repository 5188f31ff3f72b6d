package org.jgrad.optim;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.jgrad.json.Json;
import org.jgrad.nn.Module;
import org.jgrad.nn.io.SafeTensors;
import org.jgrad.tensor.Tensor;

/**
 * Saves and restores everything a training run needs to resume: the model's weights, the
 * optimizer's state and group options, and any extra values (scheduler state, epoch, …).
 *
 * <pre>{@code
 * Checkpoint.save(dir, model, opt, Map.of("scheduler", sched.stateDict(), "epoch", epoch));
 * // later, in a fresh process:
 * Module model = buildModel();
 * Adam opt = new Adam(model.parameters(), Adam.options().lr(1e-3));
 * var sched = new StepLR(opt, 30, 0.1);
 * Map<String, Object> extra = Checkpoint.load(dir, model, opt);
 * sched.loadStateDict(Checkpoint.map(extra.get("scheduler")));
 * int epoch = ((Number) extra.get("epoch")).intValue();
 * }</pre>
 *
 * <p>A checkpoint is a directory holding {@value #MODEL_FILE} (the model's {@code stateDict()},
 * readable by PyTorch's safetensors and by {@link Module#load}) and {@value #OPTIMIZER_FILE}: the
 * optimizer's state tensors under {@code "state/<param index>/<key>"} (list entries get a further
 * {@code "/<j>"}), and in its metadata the rest of the PyTorch-shaped state dict and the extra
 * values as JSON. Every scalar is written with its Java type ({@code long}, {@code int}, {@code
 * double} as its exact decimal form, …), so loading gives back exactly what was saved and training
 * continues bit for bit.
 *
 * <p>Writes are atomic: both files are written into a temporary sibling directory, which then
 * replaces the target. If the process dies during the final swap, the previous checkpoint is left
 * under {@code <dir>.old}, and {@link #load} reads it from there.
 *
 * <p>Extra values may be null, {@link Boolean}, {@link Integer}, {@link Long}, {@link Double},
 * {@link String}, {@code double[]}, {@code int[]}, {@code long[]}, and lists and string-keyed maps
 * of those (scheduler state dicts are such maps).
 */
public final class Checkpoint {
  /** The model's weights inside a checkpoint directory. */
  public static final String MODEL_FILE = "model.safetensors";

  /** The optimizer's state inside a checkpoint directory. */
  public static final String OPTIMIZER_FILE = "optimizer.safetensors";

  private static final String META_OPTIMIZER = "jgrad.optimizer";
  private static final String META_EXTRA = "jgrad.extra";

  private Checkpoint() {}

  /**
   * Writes model, optimizer and {@code extra} (may be null) to the directory {@code dir},
   * atomically.
   */
  public static void save(Path dir, Module model, Optimizer optimizer, Map<String, ?> extra)
      throws IOException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(optimizer, "optimizer");
    OptimizerStateDict sd = optimizer.stateDict();
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, Object> state = new LinkedHashMap<>();
    sd.state()
        .forEach(
            (idx, s) -> {
              Map<String, Object> enc = new LinkedHashMap<>();
              s.forEach((k, v) -> enc.put(k, encode(v, "state/" + idx + "/" + k, tensors)));
              state.put(Integer.toString(idx), enc);
            });
    List<Object> groups = new ArrayList<>();
    for (Map<String, Object> g : sd.paramGroups()) groups.add(encode(g, "param_groups", null));
    Map<String, Object> optimizerMeta = new LinkedHashMap<>();
    optimizerMeta.put("name", optimizer.name());
    optimizerMeta.put("state", state);
    optimizerMeta.put("param_groups", groups);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "jgrad-optimizer");
    meta.put(META_OPTIMIZER, Json.write(optimizerMeta));
    meta.put(META_EXTRA, Json.write(encode(extra == null ? Map.of() : extra, "extra", null)));

    Path target = dir.toAbsolutePath().normalize();
    Path parent = target.getParent();
    if (parent != null) Files.createDirectories(parent);
    Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
    try {
      model.save(tmp.resolve(MODEL_FILE));
      SafeTensors.save(tensors, meta, tmp.resolve(OPTIMIZER_FILE));
      Path old = backupOf(target);
      if (Files.exists(target)) {
        deleteTree(old);
        move(target, old);
      }
      move(tmp, target);
      deleteTree(old);
    } finally {
      deleteTree(tmp);
    }
  }

  /**
   * Restores the model's weights (strictly) and the optimizer's state from {@code dir}, and returns
   * the extra values saved with them. The optimizer must have the same groups of same-shaped
   * parameters, in the same order, as the one saved.
   */
  public static Map<String, Object> load(Path dir, Module model, Optimizer optimizer)
      throws IOException {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(optimizer, "optimizer");
    Path target = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(target) && Files.isDirectory(backupOf(target)))
      target = backupOf(target);
    Path optFile = target.resolve(OPTIMIZER_FILE);
    if (!Files.isRegularFile(optFile)) throw new IOException("Checkpoint.load: no " + optFile);
    SafeTensors.Contents contents = SafeTensors.read(optFile);
    Map<String, String> meta = contents.metadata();
    if (meta == null || !meta.containsKey(META_OPTIMIZER)) {
      throw new IOException(
          "Checkpoint.load: " + optFile + " has no '" + META_OPTIMIZER + "' metadata");
    }
    Map<Integer, Map<String, Object>> state = new LinkedHashMap<>();
    List<Map<String, Object>> groups = new ArrayList<>();
    try {
      Map<String, Object> om = Json.parseObject(meta.get(META_OPTIMIZER));
      if (!optimizer.name().equals(om.get("name"))) {
        throw new IllegalArgumentException(
            "the checkpoint holds "
                + om.get("name")
                + " state, the optimizer is "
                + optimizer.name());
      }
      for (Map.Entry<String, Object> e : Json.map(om.get("state")).entrySet()) {
        Map<String, Object> s = new LinkedHashMap<>();
        Json.map(e.getValue()).forEach((k, v) -> s.put(k, decode(v, contents.tensors())));
        state.put(Integer.parseInt(e.getKey()), s);
      }
      for (Object g : Json.list(om.get("param_groups"))) groups.add(map(decode(g, null)));
    } catch (IllegalArgumentException | ClassCastException e) {
      throw new IOException("Checkpoint.load: " + optFile + ": " + e.getMessage(), e);
    }
    Map<String, Object> extra;
    try {
      extra = map(decode(Json.parse(meta.getOrDefault(META_EXTRA, "{\"map\":{}}")), null));
    } catch (IllegalArgumentException | ClassCastException e) {
      throw new IOException(
          "Checkpoint.load: " + optFile + ": bad extra values: " + e.getMessage(), e);
    }
    OptimizerStateDict sd = new OptimizerStateDict(state, groups);
    // Load the optimizer first: it validates the dict before changing anything, so a mismatched
    // checkpoint leaves both model and optimizer untouched when it fails there.
    optimizer.loadStateDict(sd);
    model.load(target.resolve(MODEL_FILE));
    return extra;
  }

  /** Casts a decoded extra value to a string-keyed map (for example a scheduler's state dict). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object value) {
    if (value instanceof Map<?, ?> m) return (Map<String, Object>) m;
    throw new IllegalArgumentException("Checkpoint: expected a map, got " + value);
  }

  // ---------------------------------------------------------------- typed value encoding

  private static Object encode(Object v, String name, Map<String, Tensor> tensors) {
    if (v == null) return null;
    if (v instanceof Tensor t) {
      if (tensors == null)
        throw new IllegalArgumentException("Checkpoint: a tensor in " + name + " cannot be saved");
      tensors.put(name, t);
      return Map.of("tensor", name);
    }
    if (v instanceof Boolean b) return Map.of("bool", b);
    if (v instanceof Integer i) return Map.of("int", i);
    if (v instanceof Long l) return Map.of("long", Long.toString(l));
    if (v instanceof Double d) return Map.of("double", Double.toString(d));
    if (v instanceof Float f) return Map.of("double", Double.toString(f));
    if (v instanceof String s) return Map.of("string", s);
    if (v instanceof double[] a) {
      List<String> out = new ArrayList<>(a.length);
      for (double d : a) out.add(Double.toString(d));
      return Map.of("doubles", out);
    }
    if (v instanceof int[] a) return Map.of("ints", a);
    if (v instanceof long[] a) {
      List<String> out = new ArrayList<>(a.length);
      for (long l : a) out.add(Long.toString(l));
      return Map.of("longs", out);
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (int j = 0; j < l.size(); j++) out.add(encode(l.get(j), name + "/" + j, tensors));
      return Map.of("list", out);
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String k)) {
          throw new IllegalArgumentException(
              "Checkpoint: map keys in " + name + " must be strings, got " + e.getKey());
        }
        out.put(k, encode(e.getValue(), name + "/" + k, tensors));
      }
      return Map.of("map", out);
    }
    throw new IllegalArgumentException(
        "Checkpoint: cannot save a " + v.getClass().getSimpleName() + " (in " + name + ")");
  }

  private static Object decode(Object v, Map<String, Tensor> tensors) {
    if (v == null) return null;
    Map<String, Object> m = Json.map(v);
    if (m.size() != 1) throw new IllegalArgumentException("malformed value " + Json.write(v));
    Map.Entry<String, Object> e = m.entrySet().iterator().next();
    Object x = e.getValue();
    switch (e.getKey()) {
      case "tensor":
        {
          Tensor t = tensors == null ? null : tensors.get((String) x);
          if (t == null) throw new IllegalArgumentException("missing tensor '" + x + "'");
          return t;
        }
      case "bool":
        return (Boolean) x;
      case "int":
        return Json.integer(x);
      case "long":
        return Long.parseLong((String) x);
      case "double":
        return Double.parseDouble((String) x);
      case "string":
        return (String) x;
      case "doubles":
        {
          List<Object> l = Json.list(x);
          double[] out = new double[l.size()];
          for (int j = 0; j < out.length; j++) out[j] = Double.parseDouble((String) l.get(j));
          return out;
        }
      case "ints":
        return Json.ints(x);
      case "longs":
        {
          List<Object> l = Json.list(x);
          long[] out = new long[l.size()];
          for (int j = 0; j < out.length; j++) out[j] = Long.parseLong((String) l.get(j));
          return out;
        }
      case "list":
        {
          List<Object> out = new ArrayList<>();
          for (Object o : Json.list(x)) out.add(decode(o, tensors));
          return out;
        }
      case "map":
        {
          Map<String, Object> out = new LinkedHashMap<>();
          Json.map(x).forEach((k, o) -> out.put(k, decode(o, tensors)));
          return out;
        }
      default:
        throw new IllegalArgumentException("unknown value type '" + e.getKey() + "'");
    }
  }

  // ---------------------------------------------------------------- files

  private static Path backupOf(Path target) {
    return target.resolveSibling(target.getFileName() + ".old");
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
      Files.move(from, to);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    }
  }
}
