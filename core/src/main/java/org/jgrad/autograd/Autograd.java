package org.jgrad.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgrad.backend.Storage;
import org.jgrad.tensor.Tensor;

/**
 * The reverse pass: topological order, then one backward call per node in reverse. Users reach it
 * through {@code Tensor.backward}; it is public only so that the engine can live in this package.
 *
 * <pre>{@code
 * Autograd.backward(loss, Tensor.onesLike(loss), false, false);   // what loss.backward() does
 * }</pre>
 */
public final class Autograd {
  private Autograd() {}

  /** Runs backward from {@code root} seeded with {@code seed}; see {@code Tensor.backward}. */
  public static void backward(Tensor root, Tensor seed, boolean retainGraph, boolean createGraph) {
    if (!root.requiresGrad()) {
      throw new IllegalStateException("backward: tensor does not require grad and has no gradFn");
    }
    if (root.gradFn() == null) { // a leaf: its gradient is the seed itself
      accumulate(root, seed, createGraph);
      return;
    }
    List<Function> order = topologicalOrder(root.gradFn());
    Map<Function, Tensor> grads = new IdentityHashMap<>();
    grads.put(root.gradFn(), seed);
    // With createGraph the gradients are graph nodes that later backward passes may save.
    Recycler recycler = createGraph ? null : new Recycler();
    try (var mode = GradMode.set(createGraph)) {
      for (int n = order.size() - 1; n >= 0; n--) {
        Function node = order.get(n);
        Tensor g = grads.remove(node);
        if (g == null) continue;
        if (node.retainedOutput != null) {
          accumulate(node.retainedOutput, g, createGraph);
          if (recycler != null) recycler.pin(g);
        }
        node.checkSavedVersions();
        Tensor[] inputGrads = node.backward(g);
        if (AnomalyMode.isEnabled()) checkFinite(node, inputGrads);
        Tensor[] inputs = node.inputs;
        for (int i = 0; i < inputs.length; i++) {
          if (!node.needsInputGrad(i) || inputGrads[i] == null) continue;
          Tensor in = inputs[i];
          // Broadcast gradients are summed back to the input's shape here, once, for every op.
          Tensor gi = sumToShape(inputGrads[i], in.shape());
          if (gi.dtype() != in.dtype()) gi = gi.to(in.dtype());
          if (recycler != null) recycler.consider(inputGrads[i]);
          if (in.gradFn() != null) {
            Tensor prev = grads.get(in.gradFn());
            Tensor next = prev == null ? gi : prev.add(gi);
            grads.put(in.gradFn(), next);
            if (recycler != null) {
              recycler.placed(next);
              if (prev != null) recycler.removed(prev);
              recycler.consider(gi);
            }
          } else if (in.requiresGrad()) {
            accumulate(in, gi, createGraph);
            if (recycler != null) recycler.pin(gi);
          }
        }
        if (recycler != null) {
          recycler.removed(g);
          recycler.recycle();
        }
        if (!retainGraph) node.release();
      }
    }
  }

  /**
   * Hands gradients that died within this backward pass back to their backend ({@link
   * org.jgrad.backend.Backend#recycle}), the way PyTorch's allocator reuses a freed gradient's
   * memory at once. A storage qualifies only when all of this holds: it was created during this
   * pass (its serial is at least the one read at the start, so no forward tensor, saved tensor,
   * parameter or seed qualifies); no gradient waiting in the engine uses it (counted per storage,
   * so views and tensors passed through unchanged keep it alive); and it never reached a leaf's or
   * a retained {@code grad()} (pinned for good). Backward formulas must therefore not keep their
   * incoming gradient after returning (see {@link Function#backward}).
   */
  private static final class Recycler {
    private final long firstSerial = Storage.nextSerial();
    private final Map<Storage, Integer> waiting = new IdentityHashMap<>();
    private final Set<Storage> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<Tensor> candidates = new ArrayList<>();

    /** {@code t} waits in the engine for its node. */
    void placed(Tensor t) {
      waiting.merge(t.raw().storage(), 1, Integer::sum);
    }

