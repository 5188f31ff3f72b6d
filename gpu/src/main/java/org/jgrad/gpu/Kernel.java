package org.jgrad.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jgrad.backend.BinaryOp;
import org.jgrad.backend.DType;
import org.jgrad.backend.ReduceOp;
import org.jgrad.backend.UnaryOp;

/**
 * One CUDA kernel entry: the source file (a resource under {@code org/jgrad/gpu/kernels/}) and the
 * unmangled entry name. This class is the one place that names kernels: {@link CudaBackend} asks it
 * for every kernel it launches, and {@link #all()} lists every name it can return, so the test
 * suite compiles each source with nvcc and checks that each entry exists ({@code
 * KernelCompileTest}). The op-to-name switches are exhaustive switch expressions without {@code
 * default}: a new {@link UnaryOp} or {@link BinaryOp} without a CUDA kernel does not compile.
 *
 * @param file source file name, e.g. {@code "unary.cu"}
 * @param entry entry name, e.g. {@code "unary_exp_f32"}
 */
record Kernel(String file, String entry) {
  /** Where the sources live on the class path. */
  static final String RESOURCE_DIR = "/org/jgrad/gpu/kernels/";

  /** The header every source includes. */
  static final String HEADER = "jgrad_common.cuh";

  /** Every source file of the backend, in the order they are listed in the docs. */
  static final List<String> FILES =
      List.of(
          "copy.cu",
          "unary.cu",
          "binary.cu",
          "reduce.cu",
          "index.cu",
          "gemm.cu",
          "conv.cu",
          "pool.cu",
          "loss.cu",
          "batchnorm.cu",
          "optim.cu");

  /** The text of a source file or of the header. */
  static String source(String file) {
    try (InputStream in = Kernel.class.getResourceAsStream(RESOURCE_DIR + file)) {
      if (in == null) {
        throw new IllegalStateException("CUDA kernel source missing from the class path: " + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading CUDA kernel source " + file, e);
    }
  }

  /** "f32" for FLOAT32 storage (float), "f64" for the dtypes stored as double on the device. */
  static String suffix(DType t) {
    return switch (t) {
      case FLOAT32 -> "f32";
      case FLOAT64, INT64, BOOL -> "f64";
    };
  }

  /** The dtype code the kernels' {@code jg_cast} takes ({@code JG_FLOAT32} …). */
  static int kind(DType t) {
    return switch (t) {
      case FLOAT32 -> 0;
      case FLOAT64 -> 1;
      case INT64 -> 2;
      case BOOL -> 3;
    };
  }

  static String unaryName(UnaryOp op) {
    return switch (op) {
      case NEG -> "neg";
      case EXP -> "exp";
      case LOG -> "log";
      case SQRT -> "sqrt";
      case ABS -> "abs";
      case SIGN -> "sign";
      case SIN -> "sin";
      case COS -> "cos";
      case TANH -> "tanh";
      case SIGMOID -> "sigmoid";
      case RELU -> "relu";
      case ERF -> "erf";
      case RECIPROCAL -> "reciprocal";
      case LOG1P -> "log1p";
      case EXPM1 -> "expm1";
    };
  }

  static String binaryName(BinaryOp op) {
    return switch (op) {
      case ADD -> "add";
      case SUB -> "sub";
      case MUL -> "mul";
      case DIV -> "div";
      case POW -> "pow";
      case MAX -> "max";
      case MIN -> "min";
      case EQ -> "eq";
      case NE -> "ne";
      case LT -> "lt";
      case LE -> "le";
      case GT -> "gt";
      case GE -> "ge";
    };
  }

  /** The op code of reduce.cu ({@code JG_SUM}, {@code JG_MAXOP}, {@code JG_MINOP}). */
  static int reduceCode(ReduceOp op) {
    return switch (op) {
      case SUM -> 0;
      case MAX -> 1;
      case MIN -> 2;
    };
  }

  static Kernel unary(UnaryOp op, DType t) {
    return new Kernel("unary.cu", "unary_" + unaryName(op) + "_" + suffix(t));
  }

  static Kernel binary(BinaryOp op, DType t) {
    return new Kernel("binary.cu", "binary_" + binaryName(op) + "_" + suffix(t));
  }

  static Kernel copy(DType from, DType to) {
    return new Kernel("copy.cu", "copy_" + suffix(from) + "_" + suffix(to));
  }

  /** A kernel of {@code file} named {@code base + "_" + suffix(t)}: the per-dtype families. */
  static Kernel typed(String file, String base, DType t) {
    return new Kernel(file, base + "_" + suffix(t));
  }

  /** Every per-dtype family: file and base name. */
  private static final String[][] TYPED = {
    {"copy.cu", "fill"},
    {"binary.cu", "where"},
    {"reduce.cu", "reduce_thread"},
    {"reduce.cu", "reduce_block"},
    {"reduce.cu", "arg_reduce"},
    {"index.cu", "gather"},
    {"index.cu", "scatter_add"},
    {"gemm.cu", "gemm"},
    {"conv.cu", "im2col"},
    {"conv.cu", "col2im"},
    {"pool.cu", "max_pool"},
    {"pool.cu", "max_pool_backward"},
    {"pool.cu", "avg_pool"},
    {"pool.cu", "avg_pool_backward"},
    {"loss.cu", "log_softmax_nll"},
    {"batchnorm.cu", "bn_stats"},
    {"batchnorm.cu", "bn_apply"},
    {"batchnorm.cu", "bn_backward_reduce"},
    {"batchnorm.cu", "bn_backward_apply"},
    {"optim.cu", "accumulate"},
    {"optim.cu", "scale_inplace"},
    {"optim.cu", "adam_step"},
    {"optim.cu", "sgd_step"},
  };

  /** Every kernel the backend may launch (what the compile test checks). */
  static List<Kernel> all() {
    List<Kernel> all = new ArrayList<>();
    DType[] types = {DType.FLOAT32, DType.FLOAT64};
    for (DType t : types) {
      for (UnaryOp op : UnaryOp.values()) all.add(unary(op, t));
      for (BinaryOp op : BinaryOp.values()) all.add(binary(op, t));
      for (DType to : types) all.add(copy(t, to));
      for (String[] f : TYPED) all.add(typed(f[0], f[1], t));
    }
    return all;
  }
}
