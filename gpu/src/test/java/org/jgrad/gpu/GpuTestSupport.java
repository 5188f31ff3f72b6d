package org.jgrad.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Shared helpers for the GPU tests: the skip-or-fail rule and the nvcc driver. */
final class GpuTestSupport {
  private GpuTestSupport() {}

  /** With -Djgrad.gpu.required=true a missing GPU fails the test instead of skipping it. */
  static final String REQUIRED_PROPERTY = "jgrad.gpu.required";

  static final String KERNEL_RESOURCE = "/org/jgrad/gpu/kernels/elementwise.cu";

  /** Every entry point elementwise.cu promises, unmangled. */
  static final List<String> KERNEL_ENTRIES =
      List.of(
          "fill_f32",
          "copy_f32",
          "add_f32",
          "sub_f32",
          "mul_f32",
          "div_f32",
          "maximum_f32",
          "add_scalar_f32",
          "mul_scalar_f32",
          "axpy_f32",
          "neg_f32",
          "exp_f32",
          "log_f32",
          "sqrt_f32",
          "tanh_f32",
          "sigmoid_f32",
          "relu_f32",
          "relu_backward_f32",
          "sum_partial_f32",
          "max_partial_f32",
          "row_sum_f32",
          "softmax_rows_f32");

  /** Skips the calling test when CUDA is unavailable, or fails it when a GPU is required. */
  static void requireCuda() {
    if (Cuda.isAvailable()) {
      return;
    }
    String reason = "CUDA unavailable: " + Cuda.unavailableReason();
    if (Boolean.getBoolean(REQUIRED_PROPERTY)) {
      fail(REQUIRED_PROPERTY + "=true but " + reason);
    }
    Assumptions.abort(reason + " (set -D" + REQUIRED_PROPERTY + "=true to make this a failure)");
  }

  /** nvcc from -Djgrad.nvcc, /usr/local/bin, /usr/local/cuda/bin or the PATH. */
  static Optional<Path> findNvcc() {
    List<Path> candidates = new ArrayList<>();
    String explicit = System.getProperty("jgrad.nvcc");
    if (explicit != null && !explicit.isBlank()) {
      candidates.add(Path.of(explicit));
    }
    candidates.add(Path.of("/usr/local/bin/nvcc"));
    candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "nvcc"));
        }
      }
    }
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  static Path requireNvcc() {
    Optional<Path> nvcc = findNvcc();
    Assumptions.assumeTrue(
        nvcc.isPresent(),
        "nvcc not found (looked at -Djgrad.nvcc, /usr/local/bin, /usr/local/cuda/bin, PATH)");
    return nvcc.get();
  }

  /** Copies the packaged kernel source into {@code dir} and compiles it to PTX for compute_90. */
  static Path compilePtx(Path nvcc, Path dir) throws IOException, InterruptedException {
    Path cu = dir.resolve("elementwise.cu");
    try (InputStream in = GpuTestSupport.class.getResourceAsStream(KERNEL_RESOURCE)) {
      if (in == null) {
        fail("kernel source missing from the class path: " + KERNEL_RESOURCE);
      }
      Files.copy(in, cu, StandardCopyOption.REPLACE_EXISTING);
    }
    Path ptx = dir.resolve("elementwise.ptx");
    run(
        dir,
        nvcc.toString(),
        "-ptx",
        "-arch=compute_90",
        "--Werror",
        "all-warnings",
        cu.toString(),
        "-o",
        ptx.toString());
    return ptx;
  }

  /** Runs a command, failing with its output if it does not exit 0 within two minutes. */
  static String run(Path dir, String... command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("timed out: " + String.join(" ", command));
    }
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + text);
    return text;
  }
}