    /** A waiting {@code t} left the engine (consumed by its node, or summed into another). */
    void removed(Tensor t) {
      waiting.computeIfPresent(t.raw().storage(), (k, v) -> v == 1 ? null : v - 1);
      consider(t);
    }

    /** {@code t} may have died: checked once the current node is done. */
    void consider(Tensor t) {
      candidates.add(t);
    }

    void pin(Tensor t) {
      pinned.add(t.raw().storage());
    }

    void recycle() {
      for (Tensor t : candidates) {
        Storage s = t.raw().storage();
        if (s.serial() >= firstSerial && !waiting.containsKey(s) && pinned.add(s)) {
          // pinned.add also marks it as handed back, so it is never handed back twice.
          t.backend().recycle(s);
        }
      }
      candidates.clear();
    }
  }

  private static void accumulate(Tensor t, Tensor g, boolean createGraph) {
    Tensor value = createGraph ? g : g.detach();
    EngineHooks.installed().setGrad(t, t.grad() == null ? value : t.grad().add(value));
  }

  /** Sums {@code g} over the dimensions that broadcasting added or stretched. */
  static Tensor sumToShape(Tensor g, int[] shape) {
    if (Arrays.equals(g.shape(), shape)) return g;
    int lead = g.dim() - shape.length;
    if (lead < 0) {
      throw new IllegalStateException(
          "gradient of shape "
              + Arrays.toString(g.shape())
              + " cannot be reduced to input shape "
              + Arrays.toString(shape));
    }
    Tensor r = g;
    if (lead > 0) {
      int[] dims = new int[lead];
      for (int i = 0; i < lead; i++) dims[i] = i;
      r = r.sum(dims, false);
    }
    List<Integer> stretched = new ArrayList<>();
    for (int i = 0; i < shape.length; i++) if (shape[i] == 1 && r.shape()[i] != 1) stretched.add(i);
    if (!stretched.isEmpty())
      r = r.sum(stretched.stream().mapToInt(Integer::intValue).toArray(), true);
    if (!Arrays.equals(r.shape(), shape)) {
      throw new IllegalStateException(
          "gradient of shape "
              + Arrays.toString(g.shape())
              + " does not match input shape "
              + Arrays.toString(shape));
    }
    return r;
  }

  /** Post-order DFS without recursion, so a 100,000-op chain cannot overflow the stack. */
  static List<Function> topologicalOrder(Function root) {
    List<Function> order = new ArrayList<>();
    Set<Function> visited = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Function> stack = new ArrayDeque<>();
    ArrayDeque<Integer> next = new ArrayDeque<>();
    checkAlive(root);
    visited.add(root);
    stack.push(root);
    next.push(0);
    while (!stack.isEmpty()) {
      Function node = stack.peek();
      int i = next.pop();
      Tensor[] inputs = node.inputs;
      if (i < inputs.length) {
        next.push(i + 1);
        Function child = inputs[i].gradFn();
        if (child != null && node.needsInputGrad(i) && visited.add(child)) {
          checkAlive(child);
          stack.push(child);
          next.push(0);
        }
      } else {
        stack.pop();
        order.add(node);
      }
    }
    return order;
  }

  private static void checkAlive(Function node) {
    if (node.isReleased()) {
      throw new IllegalStateException(
          "backward: trying to backward through the graph a second time ("
              + node.name()
              + " was already released). Pass retainGraph=true to the first backward if you need to"
              + " backward twice.");
    }
  }

  private static void checkFinite(Function node, Tensor[] grads) {
    for (int i = 0; i < grads.length; i++) {
      if (grads[i] == null) continue;
      for (double v : grads[i].toDoubleArray()) {
        if (!Double.isFinite(v)) {
          throw new IllegalStateException(
              "anomaly: "
                  + node.name()
                  + " returned "
                  + (Double.isNaN(v) ? "NaN" : "Inf")
                  + " in its gradient for input "
                  + i
                  + " (shape "
                  + Arrays.toString(grads[i].shape())
                  + ")");
        }
      }
    }
  }
}
