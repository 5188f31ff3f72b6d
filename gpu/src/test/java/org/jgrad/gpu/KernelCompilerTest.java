package org.jgrad.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run-time kernel compiler's fallbacks, on a machine without NVRTC 12 (like the build machine):
 * nvcc when it exists, and PTX built ahead of time. Each test uses its own architecture, since
 * results are cached per file and architecture.
 */
class KernelCompilerTest {

  @Test
  void withoutNvrtcNvccCompilesTheSourceAndTheCompilerIsReported() {
    GpuTestSupport.requireNvcc();
    String ptx = KernelCompiler.ptx("optim.cu", 80);
    assertTrue(ptx.contains(".target sm_80"), "PTX for compute_80");
    assertTrue(ptx.contains(".entry accumulate_f32"), "entry present");
    String how = KernelCompiler.lastCompiler;
    assertTrue(
        how.startsWith("NVRTC (compute_80)") || how.startsWith("nvcc -ptx (compute_80; NVRTC "),
        how);
  }

  @Test
  void prebuiltPtxStandsInWhenNvrtcCannotLoad(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("loss.ptx"), "// prebuilt marker\n");
    String saved = System.getProperty("jgrad.cuda.ptxDir");
    System.setProperty("jgrad.cuda.ptxDir", dir.toString());
    try {
      String ptx = KernelCompiler.ptx("loss.cu", 75);
      Assumptions.assumeFalse(
          KernelCompiler.lastCompiler.startsWith("NVRTC"), "NVRTC is loadable here");
      assertEquals("// prebuilt marker\n", ptx);
      assertTrue(
          KernelCompiler.lastCompiler.startsWith("prebuilt PTX from "),
          KernelCompiler.lastCompiler);
    } finally {
      if (saved == null) System.clearProperty("jgrad.cuda.ptxDir");
      else System.setProperty("jgrad.cuda.ptxDir", saved);
    }
  }
}
