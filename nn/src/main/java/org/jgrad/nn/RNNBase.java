package org.jgrad.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jgrad.nn.functional.F;
import org.jgrad.nn.init.Init;
import org.jgrad.tensor.Tensor;

/**
 * Shared machinery of {@link RNN}, {@link LSTM} and {@link GRU}: stacked unidirectional layers,
 * input [L, N, in] (or [N, L, in] with {@code batchFirst}, or unbatched [L, in]), state [numLayers,
 * N, hidden], dropout between layers in training. Parameters are named as in PyTorch ({@code
 * weight_ih_l0}, {@code weight_hh_l0}, {@code bias_ih_l0}, {@code bias_hh_l0}, …), gates stacked in
 * PyTorch's order, and all start U(±1/√hidden).
 *
 * <pre>{@code
 * GRU gru = new GRU(10, 20, 2, true, true, 0.0);     // 2 layers, bias, batch first
 * RNNBase.Output out = gru.forward(Tensor.randn(3, 5, 10), null);
 * out.output();   // [3, 5, 20]
 * out.hN();       // [2, 3, 20]
 * }</pre>
 */
public abstract class RNNBase extends Module {
  protected final int inputSize, hiddenSize, numLayers;
  protected final boolean bias, batchFirst;
  protected final double dropout;
  private final int gates;

  /** The output sequence and the final hidden state of each layer. */
  public record Output(Tensor output, Tensor hN) {}

  protected RNNBase(
      int gates,
      int inputSize,
      int hiddenSize,
      int numLayers,
      boolean bias,
      boolean batchFirst,
      double dropout) {
    String n = typeName();
    this.inputSize = Defaults.positive(n, "inputSize", inputSize);
    this.hiddenSize = Defaults.positive(n, "hiddenSize", hiddenSize);
    this.numLayers = Defaults.positive(n, "numLayers", numLayers);
    if (!(dropout >= 0 && dropout <= 1))
      throw new IllegalArgumentException(n + ": dropout must be in [0, 1], got " + dropout);
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.dropout = dropout;
    this.gates = gates;
    double bound = 1 / Math.sqrt(hiddenSize);
    for (int k = 0; k < numLayers; k++) {
      int in = k == 0 ? inputSize : hiddenSize;
      param("weight_ih_l" + k, Tensor.zeros(gates * hiddenSize, in));
      param("weight_hh_l" + k, Tensor.zeros(gates * hiddenSize, hiddenSize));
      if (bias) {
        param("bias_ih_l" + k, Tensor.zeros(gates * hiddenSize));
        param("bias_hh_l" + k, Tensor.zeros(gates * hiddenSize));
      }
    }
    for (Parameter p : parameters()) Init.uniform(p, -bound, bound);
  }

  /**
   * One time step of layer {@code layer}: given xi = W_ih·x + b_ih and the states, the new states.
   */
  protected abstract Tensor[] cell(int layer, Tensor xi, Tensor[] state);

  /** W_hh·h + b_hh for layer {@code layer}. */
  protected final Tensor hiddenProjection(int layer, Tensor h) {
    return F.linear(h, parameter("weight_hh_l" + layer), parameter("bias_hh_l" + layer));
  }

  /**
   * Runs the stack. {@code initial} holds one [numLayers, N, hidden] tensor per state kind (h, or h
   * and c), entries may be null for zeros. Returns {output, final states...}.
   */
  protected final Tensor[] run(Tensor input, Tensor[] initial) {
    String n = typeName();
    boolean unbatched = input.dim() == 2;
    if (input.dim() != 3 && !unbatched) {
      throw new IllegalArgumentException(
          n + ": expected a 3-D input (or 2-D unbatched), got " + Arrays.toString(input.shape()));
    }
    if (input.size(-1) != inputSize) {
      throw new IllegalArgumentException(
          n
              + ": input "
              + Arrays.toString(input.shape())
              + " must have "
              + inputSize
              + " features in its last dim");
    }
    Tensor x = unbatched ? input.unsqueeze(1) : (batchFirst ? input.transpose(0, 1) : input);
    int len = x.size(0), batch = x.size(1);
    int kinds = initial.length;
    Tensor[] init = new Tensor[kinds];
    for (int s = 0; s < kinds; s++) {
      Tensor h0 = initial[s];
      if (h0 == null) {
        init[s] = Tensor.zeros(x.dtype(), numLayers, batch, hiddenSize).to(x.device());
        continue;
      }
      int[] expected =
          unbatched ? new int[] {numLayers, hiddenSize} : new int[] {numLayers, batch, hiddenSize};
      if (!Arrays.equals(h0.shape(), expected)) {
        throw new IllegalArgumentException(
            n
                + ": expected initial state of shape "
                + Arrays.toString(expected)
                + ", got "
                + Arrays.toString(h0.shape()));
      }
      if (h0.dtype() != x.dtype()) {
        throw new IllegalArgumentException(
            n + ": input is " + x.dtype() + " but the initial state is " + h0.dtype());
      }
      init[s] = unbatched ? h0.unsqueeze(1) : h0;
    }
    List<List<Tensor>> finals = new ArrayList<>();
    for (int s = 0; s < kinds; s++) finals.add(new ArrayList<>());
    Tensor layerInput = x;
    // The input projection W_ih·x_t + b_ih is computed step by step from per-step inputs (the
    // previous layer's outputs themselves where no dropout comes between), not as one product
    // over the sequence sliced afterwards: each slice's backward is a zero tensor of the whole
    // sequence with one step filled in, and summing T of those made the backward pass O(T^2)
    // (a 50-step LSTM step spent a third of its time adding them). Same values per element.
    List<Tensor> stepInputs = null;
    for (int k = 0; k < numLayers; k++) {
      Tensor wih = parameter("weight_ih_l" + k), bih = parameter("bias_ih_l" + k);
      Tensor[] state = new Tensor[kinds];
      for (int s = 0; s < kinds; s++) state[s] = init[s].select(0, k);
      List<Tensor> outs = new ArrayList<>(len);
      for (int t = 0; t < len; t++) {
        Tensor xt = stepInputs != null ? stepInputs.get(t) : layerInput.select(0, t);
        state = cell(k, F.linear(xt, wih, bih), state);
        outs.add(state[0]);
      }
      Tensor out = len == 0 ? Tensor.zeros(x.dtype(), 0, batch, hiddenSize) : Tensor.stack(outs, 0);
      for (int s = 0; s < kinds; s++) finals.get(s).add(state[s]);
      stepInputs = outs;
      if (dropout > 0 && isTraining() && k < numLayers - 1) {
        out = F.dropout(out, dropout, true);
        stepInputs = null;
      }
      layerInput = out;
    }
    Tensor[] result = new Tensor[1 + kinds];
    Tensor output = layerInput;
    result[0] = unbatched ? output.squeeze(1) : (batchFirst ? output.transpose(0, 1) : output);
    for (int s = 0; s < kinds; s++) {
      Tensor hn = Tensor.stack(finals.get(s), 0);
      result[1 + s] = unbatched ? hn.squeeze(1) : hn;
    }
    return result;
  }

  public int hiddenSize() {
    return hiddenSize;
  }

  public int numLayers() {
    return numLayers;
  }

  @Override
  protected String extraRepr() {
    StringBuilder b = new StringBuilder(inputSize + ", " + hiddenSize);
    if (numLayers != 1) b.append(", num_layers=").append(numLayers);
    if (!bias) b.append(", bias=false");
    if (batchFirst) b.append(", batch_first=true");
    if (dropout != 0) b.append(", dropout=").append(dropout);
    return b.toString();
  }
}
