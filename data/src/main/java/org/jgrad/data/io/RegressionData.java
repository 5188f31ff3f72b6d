package org.jgrad.data.io;

import java.util.Arrays;

/**
 * Inputs and real-valued targets: {@code inputs} is rows x inputCols and {@code targets} is rows x
 * targetCols, both row-major.
 *
 * <pre>{@code
 * RegressionData d = Synthetic.sineRegression(100, -1, 1, 0.1, 42);
 * float x0 = d.input(0, 0), y0 = d.target(0, 0);
 * }</pre>
 *
 * @param inputs rows*inputCols floats; not copied
 * @param rows number of examples
 * @param inputCols inputs per example
 * @param targets rows*targetCols floats; not copied
 * @param targetCols targets per example
 */
public record RegressionData(
    float[] inputs, int rows, int inputCols, float[] targets, int targetCols) {
  public RegressionData {
    if (rows < 0
        || inputCols < 0
        || targetCols < 0
        || (long) rows * inputCols != inputs.length
        || (long) rows * targetCols != targets.length) {
      throw new IllegalArgumentException(
          "RegressionData: "
              + rows
              + " rows of "
              + inputCols
              + " inputs and "
              + targetCols
              + " targets do not match array lengths "
              + inputs.length
              + " and "
              + targets.length);
    }
  }

  /** One input value. */
  public float input(int row, int col) {
    return inputs[row * inputCols + col];
  }

  /** One target value. */
  public float target(int row, int col) {
    return targets[row * targetCols + col];
  }

  /** Rows {@code [from, to)} (a copy), e.g. for a chronological train/test split. */
  public RegressionData range(int from, int to) {
    if (from < 0 || to > rows || from > to) {
      throw new IndexOutOfBoundsException(
          "RegressionData.range: [" + from + ", " + to + ") outside [0, " + rows + "]");
    }
    return new RegressionData(
        Arrays.copyOfRange(inputs, from * inputCols, to * inputCols),
        to - from,
        inputCols,
        Arrays.copyOfRange(targets, from * targetCols, to * targetCols),
        targetCols);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RegressionData d
        && rows == d.rows
        && inputCols == d.inputCols
        && targetCols == d.targetCols
        && Arrays.equals(inputs, d.inputs)
        && Arrays.equals(targets, d.targets);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(inputs) * 31 + Arrays.hashCode(targets);
  }

  @Override
  public String toString() {
    return "RegressionData[" + rows + " x " + inputCols + " -> " + targetCols + "]";
  }
}
