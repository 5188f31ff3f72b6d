package org.jgrad.nn;

import org.jgrad.nn.functional.F;
import org.jgrad.tensor.Tensor;

/**
 * Gated recurrent unit, PyTorch's formulation: r = σ(W_ir·x + b_ir + W_hr·h + b_hr), z = σ(W_iz·x +
 * b_iz + W_hz·h + b_hz), n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
 * Gates are stacked r, z, n (see {@link RNNBase}).
 *
 * <pre>{@code
 * GRU gru = new GRU(8, 16);
 * RNNBase.Output out = gru.forward(Tensor.randn(7, 4, 8), null);   // output [7, 4, 16], hN [1, 4, 16]
 * }</pre>
 */
public class GRU extends RNNBase {
  public GRU(int inputSize, int hiddenSize) {
    this(inputSize, hiddenSize, 1, true, false, 0);
  }

  public GRU(
      int inputSize,
      int hiddenSize,
      int numLayers,
      boolean bias,
      boolean batchFirst,
      double dropout) {
    super(3, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout);
  }

  @Override
  protected Tensor[] cell(int layer, Tensor xi, Tensor[] state) {
    Tensor h = state[0];
    return new Tensor[] {F.gruCellFromGates(xi, hiddenProjection(layer, h), h)};
  }

  @Override
  public Tensor forward(Tensor input) {
    return run(input, new Tensor[] {null})[0];
  }

  /** The output sequence and final hidden state; {@code h0} null means zeros. */
  public Output forward(Tensor input, Tensor h0) {
    Tensor[] r = run(input, new Tensor[] {h0});
    runHooks(r[0]);
    return new Output(r[0], r[1]);
  }
}
