package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Long short-term memory, PyTorch's formulation: gates i, f, g, o (stacked in that order) from
 * W_ih·x + b_ih + W_hh·h + b_hh; c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g), h' = σ(o) ⊙ tanh(c'). See {@link
 * RNNBase} for shapes and names.
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(10, 20, 2, true, true, 0.0);          // 2 layers, batch first
 * LSTM.Output out = lstm.forward(Tensor.randn(3, 5, 10), null, null);
 * out.output();                                               // [3, 5, 20]
 * LSTM.Output next = lstm.forward(more, out.hN(), out.cN());  // carry the state on
 * }</pre>
 */
public class LSTM extends RNNBase {
  /** The output sequence and the final hidden and cell states of each layer. */
  public record Output(Tensor output, Tensor hN, Tensor cN) {}

  public LSTM(int inputSize, int hiddenSize) {
    this(inputSize, hiddenSize, 1, true, false, 0);
  }

  public LSTM(
      int inputSize,
      int hiddenSize,
      int numLayers,
      boolean bias,
      boolean batchFirst,
      double dropout) {
    super(4, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout);
  }

  @Override
  protected Tensor[] cell(int layer, Tensor xi, Tensor[] state) {
    return F.lstmCellFromGates(xi.add(hiddenProjection(layer, state[0])), state[1]);
  }

  @Override
  public Tensor forward(Tensor input) {
    return run(input, new Tensor[] {null, null})[0];
  }

  /** The output sequence and final states; null initial states mean zeros. */
  public Output forward(Tensor input, Tensor h0, Tensor c0) {
    Tensor[] r = run(input, new Tensor[] {h0, c0});
    runHooks(r[0]);
    return new Output(r[0], r[1], r[2]);
  }
}
