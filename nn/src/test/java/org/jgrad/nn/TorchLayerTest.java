package org.jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jgrad.tensor.Tensor;
import org.jgrad.testing.TorchCases;
import org.jgrad.testing.TorchCases.Case;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every layer against PyTorch 1.13 with identical weights: the PyTorch state dict is loaded with
 * {@link Module#loadStateDict} (strict, PyTorch's names), the same inputs are run, and outputs,
 * input gradients, parameter gradients and buffers after the step are compared within 1e-5 relative
 * (see {@link Check#close}). Reference data: tools/torch_nn_reference.py.
 */
class TorchLayerTest {

  /** Runs {@code c} through {@code m} with {@code forward} and compares everything recorded. */
  static void run(Case c, Module m, BiFunction<Module, List<Tensor>, List<Tensor>> forward) {
    m.loadStateDict(c.state(), true);
    List<Tensor> inputs = new ArrayList<>();
    for (int i = 0; i < c.inputs().size(); i++) {
      Tensor x = c.inputs().get(i);
      inputs.add(c.inputGrads().get(i) != null ? x.detach().requiresGrad(true) : x);
    }
    List<Tensor> outs = forward.apply(m, inputs);
    assertEquals(c.outputs().size(), outs.size(), c + ": number of outputs");
    Tensor total = null;
    for (int i = 0; i < outs.size(); i++) {
      Check.close(c + " output " + i, c.outputs().get(i), outs.get(i));
      Tensor g = c.gradOutputs().get(i);
      if (g != null && outs.get(i).requiresGrad()) {
        Tensor term = outs.get(i).mul(g).sum();
        total = total == null ? term : total.add(term);
      }
    }
    if (total != null) total.backward();
    for (int i = 0; i < inputs.size(); i++) {
      Tensor expected = c.inputGrads().get(i);
      if (expected != null) Check.close(c + " grad of input " + i, expected, inputs.get(i).grad());
    }
    Map<String, Parameter> params = m.namedParameters();
    for (Map.Entry<String, Tensor> e : c.paramGrads().entrySet()) {
      Parameter p = params.get(e.getKey());
      assertNotNull(p, c + ": no parameter " + e.getKey());
      Check.close(c + " grad of " + e.getKey(), e.getValue(), p.grad());
    }
    for (Map.Entry<String, Parameter> p : params.entrySet()) {
      if (!c.paramGrads().containsKey(p.getKey()) && p.getValue().grad() != null) {
        assertEquals(
            0.0,
            p.getValue().grad().abs().max().item(),
            c + ": unexpected gradient for " + p.getKey());
      }
    }
    Map<String, Tensor> after = m.stateDict();
    for (Map.Entry<String, Tensor> e : c.stateAfter().entrySet()) {
      Check.close(c + " state after: " + e.getKey(), e.getValue(), after.get(e.getKey()));
    }
  }

  static List<Tensor> single(Module m, List<Tensor> in) {
    return List.of(m.call(in.get(0)));
  }

  static Stream<DynamicTest> cases(
      String group,
      Function<Case, Module> build,
      BiFunction<Module, List<Tensor>, List<Tensor>> forward) {
    return TorchCases.load(group).stream()
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> run(c, build.apply(c), forward)));
  }

  // ---------------------------------------------------------------- groups

  @TestFactory
  Stream<DynamicTest> linear() {
    return TorchCases.load("linear").stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.name(),
                    () -> {
                      if (c.name().startsWith("bilinear")) {
                        run(
                            c,
                            new Bilinear(c.i("in1"), c.i("in2"), c.i("out"), c.b("bias")),
                            (m, in) -> List.of(((Bilinear) m).forward(in.get(0), in.get(1))));
                      } else {
                        run(
                            c,
                            new Linear(c.i("in"), c.i("out"), c.b("bias")),
                            TorchLayerTest::single);
                      }
                    }));
  }

  @TestFactory
  Stream<DynamicTest> conv() {
    return cases(
        "conv",
        c -> {
          if (c.name().startsWith("conv2d")) {
            if (c.get("padding") instanceof String mode) {
              return new Conv2d(
                  c.i("in"),
                  c.i("out"),
                  c.ints("kernel"),
                  c.ints("stride"),
                  mode,
                  c.ints("dilation"),
                  c.i("groups"),
                  c.b("bias"));
            }
            return new Conv2d(
                c.i("in"),
                c.i("out"),
                c.ints("kernel"),
                c.ints("stride"),
                c.ints("padding"),
                c.ints("dilation"),
                c.i("groups"),
                c.b("bias"));
          }
          if (c.name().startsWith("conv1d")) {
            if (c.get("padding") instanceof String mode) {
              return new Conv1d(
                  c.i("in"),
                  c.i("out"),
                  c.i("kernel"),
                  c.i("stride"),
                  mode,
                  c.i("dilation"),
                  c.i("groups"),
                  c.b("bias"));
            }
            return new Conv1d(
                c.i("in"),
                c.i("out"),
                c.i("kernel"),
                c.i("stride"),
                c.i("padding"),
                c.i("dilation"),
                c.i("groups"),
                c.b("bias"));
          }
          return new ConvTranspose2d(
              c.i("in"),
              c.i("out"),
              c.ints("kernel"),
              c.ints("stride"),
              c.ints("padding"),
              c.ints("output_padding"),
              c.i("groups"),
              c.b("bias"),
              c.ints("dilation"));
        },
        TorchLayerTest::single);
  }

  @TestFactory
  Stream<DynamicTest> pool() {
    return cases(
        "pool",
        c -> {
          if (c.name().startsWith("maxpool")) {
            return new MaxPool2d(
                c.ints("kernel"),
                c.ints("stride"),
                c.ints("padding"),
                c.ints("dilation"),
                c.b("ceil"));
          }
          if (c.name().startsWith("avgpool")) {
            return new AvgPool2d(
                c.ints("kernel"), c.ints("stride"), c.ints("padding"), c.b("count_include_pad"));
          }
          return new AdaptiveAvgPool2d(c.ints("out")[0], c.ints("out")[1]);
        },
        TorchLayerTest::single);
  }

  @TestFactory
  Stream<DynamicTest> shapeAndDropout() {
    return cases(
        "shape_dropout",
        c -> {
          Module m;
          if (c.name().startsWith("flatten")) m = new Flatten(c.i("start"), c.i("end"));
          else if (c.name().startsWith("unflatten")) m = new Unflatten(c.i("dim"), c.ints("sizes"));
          else if (c.name().startsWith("dropout2d")) m = new Dropout2d(c.d("p"));
          else m = new Dropout(c.d("p"));
          if (c.has("train")) m.train(c.b("train"));
          return m;
        },
        TorchLayerTest::single);
  }

  @TestFactory
  Stream<DynamicTest> norm() {
    return cases(
        "norm",
        c -> {
          if (c.name().startsWith("layernorm"))
            return new LayerNorm(c.ints("shape"), c.d("eps"), c.b("affine"));
          Double momentum = c.has("momentum") ? c.d("momentum") : null;
          BatchNorm bn =
              c.s("kind").equals("BatchNorm1d")
                  ? new BatchNorm1d(c.i("num"), c.d("eps"), momentum, c.b("affine"), c.b("track"))
                  : new BatchNorm2d(c.i("num"), c.d("eps"), momentum, c.b("affine"), c.b("track"));
          bn.train(c.b("train"));
          return bn;
        },
        TorchLayerTest::single);
  }

  @TestFactory
  Stream<DynamicTest> embeddingAndUpsample() {
    return cases(
        "embedding_upsample",
        c -> {
          if (c.name().startsWith("embedding")) {
            return new Embedding(
                c.i("num"), c.i("dim"), c.has("padding_idx") ? c.i("padding_idx") : null);
          }
          if (c.has("size")) return new Upsample(c.ints("size"), c.s("mode"), c.b("align"));
          return new Upsample(null, c.doubles("scale"), c.s("mode"), c.b("align"));
        },
        TorchLayerTest::single);
  }

  @TestFactory
  Stream<DynamicTest> activations() {
    return cases(
        "activations",
        c ->
            switch (c.name()) {
              case "relu" -> new ReLU();
              case "leaky_relu" -> new LeakyReLU(c.d("slope"));
              case "elu" -> new ELU(c.d("alpha"));
              case "gelu", "gelu_tanh" -> new GELU(c.s("approximate"));
              case "silu" -> new SiLU();
              case "sigmoid" -> new Sigmoid();
              case "tanh" -> new Tanh();
              case "softmax", "softmax_dim0" -> new Softmax(c.i("dim"));
              case "log_softmax" -> new LogSoftmax(c.i("dim"));
              case "softplus", "softplus_beta" -> new Softplus(c.d("beta"), c.d("threshold"));
              default -> throw new IllegalArgumentException(c.name());
            },
        TorchLayerTest::single);
  }

  @TestFactory
  Stream<DynamicTest> recurrent() {
    return TorchCases.load("recurrent").stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.name(),
                    () -> {
                      switch (c.s("kind")) {
                        case "RNN" ->
                            run(
                                c,
                                new RNN(
                                    c.i("input"),
                                    c.i("hidden"),
                                    c.i("layers"),
                                    c.s("nonlinearity"),
                                    c.b("bias"),
                                    c.b("batch_first"),
                                    0),
                                (m, in) -> {
                                  RNNBase.Output o =
                                      ((RNN) m)
                                          .forward(in.get(0), in.size() > 1 ? in.get(1) : null);
                                  return List.of(o.output(), o.hN());
                                });
                        case "GRU" ->
                            run(
                                c,
                                new GRU(
                                    c.i("input"),
                                    c.i("hidden"),
                                    c.i("layers"),
                                    c.b("bias"),
                                    c.b("batch_first"),
                                    0),
                                (m, in) -> {
                                  RNNBase.Output o =
                                      ((GRU) m)
                                          .forward(in.get(0), in.size() > 1 ? in.get(1) : null);
                                  return List.of(o.output(), o.hN());
                                });
                        default ->
                            run(
                                c,
                                new LSTM(
                                    c.i("input"),
                                    c.i("hidden"),
                                    c.i("layers"),
                                    c.b("bias"),
                                    c.b("batch_first"),
                                    0),
                                (m, in) -> {
                                  LSTM.Output o =
                                      ((LSTM) m)
                                          .forward(
                                              in.get(0),
                                              in.size() > 1 ? in.get(1) : null,
                                              in.size() > 2 ? in.get(2) : null);
                                  return List.of(o.output(), o.hN(), o.cN());
                                });
                      }
                    }));
  }

  @TestFactory
  Stream<DynamicTest> attention() {
    return TorchCases.load("attention").stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.name(),
                    () -> {
                      if (c.name().startsWith("mha")) {
                        MultiheadAttention mha =
                            new MultiheadAttention(
                                c.i("embed"), c.i("heads"), 0, c.b("bias"), c.b("batch_first"));
                        run(
                            c,
                            mha,
                            (m, in) -> {
                              MultiheadAttention.Output o =
                                  mha.forward(
                                      in.get(0),
                                      in.get(1),
                                      in.get(2),
                                      c.tensor("kpm"),
                                      true,
                                      c.tensor("attn_mask"),
                                      c.b("average"));
                              return List.of(o.output(), o.weights());
                            });
                      } else if (c.name().startsWith("stack")) {
                        TransformerEncoder enc =
                            new TransformerEncoder(
                                i ->
                                    new TransformerEncoderLayer(
                                        c.i("d"),
                                        c.i("heads"),
                                        c.i("ff"),
                                        0,
                                        c.s("activation"),
                                        c.d("eps"),
                                        c.b("batch_first"),
                                        c.b("norm_first")),
                                c.i("layers"),
                                c.b("final_norm")
                                    ? new LayerNorm(new int[] {c.i("d")}, c.d("eps"), true)
                                    : null);
                        run(
                            c,
                            enc,
                            (m, in) ->
                                List.of(enc.forward(in.get(0), c.tensor("mask"), c.tensor("kpm"))));
                      } else {
                        TransformerEncoderLayer enc =
                            new TransformerEncoderLayer(
                                c.i("d"),
                                c.i("heads"),
                                c.i("ff"),
                                0,
                                c.s("activation"),
                                c.d("eps"),
                                c.b("batch_first"),
                                c.b("norm_first"));
                        run(
                            c,
                            enc,
                            (m, in) ->
                                List.of(enc.forward(in.get(0), c.tensor("mask"), c.tensor("kpm"))));
                      }
                    }));
  }

  @TestFactory
  Stream<DynamicTest> losses() {
    return TorchCases.load("losses").stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.name(),
                    () -> {
                      Reduction r = Reduction.valueOf(c.s("reduction").toUpperCase());
                      Loss loss =
                          switch (c.s("kind")) {
                            case "mse" -> new MSELoss(r);
                            case "l1" -> new L1Loss(r);
                            case "smoothl1" -> new SmoothL1Loss(r, c.d("beta"));
                            case "huber" -> new HuberLoss(r, c.d("delta"));
                            case "bce" -> new BCELoss(c.tensor("weight"), r);
                            case "bce_logits" ->
                                new BCEWithLogitsLoss(
                                    c.tensor("weight"), c.tensor("pos_weight"), r);
                            case "ce" ->
                                new CrossEntropyLoss(
                                    c.tensor("weight"),
                                    c.i("ignore_index"),
                                    r,
                                    c.d("label_smoothing"));
                            case "nll" -> new NLLLoss(c.tensor("weight"), c.i("ignore_index"), r);
                            case "kl" -> new KLDivLoss(r, c.b("log_target"));
                            default -> throw new IllegalArgumentException(c.s("kind"));
                          };
                      run(c, loss, (m, in) -> List.of(((Loss) m).forward(in.get(0), in.get(1))));
                    }));
  }

  @org.junit.jupiter.api.Test
  void everyGroupHasCases() {
    for (String g :
        List.of(
            "linear",
            "conv",
            "pool",
            "shape_dropout",
            "norm",
            "embedding_upsample",
            "activations",
            "recurrent",
            "attention",
            "losses")) {
      assertTrue(TorchCases.load(g).size() >= 3, g);
    }
  }
}
