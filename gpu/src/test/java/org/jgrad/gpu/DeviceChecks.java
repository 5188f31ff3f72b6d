package org.jgrad.gpu;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the GPU tests without Maven (a GPU machine may have no Maven repository): {@code
 * gpu/run-device-checks.sh run} starts it on the bundled class path. A missing GPU is a failure
 * here ({@code jgrad.gpu.required=true}), not a skip. Prints one line per test and a summary; exits
 * 1 if anything failed.
 */
public final class DeviceChecks {
  private DeviceChecks() {}

  public static void main(String[] args) {
    System.setProperty(GpuTestSupport.REQUIRED_PROPERTY, "true");
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(
                selectClass(CudaProbeTest.class),
                selectClass(CudaDeviceTest.class),
                selectClass(KernelDeviceTest.class),
                selectClass(CudaTensorTest.class),
                selectClass(CudaConformanceTest.class))
            .build();
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    TestExecutionListener lines =
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (!id.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) return;
            System.out.println(
                result.getStatus()
                    + " "
                    + id.getLegacyReportingName()
                    + " "
                    + id.getUniqueId()
                        .replaceAll(".*\\[class:org\\.jgrad\\.gpu\\.([^\\]]*)\\].*", "$1")
                    + result.getThrowable().map(t -> " -- " + Cuda.describe(t)).orElse(""));
            System.out.flush();
          }

          @Override
          public void executionSkipped(TestIdentifier id, String reason) {
            System.out.println("SKIPPED " + id.getLegacyReportingName() + " -- " + reason);
          }
        };
    launcher.execute(request, summary, lines);
    TestExecutionSummary s = summary.getSummary();
    PrintWriter out = new PrintWriter(System.out, true);
    s.printTo(out);
    s.printFailuresTo(out, 40);
    out.flush();
    System.exit(s.getTotalFailureCount() == 0 && s.getTestsSucceededCount() > 0 ? 0 : 1);
  }
}
