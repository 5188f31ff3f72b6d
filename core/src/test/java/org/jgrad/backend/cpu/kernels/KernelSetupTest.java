package org.jgrad.backend.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jgrad.backend.Backends;
import org.junit.jupiter.api.Test;

/**
 * What a user sees about the CPU set-up: {@link Backends#describe()}, the one-time warning when the
 * GEMM falls back to the scalar kernel for want of {@code jdk.incubator.vector}, and the error for
 * a bad {@code -Djgrad.threads}. core/pom.xml runs this class in a JVM with and one without the
 * Vector API module; the child-JVM cases choose their own flags.
 */
class KernelSetupTest {

  @Test
  void describeNamesTheActiveKernelThreadsAndJdk() {
    String d = Backends.describe();
    assertTrue(d.contains("default device: cpu"), d);
    assertTrue(d.contains("float32 GEMM kernel: " + Gemm.kernelName()), d);
    assertTrue(d.contains("CPU threads: " + Parallel.threads()), d);
    assertTrue(d.contains("JDK: " + Runtime.version()), d);
    assertTrue(d.contains("providers"), d);
    assertTrue(d.lines().count() >= 5, d);
    String expect = System.getProperty("jgrad.test.expectSimd");
    if (Gemm.simdEnabled()) {
      assertTrue(d.contains("Vector API, Species[float"), d);
      assertFalse(d.contains("scalar fallback"), d);
      assertNull(Gemm.fallbackReason());
      assertNull(Gemm.fallbackWarning());
    } else {
      assertTrue(d.contains("scalar fallback"), d);
      assertTrue(d.contains(Gemm.fallbackReason()), d);
    }
    if ("false".equals(expect)) {
      // The JVM without the module (core/pom.xml's second surefire execution).
      assertTrue(
          d.contains(
              "scalar fallback, about 4x slower: the JVM was started without --add-modules"
                  + " jdk.incubator.vector"),
          d);
      assertTrue(d.contains("fix: run the JVM with --add-modules jdk.incubator.vector"), d);
    }
  }

  @Test
  void fallbackWarningIsPrintedOnceAtFirstScalarGemmWhenTheModuleIsMissing() {
    float[] a = {1, 2, 3, 4};
    Gemm.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, a, 0, 2, 0f, new float[4], 0, 2);
    if ("false".equals(System.getProperty("jgrad.test.expectSimd"))) {
      String w = Gemm.fallbackWarning();
      assertTrue(
          w.startsWith("WARNING: jgrad runs float32 matrix multiply on its scalar fallback kernel"),
          w);
      for (String part :
          new String[] {
            "--add-modules jdk.incubator.vector",
            "jgrad.jvm.flags",
            "argLine",
            "VM options",
            "java --add-modules jdk.incubator.vector -cp",
            "-Djgrad.simd.warn=false"
          }) {
        assertTrue(w.contains(part), "missing '" + part + "' in:\n" + w);
      }
      assertTrue(Gemm.fallbackWarningPrinted());
    } else if (Gemm.simdEnabled()) {
      assertFalse(Gemm.fallbackWarningPrinted());
    }
  }

  @Test
  void onceWarningPrintsOnlyOnceAndNeverWithoutAMessage() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    OnceWarning w = new OnceWarning("careful");
    assertTrue(w.emit(out));
    assertFalse(w.emit(out));
    assertEquals("careful" + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8));
    OnceWarning none = new OnceWarning(null);
    assertFalse(none.emit(out));
    assertFalse(none.printed());
  }

  @Test
  void childJvmWithoutTheModuleWarnsOnceOnStderrAndDescribesTheFallback() throws Exception {
    Result r = runChild(List.of());
    assertEquals(0, r.exit, r.toString());
    assertEquals(
        1,
        count(r.err, "WARNING: jgrad runs float32 matrix multiply on its scalar fallback"),
        r.toString());
    assertTrue(r.err.contains("--add-modules jdk.incubator.vector"), r.toString());
    assertTrue(r.out.contains("gemm 7.0 22.0"), r.toString());
    assertTrue(r.out.contains("float32 GEMM kernel: scalar-"), r.toString());
    assertTrue(
        r.out.contains("the JVM was started without --add-modules jdk.incubator.vector"),
        r.toString());
  }

  @Test
  void fallbackWarningCanBeSilencedAndIsNotDueWithTheModuleOrWhenScalarIsAskedFor()
      throws Exception {
    Result silenced = runChild(List.of("-Djgrad.simd.warn=false"));
    assertEquals(0, silenced.exit, silenced.toString());
    assertFalse(silenced.err.contains("jgrad runs"), silenced.toString());
    Result withModule = runChild(List.of("--add-modules", "jdk.incubator.vector"));
    assertEquals(0, withModule.exit, withModule.toString());
    assertFalse(withModule.err.contains("jgrad runs"), withModule.toString());
    assertTrue(withModule.out.contains("(Vector API, Species[float"), withModule.toString());
    Result forced =
        runChild(List.of("--add-modules", "jdk.incubator.vector", "-Djgrad.simd=false"));
    assertFalse(forced.err.contains("jgrad runs"), forced.toString());
    assertTrue(
        forced.out.contains("scalar fallback, about 4x slower: -Djgrad.simd=false forces it"),
        forced.toString());
  }

  @Test
  void badThreadPropertyFailsOnEveryUseWithItsOwnMessage() throws Exception {
    for (String bad : new String[] {"abc", "0", "-3"}) {
      Result r = runChild(List.of("-Djgrad.threads=" + bad, "-Djgrad.simd.warn=false"));
      assertEquals(0, r.exit, r.toString());
      String expected =
          "failure java.lang.IllegalArgumentException: jgrad: invalid CPU thread count -Djgrad.threads='"
              + bad
              + "': it must be a positive integer";
      // Both GEMMs and both direct queries fail alike: 4 times.
      assertEquals(4, count(r.out, expected), r.toString());
      assertFalse(
          r.out.contains("ExceptionInInitializerError") || r.out.contains("NoClassDefFoundError"),
          r.toString());
      assertTrue(
          r.out.contains(
              "CPU threads: jgrad: invalid CPU thread count -Djgrad.threads='" + bad + "'"),
          r.toString());
    }
    Result good = runChild(List.of("-Djgrad.threads=3", "-Djgrad.simd.warn=false"));
    assertEquals(2, count(good.out, "threads 3"), good.toString());
    assertTrue(good.out.contains("CPU threads: 3 (-Djgrad.threads)"), good.toString());
  }

  private record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private static Result runChild(List<String> jvmFlags) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(KernelSetupMain.class.getName());
    Path out = Files.createTempFile("jgrad-child", ".out");
    Path err = Files.createTempFile("jgrad-child", ".err");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().remove("JGRAD_NUM_THREADS");
      Process p = pb.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("child JVM did not finish in 60 s: " + cmd);
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
