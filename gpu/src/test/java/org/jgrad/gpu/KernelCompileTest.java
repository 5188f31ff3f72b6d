package org.jgrad.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles the packaged CUDA kernels with nvcc (no GPU needed) and checks that every promised entry
 * point comes out unmangled. Skipped, with the reason, where nvcc is not installed.
 */
class KernelCompileTest {

  @Test
  void elementwiseKernelsCompileToPtxForCompute90(@TempDir Path dir) throws Exception {
    Path nvcc = GpuTestSupport.requireNvcc();
    Path ptx = GpuTestSupport.compilePtx(nvcc, dir);
    String text = Files.readString(ptx);
    assertTrue(text.contains(".target sm_90"), "PTX not built for compute_90");
    for (String entry : GpuTestSupport.KERNEL_ENTRIES) {
      assertTrue(
          Pattern.compile("\\.entry\\s+" + entry + "\\s*\\(").matcher(text).find(),
          "PTX has no unmangled entry " + entry);
    }
  }

  @Test
  void elementwiseKernelsAssembleForSm90(@TempDir Path dir) throws Exception {
    // -ptx stops before ptxas; a fatbin with sm_90 code also runs the assembler.
    Path nvcc = GpuTestSupport.requireNvcc();
    Path ptx = GpuTestSupport.compilePtx(nvcc, dir);
    Path fatbin = dir.resolve("elementwise.fatbin");
    GpuTestSupport.run(
        dir,
        nvcc.toString(),
        "-fatbin",
        "-gencode",
        "arch=compute_90,code=[sm_90,compute_90]",
        "--Werror",
        "all-warnings",
        dir.resolve("elementwise.cu").toString(),
        "-o",
        fatbin.toString());
    assertTrue(
        Files.size(fatbin) > Files.size(ptx) / 4,
        "suspiciously small fatbin: " + Files.size(fatbin));
  }
}
