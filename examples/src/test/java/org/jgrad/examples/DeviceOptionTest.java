package org.jgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.jgrad.backend.Backends;
import org.jgrad.backend.Device;
import org.jgrad.examples.exercises.BumpGdAdam;
import org.jgrad.examples.exercises.MnistCnnOptimizers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The runner's {@code --device}: refused for CPU-only exercises, and without a usable device. */
class DeviceOptionTest {

  @Test
  void anExerciseWithoutDeviceSupportIsRefusedNamingTheOnesThatHaveIt(@TempDir Path out) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Main.runOne(new BumpGdAdam(), true, 0, out, Device.cuda(0)));
    assertTrue(e.getMessage().startsWith("bump-gd-adam runs on the CPU only"), e.getMessage());
    assertTrue(e.getMessage().contains("mnist-cnn-optimizers"), e.getMessage());
    assertTrue(new MnistCnnOptimizers().supportsDevice());
  }

  @Test
  void anUnavailableDeviceStopsTheRunBeforeItStarts(@TempDir Path out) {
    Assumptions.assumeFalse(
        Backends.find("cuda").map(p -> p.isAvailable()).orElse(false), "CUDA is available here");
    int code =
        new CommandLine(new Main())
            .execute(
                "run",
                "mnist-cnn-optimizers",
                "--quick",
                "--out",
                out.toString(),
                "--device",
                "cuda");
    assertEquals(2, code);
  }
}
