package org.jgrad.nn;

import org.jgrad.tensor.Tensor;

/**
 * Elman recurrent network: h_t = act(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh) with act tanh or relu,
 * stacked {@code numLayers} deep (see {@link RNNBase} for shapes and parameter names).
 *
 * <pre>{@code
 * RNN rnn = new RNN(10, 20);                                   // seq-first input [L, N, 10]
 * RNNBase.Output out = rnn.forward(Tensor.randn(5, 3, 10), null);
 * Tensor h = out.hN();                                          // [1, 3, 20]
 * RNN deep = new RNN(10, 20, 2, "relu", true, true, 0.1);      // 2 layers, relu, batch first
 * }</pre>
 */
public class RNN extends RNNBase {
  private final String nonlinearity;

  public RNN(int inputSize, int hiddenSize) {
    this(inputSize, hiddenSize, 1, "tanh", true, false, 0);
  }

  public RNN(
      int inputSize,
      int hiddenSize,
      int numLayers,
      String nonlinearity,
      boolean bias,
      boolean batchFirst,
      double dropout) {
    super(1, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout);
    if (!nonlinearity.equals("tanh") && !nonlinearity.equals("relu")) {
      throw new IllegalArgumentException(
          "RNN: nonlinearity must be \"tanh\" or \"relu\", got \"" + nonlinearity + "\"");
    }
    this.nonlinearity = nonlinearity;
  }

  @Override
  protected Tensor[] cell(int layer, Tensor xi, Tensor[] state) {
    Tensor pre = xi.add(hiddenProjection(layer, state[0]));
    return new Tensor[] {nonlinearity.equals("tanh") ? pre.tanh() : pre.relu()};
  }

  /** The output sequence only. */
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

  @Override
  protected String extraRepr() {
    return super.extraRepr() + (nonlinearity.equals("tanh") ? "" : ", nonlinearity='relu'");
  }
}
