package org.jgrad.data;

import org.jgrad.tensor.Tensor;

/**
 * One example: an input tensor and its target (a class index as an int64 scalar, or a vector for
 * regression).
 *
 * <pre>{@code
 * Example e = mnistTrain.get(0);
 * e.input().shape();          // [1, 28, 28]
 * (int) e.target().item();    // 5
 * }</pre>
 *
 * @param input the input
 * @param target the target
 */
public record Example(Tensor input, Tensor target) {}
