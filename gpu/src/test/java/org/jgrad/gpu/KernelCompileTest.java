package org.jgrad.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles the packaged CUDA kernels with nvcc (no GPU needed) and checks that every promised entry
 * point comes out unmangled: elementwise.cu (the early stand-alone kernels) and every source of the
 * CUDA backend, whose entries are all the names {@link Kernel#all()} can hand to the driver. The
 * nvcc tests are skipped, with the reason, where nvcc is not installed; the source check runs
 * everywhere.
 */
class KernelCompileTest {

  /**
   * The entry names the backend may ask for, each defined in the file the backend loads it from.
   */
  @Test
  void everyBackendKernelIsDefinedInItsSourceFile() {
    List<Kernel> all = Kernel.all();
    assertTrue(all.size() > 100, "kernels listed: " + all.size());
    for (Kernel k : all) {
      String src = Kernel.source(k.file());
      String e = k.entry();
      String macro =
          e.startsWith("unary_")
              ? "JG_UNARY(" + e.substring(6, e.length() - 4) + ","
              : e.startsWith("binary_")
                  ? "JG_BINARY(" + e.substring(7, e.length() - 4) + ","
                  : null;
      boolean defined =
          macro != null
              ? src.contains(macro)
              : Pattern.compile("__global__\\s+void\\s+" + e + "\\s*\\(").matcher(src).find();
      assertTrue(defined, k.file() + " does not define " + e);
    }
    assertTrue(Kernel.source(Kernel.HEADER).contains("struct Layout"));
  }

  @Test
  void backendKernelsCompileToPtxForSm90WithEveryEntryUnmangled(@TempDir Path dir)
      throws Exception {
    Path nvcc = GpuTestSupport.requireNvcc();
    Files.writeString(dir.resolve(Kernel.HEADER), Kernel.source(Kernel.HEADER));
    List<String> cmd = new ArrayList<>(List.of(nvcc.toString(), "-ptx", "-arch=sm_90"));
    cmd.addAll(List.of("--Werror", "all-warnings", "-I", dir.toString(), "-odir", dir.toString()));
    for (String f : Kernel.FILES) {
      Files.writeString(dir.resolve(f), Kernel.source(f));
      cmd.add(dir.resolve(f).toString());
    }
    GpuTestSupport.run(dir, cmd.toArray(String[]::new)); // one nvcc run for all files: faster
    for (Kernel k : Kernel.all()) {
      String ptx = Files.readString(dir.resolve(k.file().replace(".cu", ".ptx")));
      assertTrue(ptx.contains(".target sm_90"), k.file() + ": PTX not built for sm_90");
      assertTrue(
          Pattern.compile("\\.entry\\s+" + k.entry() + "\\s*\\(").matcher(ptx).find(),
          k.file() + ": PTX has no unmangled entry " + k.entry());
    }
  }

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
