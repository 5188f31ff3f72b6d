package org.jgrad.examples.exercises;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;

/**
 * Exercise 8: receptive fields of conv/pool stacks, from the recurrence r ← r + (k − 1)·d·j, j ←
 * j·s, confirmed by the support of the input gradient of one central output element.
 */
public final class ReceptiveFields implements Exercise {
  /** One layer: kernel, stride, padding, dilation; pool = max pooling. */
  public record Layer(int kernel, int stride, int padding, int dilation, boolean pool) {
    @Override
    public String toString() {
      return (pool ? "p" : "") + "(" + kernel + "," + stride + ")";
    }
  }

  /** Receptive field and jump (input pixels per output step) of a stack. */
  public record Field(int size, int jump) {}

  /** The calculator. */
  public static Field receptiveField(List<Layer> stack) {
    int r = 1, j = 1;
    for (Layer l : stack) {
      r += (l.kernel() - 1) * l.dilation() * j;
      j *= l.stride();
    }
    return new Field(r, j);
  }

  /** Parses "(3,1)(3,1)p(2,2)": pairs are (kernel, stride); a "p" marks max pooling. */
  public static List<Layer> parse(String spec) {
    List<Layer> out = new ArrayList<>();
    var m =
        java.util.regex.Pattern.compile("(p?)\\((\\d+),(\\d+)\\)").matcher(spec.replace(" ", ""));
    int end = 0;
    while (m.find()) {
      if (m.start() != end)
        throw new IllegalArgumentException("cannot parse layer stack '" + spec + "' at " + end);
      out.add(
          new Layer(
              Integer.parseInt(m.group(2)),
              Integer.parseInt(m.group(3)),
              0,
              1,
              !m.group(1).isEmpty()));
      end = m.end();
    }
    if (end != spec.replace(" ", "").length())
      throw new IllegalArgumentException("cannot parse layer stack '" + spec + "'");
    return out;
  }

  static final String[] STACKS = {
    "(3,1)(3,1)(1,1)p(2,2)(2,2)",
    "(3,1)p(2,2)(2,2)p(2,2)(3,1)",
    "(5,1)p(3,1)(4,1)p(2,2)(3,1)",
    "(7,2)(5,1)(3,2)(3,1)(1,1)",
    "(4,1)(3,2)p(2,2)(3,1)p(2,2)",
    "(7,2)(5,2)p(2,2)(5,2)(7,2)",
    "(3,3)p(2,2)(5,3)p(3,3)(5,1)",
    "(4,2)p(2,2)(3,1)(1,1)(2,1)",
    "(4,2)p(2,2)(3,1)(1,1)(2,1)",
    "(11,2)(7,2)p(2,2)(5,2)(3,1)",
  };

  /**
   * Builds the stack with positive random conv weights, back-propagates from the central output
   * element for a batch of random inputs, and returns the extent (rows) of the union of nonzero
   * input gradients. The union over many inputs is needed because max pooling passes the gradient
   * to one element per window only.
   */
  static int measure(List<Layer> stack, int batch, Generator g) {
    Field f = receptiveField(stack);
    int size = f.size() + 4 * f.jump() + 8;
    Tensor x = Tensor.rand(g, batch, 1, size, size).requiresGrad(true);
    Tensor y = x;
    for (Layer l : stack) {
      int[] k = {l.kernel(), l.kernel()}, s = {l.stride(), l.stride()};
      if (l.pool()) {
        y = F.maxPool2d(y, k, s, new int[] {0, 0}, new int[] {1, 1}, false);
      } else {
        Tensor w = Tensor.rand(g, 1, 1, l.kernel(), l.kernel()).add(0.5);
        y = F.conv2d(y, w, null, s, new int[] {0, 0}, new int[] {1, 1}, 1);
      }
    }
    int oh = y.size(2), ow = y.size(3);
    y.narrow(2, oh / 2, 1).narrow(3, ow / 2, 1).sum().backward();
    float[] grad = x.grad().toFloatArray();
    int min = Integer.MAX_VALUE, max = -1;
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < size; i++) {
        for (int j = 0; j < size; j++) {
          if (grad[(b * size + i) * size + j] != 0) {
            min = Math.min(min, i);
            max = Math.max(max, i);
          }
        }
      }
    }
    return max < 0 ? 0 : max - min + 1;
  }

  @Override
  public String name() {
    return "receptive-fields";
  }

  @Override
  public String title() {
    return "Receptive fields of conv/pool stacks: formula and gradient support";
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    Generator g = new Generator(ctx.seed());
    int batch = ctx.pick(32, 128);
    List<List<Object>> rows = new ArrayList<>();
    List<Integer> fields = new ArrayList<>();
    int agree = 0;
    for (int i = 0; i < STACKS.length; i++) {
      List<Layer> stack = parse(STACKS[i]);
      Field f = receptiveField(stack);
      int measured = measure(stack, batch, g);
      fields.add(f.size());
      if (measured == f.size()) agree++;
      rows.add(
          List.of(
              i + 1, STACKS[i], f.size(), f.jump(), measured, measured == f.size() ? "yes" : "NO"));
      ctx.log("stack %d %s: receptive field %d, measured %d", i + 1, STACKS[i], f.size(), measured);
    }
    var r = ctx.report();
    r.paragraph(
        "Stacks are written as (kernel, stride); a leading p marks a max-pool layer, the others are "
            + "convolutions; no padding, no dilation. The calculator applies r ← r + (k − 1)·j and j ← j·s from the input "
            + "(r = j = 1). Each stack is then built in jgrad (one channel, positive random conv weights) and the input "
            + "gradient of the central output element is computed for "
            + batch
            + " random inputs; the measured field is "
            + "the extent of the union of nonzero gradients (max pooling routes the gradient to a single element per "
            + "window, so one input alone would under-count).");
    r.table(List.of("#", "stack", "receptive field", "jump", "measured", "agree"), rows);
    r.paragraph(String.format(Locale.ROOT, "%d of %d stacks agree.", agree, STACKS.length));
    ctx.metrics().put("receptive_fields", fields);
    ctx.metrics().put("measured_agree", agree);
  }
}
