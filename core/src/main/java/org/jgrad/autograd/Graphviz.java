package org.jgrad.autograd;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jgrad.tensor.Tensor;

/**
 * Exports the autograd graph behind a tensor as Graphviz DOT, for people studying autograd.
 *
 * <p>Boxes are {@link Function} nodes labelled with {@link Function#name()} (e.g. {@code
 * MulBackward}); ellipses are the leaves that require grad, labelled with their shape; edges point
 * the way the forward pass went, from inputs to the op that consumed them, ending at the output.
 * Constants (tensors that do not require grad) are left out. Export before calling {@code
 * backward()}, or with {@code retainGraph}: a released node no longer knows its inputs.
 *
 * <pre>{@code
 * Tensor w = Tensor.randn(3, 2).requiresGrad(true);
 * Tensor loss = Tensor.randn(4, 3).matmul(w).relu().sum();
 * Files.writeString(Path.of("graph.dot"), Graphviz.toDot(loss));   // dot -Tsvg graph.dot > graph.svg
 * }</pre>
 */
public final class Graphviz {
  private Graphviz() {}

  /** The graph that produced {@code root}, as a DOT digraph. */
  public static String toDot(Tensor root) {
    StringBuilder sb = new StringBuilder("digraph autograd {\n");
    sb.append("  rankdir=BT;\n");
    sb.append("  node [fontname=\"Helvetica\", fontsize=11];\n");
    sb.append("  output [label=\"")
        .append(escape("output " + Arrays.toString(root.shape()) + " " + root.dtype()))
        .append("\", shape=note];\n");
    Map<Object, String> ids = new IdentityHashMap<>();
    if (root.gradFn() == null) {
      if (root.requiresGrad()) {
        sb.append("  ").append(leaf(sb, ids, root)).append(" -> output;\n");
      }
      return sb.append("}\n").toString();
    }
    ArrayDeque<Function> todo = new ArrayDeque<>();
    String rootId = node(sb, ids, root.gradFn());
    sb.append("  ").append(rootId).append(" -> output;\n");
    todo.push(root.gradFn());
    // Iterative walk: graphs of 100,000 ops must not overflow the stack here either.
    while (!todo.isEmpty()) {
      Function f = todo.pop();
      String fid = ids.get(f);
      List<Tensor> inputs = f.inputs();
      for (int i = 0; i < inputs.size(); i++) {
        Tensor in = inputs.get(i);
        String from;
        Function producer = in.gradFn();
        if (producer != null) {
          boolean seen = ids.containsKey(producer);
          from = node(sb, ids, producer);
          if (!seen) todo.push(producer);
        } else if (in.requiresGrad()) {
          from = leaf(sb, ids, in);
        } else {
          continue;
        }
        sb.append("  ").append(from).append(" -> ").append(fid);
        if (inputs.size() > 1) sb.append(" [label=\"").append(i).append("\"]");
        sb.append(";\n");
      }
    }
    return sb.append("}\n").toString();
  }

  private static String node(StringBuilder sb, Map<Object, String> ids, Function f) {
    String id = ids.get(f);
    if (id != null) return id;
    id = "f" + ids.size();
    ids.put(f, id);
    sb.append("  ")
        .append(id)
        .append(" [label=\"")
        .append(escape(f.name()))
        .append("\", shape=box];\n");
    return id;
  }

  private static String leaf(StringBuilder sb, Map<Object, String> ids, Tensor t) {
    String id = ids.get(t);
    if (id != null) return id;
    id = "t" + ids.size();
    ids.put(t, id);
    sb.append("  ")
        .append(id)
        .append(" [label=\"")
        .append(escape("leaf " + Arrays.toString(t.shape()) + " " + t.dtype()))
        .append("\", shape=ellipse, style=filled, fillcolor=lightblue];\n");
    return id;
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
