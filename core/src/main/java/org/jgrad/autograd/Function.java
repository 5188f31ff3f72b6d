package org.jgrad.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.jgrad.backend.Backend;
import org.jgrad.backend.Device;
import org.jgrad.backend.RawTensor;
import org.jgrad.tensor.Tensor;

/**
 * One application of a differentiable op: a node of the autograd graph. A subclass keeps its
 * forward and its backward side by side; backward is written with {@link Tensor} ops, so it runs on
 * any device and can itself be differentiated ({@code createGraph}).
 *
 * <p>A custom op, as with {@code torch.autograd.Function}:
 *
 * <pre>{@code
 * final class Cube extends Function {
 *   private Tensor x;
 *   protected RawTensor forward(Tensor... in) { x = save(in[0]); return in[0].mul(in[0]).mul(in[0]).raw(); }
 *   protected Tensor[] backward(Tensor g) { return new Tensor[] {g.mul(x.square()).mul(3)}; }
 * }
 * Tensor y = Function.apply(new Cube(), x);
 * }</pre>
 */
public abstract class Function {
  Tensor[] inputs;
  boolean[] needsInputGrad = new boolean[0];
  private final List<Tensor> saved = new ArrayList<>(2);
  private final List<Integer> savedVersions = new ArrayList<>(2);
  private boolean released;

  /** The output, kept only when {@link Tensor#retainGrad()} asked for its gradient. */
  Tensor retainedOutput;

  /**
   * Computes the output from the inputs' data. Runs with grad recording off; whatever backward
   * needs is stored through {@link #save(Tensor)}.
   */
  protected abstract RawTensor forward(Tensor... inputs);

  /**
   * Given dL/dOutput (in the output's shape), returns dL/dInput_i, in the output's shape or the
   * input's (the engine sums broadcast dimensions back), or null where no gradient is needed. It
   * must not keep {@code gradOutput}, or tensors it makes here, after returning (other than by
   * returning them): once the engine is done with a gradient made during the backward pass, the
   * backend may reuse its memory.
   */
  protected abstract Tensor[] backward(Tensor gradOutput);

  /** The node's name as shown by {@link Tensor#gradFn()} and the Graphviz export. */
  public String name() {
    return getClass().getSimpleName() + "Backward";
  }

  /** Whether input {@code i} needs a gradient (valid while backward runs). */
  protected final boolean needsInputGrad(int i) {
    return i < needsInputGrad.length && needsInputGrad[i];
  }

  /**
   * Keeps a tensor for backward and remembers its version, so that an in-place change before
   * backward is reported instead of silently giving a wrong gradient. Returns {@code t} itself,
   * history included: with {@code createGraph} the backward formula is then differentiated through
   * it (without it, backward runs with grad mode off and records nothing). A saved output ({@code
   * save(Tensor.fromRaw(out))} of the raw tensor forward returns) becomes the op's result, so it
   * carries this node as its gradFn.
   */
  protected final Tensor save(Tensor t) {
    saved.add(t);
    savedVersions.add(t.version());
    return t;
  }

  /** The inputs of this node, in order (empty once the graph was released). */
  public final List<Tensor> inputs() {
    return inputs == null ? List.of() : Collections.unmodifiableList(Arrays.asList(inputs));
  }

  /** The nodes that produced this node's inputs (null entries for leaves and constants). */
  public final List<Function> nextFunctions() {
    List<Function> out = new ArrayList<>();
    for (Tensor t : inputs()) out.add(t.gradFn());
    return out;
  }

  /**
   * Makes backward also store the gradient reaching this node's output in {@code output.grad()};
   * {@code Tensor.retainGrad()} calls it on its own gradFn.
   */
  public final void retainGrad(Tensor output) {
    retainedOutput = output;
  }

  final boolean isReleased() {
    return released;
  }

  final void checkSavedVersions() {
    for (int i = 0; i < saved.size(); i++) {
      int now = saved.get(i).version();
      if (now != savedVersions.get(i)) {
        throw new IllegalStateException(
            name()
                + ": a tensor saved for backward (shape "
                + Arrays.toString(saved.get(i).shape())
                + ") was modified by an in-place operation: version "
                + now
                + ", expected "
                + savedVersions.get(i)
                + ". Clone it before modifying it in place.");
      }
    }
  }

  final void release() {
    released = true;
    inputs = null;
    saved.clear();
    savedVersions.clear();
  }

  /** The backend that computes on the inputs' device. */
  protected static Backend backendOf(Tensor t) {
    return t.backend();
  }

  /**
   * Runs {@code f} on {@code xs} and, when grad mode is on and some input requires grad, records it
   * as the output's {@link Tensor#gradFn()}.
   */
  public static Tensor apply(Function f, Tensor... xs) {
    Device device = null;
    for (Tensor x : xs) {
      if (device == null) device = x.device();
      else if (!device.equals(x.device())) {
        throw new IllegalArgumentException(
            f.opName()
                + ": expected all tensors on the same device, got "
                + device
                + " and "
                + x.device());
      }
    }
    RawTensor out;
    try (var ng = GradMode.noGrad()) {
      out = f.forward(xs);
    }
    Tensor result = savedOutput(f, out, xs);
    boolean anyRequires = false;
    boolean[] needs = new boolean[xs.length];
    for (int i = 0; i < xs.length; i++) {
      needs[i] = xs[i].requiresGrad() && xs[i].dtype().isFloatingPoint();
      anyRequires |= needs[i];
    }
    if (anyRequires && GradMode.isEnabled() && out.dtype().isFloatingPoint()) {
      f.inputs = xs;
      f.needsInputGrad = needs;
      EngineHooks.installed().attach(result, f);
    } else {
      f.saved.clear();
      f.savedVersions.clear();
    }
    return result;
  }

  /**
   * The tensor forward saved for its own output, if any (so it gets this node as gradFn), else a
   * new one.
   */
  private static Tensor savedOutput(Function f, RawTensor out, Tensor[] xs) {
    search:
    for (Tensor t : f.saved) {
      if (t.raw() != out || t.gradFn() != null) continue;
      for (Tensor x : xs) if (x == t) continue search;
      return t;
    }
    return Tensor.fromRaw(out);
  }

  /** Short op name for messages ("Mul"). */
  /** The name used in error messages: the class name, lower-camel-cased. */
  protected final String opName() {
    String n = getClass().getSimpleName();
    return n.isEmpty() ? "op" : Character.toLowerCase(n.charAt(0)) + n.substring(1);
  }

  @Override
  public String toString() {
    return "<" + name() + ">";
  }
}
