package org.jgrad.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jgrad.backend.BackendProvider;
import org.jgrad.backend.Backends;
import org.junit.jupiter.api.Test;

/** Runs everywhere: the probe must answer, never throw, and explain itself when CUDA is missing. */
class CudaProbeTest {

  @Test
  void probeAnswersConsistentlyAndExplainsUnavailability() {
    boolean available = Cuda.isAvailable();
    assertEquals(available, Cuda.isAvailable(), "probe result must be stable");
    if (available) {
      assertNull(Cuda.unavailableReason());
      assertTrue(Cuda.deviceCount() > 0, "available but deviceCount() = " + Cuda.deviceCount());
    } else {
      String reason = Cuda.unavailableReason();
      assertNotNull(reason, "unavailable CUDA must come with a reason");
      assertFalse(reason.isBlank(), "reason must not be blank");
      assertFalse(reason.contains("\n"), "reason must be one line: " + reason);
      assertEquals(0, Cuda.deviceCount());
    }
    System.out.println(
        "[jgrad-gpu] CUDA "
            + (available
                ? "available: " + Cuda.deviceCount() + " device(s)"
                : "unavailable: " + Cuda.unavailableReason()));
  }

  @Test
  void cublasProbeNeverThrowsAndIsFalseWithoutCuda() {
    boolean cublas = Cuda.isCublasAvailable();
    if (!Cuda.isAvailable()) {
      assertFalse(cublas);
    }
    if (cublas) {
      assertNull(Cuda.cublasUnavailableReason());
    } else {
      assertNotNull(Cuda.cublasUnavailableReason());
      assertFalse(Cuda.cublasUnavailableReason().isBlank());
    }
  }

  @Test
  void nativesAreOnTheClassPathOnLinuxX64() {
    // The OS-activated profile in gpu/pom.xml must add the linux-x86_64 natives; without them the
    // probe would only ever say "natives not loadable", even on a GPU machine.
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        os.contains("linux") && arch.equals("amd64"),
        "JCuda natives are only checked on linux amd64, this is " + os + "/" + arch);
    assertNotNull(
        Cuda.class.getResource("/lib/libJCudaRuntime-12.6.0-linux-x86_64.so"),
        "jcuda-natives linux-x86_64 jar missing from the test class path");
    assertNotNull(
        Cuda.class.getResource("/lib/libJCublas2-12.6.0-linux-x86_64.so"),
        "jcublas-natives linux-x86_64 jar missing from the test class path");
    if (!Cuda.isAvailable()) {
      // With the natives present, the reason comes from the CUDA runtime, not from a failed load.
      assertTrue(
          Cuda.unavailableReason().startsWith("cudaGetDeviceCount"),
          "expected a CUDA runtime error, got: " + Cuda.unavailableReason());
    }
  }

  @Test
  void providerIsRegisteredThroughServiceLoader() {
    List<BackendProvider> providers = Backends.providers();
    assertTrue(
        providers.stream().anyMatch(p -> p instanceof CudaBackendProvider),
        "CudaBackendProvider not found by ServiceLoader; providers: " + providers);

    Optional<BackendProvider> cuda = Backends.find("cuda");
    assertTrue(cuda.isPresent());
    assertInstanceOf(CudaBackendProvider.class, cuda.get());
    assertEquals("cuda", cuda.get().name());
    assertEquals(Cuda.isAvailable(), cuda.get().isAvailable());
    assertEquals(Cuda.unavailableReason(), cuda.get().unavailableReason());

    assertEquals(cuda, Backends.find("CUDA"), "lookup is case-insensitive");
    assertTrue(Backends.find("no-such-backend").isEmpty());
  }

  @Test
  void requiredPropertyTurnsTheSkipIntoAFailure() {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        Cuda.isAvailable(), "CUDA is available: nothing to skip");
    String saved = System.getProperty(GpuTestSupport.REQUIRED_PROPERTY);
    try {
      System.clearProperty(GpuTestSupport.REQUIRED_PROPERTY);
      org.junit.jupiter.api.Assertions.assertThrows(
          org.opentest4j.TestAbortedException.class, GpuTestSupport::requireCuda);
      System.setProperty(GpuTestSupport.REQUIRED_PROPERTY, "true");
      org.opentest4j.AssertionFailedError e =
          org.junit.jupiter.api.Assertions.assertThrows(
              org.opentest4j.AssertionFailedError.class, GpuTestSupport::requireCuda);
      assertTrue(e.getMessage().contains(Cuda.unavailableReason()), e.getMessage());
    } finally {
      if (saved == null) {
        System.clearProperty(GpuTestSupport.REQUIRED_PROPERTY);
      } else {
        System.setProperty(GpuTestSupport.REQUIRED_PROPERTY, saved);
      }
    }
  }

  @Test
  void describeJoinsMessagesAndCausesOnOneLine() {
    Throwable t = new UnsatisfiedLinkError("Error while loading native library \"X\"\nmore detail");
    t.initCause(new IllegalStateException("libcuda.so.1: cannot open shared object file"));
    assertEquals(
        "UnsatisfiedLinkError: Error while loading native library \"X\" | more detail"
            + " <- IllegalStateException: libcuda.so.1: cannot open shared object file",
        Cuda.describe(t));
    assertEquals("RuntimeException", Cuda.describe(new RuntimeException()));
  }
}
