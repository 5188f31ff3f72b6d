package org.jgrad.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import jcuda.nvrtc.JNvrtc;
import jcuda.nvrtc.nvrtcProgram;
import jcuda.nvrtc.nvrtcResult;

/**
 * Turns a kernel source into PTX for one compute capability, once per JVM (cached by file and
 * architecture; each device then loads the PTX into its own context).
 *
 * <p>NVRTC (through JNvrtc, which needs {@code libnvrtc.so.12}) is the normal path. Where it cannot
 * be loaded, for example on a machine with only CUDA 13 libraries, the compiler falls back to
 * {@code nvcc -ptx} (found through {@code -Djgrad.nvcc}, {@code /usr/local/bin}, {@code
 * /usr/local/cuda/bin} or the PATH), whose PTX the driver JIT-compiles the same way. {@code
 * -Djgrad.cuda.compiler=nvcc} forces the fallback. The architecture is capped at compute_90, the
 * newest NVRTC 12.6 knows; the driver JIT-compiles that PTX for newer devices.
 */
final class KernelCompiler {
  private KernelCompiler() {}

  /** The newest virtual architecture NVRTC 12.6 compiles for. */
  static final int MAX_ARCH = 90;

  private static final Map<String, String> PTX = new ConcurrentHashMap<>();

  /** How the last compilation was done, for {@code describe()}. */
  static volatile String lastCompiler = "none yet";

  /** PTX of {@code file} for compute capability {@code arch} (e.g. 90), compiled on first use. */
  static String ptx(String file, int arch) {
    int a = Math.min(arch, MAX_ARCH);
    return PTX.computeIfAbsent(file + "@" + a, k -> compile(file, a));
  }

  private static String compile(String file, int arch) {
    String source = Kernel.source(file);
    String header = Kernel.source(Kernel.HEADER);
    String forced = System.getProperty("jgrad.cuda.compiler", "");
    String nvrtcFailure;
    if (!forced.equals("nvcc")) {
      try {
        String ptx = nvrtc(file, source, header, arch);
        lastCompiler = "NVRTC (compute_" + arch + ")";
        return ptx;
      } catch (LinkageError e) {
        nvrtcFailure = "NVRTC not loadable: " + Cuda.describe(e);
      } catch (IllegalStateException e) {
        // NVRTC loaded but refused the source: the fallbacks may still run it, and describe()
        // reports this line (a kernel that nvcc accepts and NVRTC does not is a bug to fix)
        nvrtcFailure = "NVRTC failed: " + e.getMessage().lines().findFirst().orElse("");
      }
    } else {
      nvrtcFailure = "-Djgrad.cuda.compiler=nvcc";
    }
    String dir = System.getProperty("jgrad.cuda.ptxDir", "");
    if (!dir.isBlank()) {
      // PTX built ahead of time by nvcc (gpu/run-device-checks.sh prepare), for machines with
      // neither NVRTC 12 nor nvcc; the driver JIT-compiles it like NVRTC's
      Path prebuilt = Path.of(dir, file.replace(".cu", ".ptx"));
      if (Files.isReadable(prebuilt)) {
        try {
          String ptx = Files.readString(prebuilt);
          lastCompiler = "prebuilt PTX from " + dir + " (" + nvrtcFailure + ")";
          return ptx;
        } catch (IOException e) {
          nvrtcFailure += "; " + prebuilt + " unreadable: " + e.getMessage();
        }
      }
    }
    try {
      String ptx = nvcc(file, source, header, arch);
      lastCompiler = "nvcc -ptx (compute_" + arch + "; " + nvrtcFailure + ")";
      return ptx;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot compile CUDA kernels " + file + ": " + nvrtcFailure + "; nvcc: " + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while compiling " + file, e);
    }
  }

  private static String nvrtc(String file, String source, String header, int arch) {
    nvrtcProgram prog = new nvrtcProgram();
    check(
        JNvrtc.nvrtcCreateProgram(
            prog, source, file, 1, new String[] {header}, new String[] {Kernel.HEADER}),
        "nvrtcCreateProgram",
        file,
        null);
    try {
      String[] options = {"--gpu-architecture=compute_" + arch, "--std=c++17"};
      int rc = JNvrtc.nvrtcCompileProgram(prog, options.length, options);
      String[] log = new String[1];
      JNvrtc.nvrtcGetProgramLog(prog, log);
      check(rc, "nvrtcCompileProgram", file, log[0]);
      String[] ptx = new String[1];
      check(JNvrtc.nvrtcGetPTX(prog, ptx), "nvrtcGetPTX", file, null);
      return ptx[0];
    } finally {
      JNvrtc.nvrtcDestroyProgram(prog);
    }
  }

  private static void check(int rc, String call, String file, String log) {
    if (rc != nvrtcResult.NVRTC_SUCCESS) {
      throw new IllegalStateException(
          call
              + " failed for "
              + file
              + ": "
              + nvrtcResult.stringFor(rc)
              + (log == null || log.isBlank() ? "" : "\n" + log));
    }
  }

  private static String nvcc(String file, String source, String header, int arch)
      throws IOException, InterruptedException {
    Path nvcc = findNvcc();
    if (nvcc == null) {
      throw new IllegalStateException(
          "nvcc not found (-Djgrad.nvcc, /usr/local/bin, /usr/local/cuda/bin, PATH)");
    }
    Path dir = Files.createTempDirectory("jgrad-cuda");
    try {
      Files.writeString(dir.resolve(Kernel.HEADER), header);
      Path cu = dir.resolve(file);
      Files.writeString(cu, source);
      Path ptx = dir.resolve(file.replace(".cu", ".ptx"));
      List<String> cmd =
          List.of(
              nvcc.toString(),
              "-ptx",
              "-arch=compute_" + arch,
              "-I",
              dir.toString(),
              cu.toString(),
              "-o",
              ptx.toString());
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
      }
      return Files.readString(ptx);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    }
  }

  /** nvcc from -Djgrad.nvcc, /usr/local/bin, /usr/local/cuda/bin or the PATH; null if none. */
  static Path findNvcc() {
    List<Path> candidates = new ArrayList<>();
    String explicit = System.getProperty("jgrad.nvcc");
    if (explicit != null && !explicit.isBlank()) candidates.add(Path.of(explicit));
    candidates.add(Path.of("/usr/local/bin/nvcc"));
    candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(java.io.File.pathSeparator)) {
        if (!d.isEmpty()) candidates.add(Path.of(d, "nvcc"));
      }
    }
    return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
  }
}
