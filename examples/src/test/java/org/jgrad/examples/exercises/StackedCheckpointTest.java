package org.jgrad.examples.exercises;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.jgrad.autograd.GradMode;
import org.jgrad.examples.models.Models;
import org.jgrad.examples.support.RunContext;
import org.jgrad.nn.Sequential;
import org.jgrad.tensor.Generator;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vae-mnist reuses the stacked autoencoder that mnist-autoencoder-table saved beside it only when
 * the setup (data, rows, epochs, seed, mode) matches, and the reused one computes what the saved
 * one did.
 */
class StackedCheckpointTest {
  @TempDir Path runs;

  private RunContext context(String name) throws Exception {
    return new RunContext(
        name, true, 0, runs.resolve(name), new PrintStream(OutputStream.nullOutputStream()));
  }

  @Test
  void savedStackedAutoencoderIsReusedOnlyWithTheSameSetup() throws Exception {
    RunContext table = context(MnistAutoencoderTable.NAME);
    Tensor rows = Tensor.rand(new Generator(5), 40, 784);
    MnistAutoencoderTable.Stacked st = MnistAutoencoderTable.pretrainStacked(table, rows, 1);
    Sequential saved = st.autoencoder();
    Models.saveCheckpoint(
        saved,
        MnistAutoencoderTable.stackedCheckpoint(table.out()),
        MnistAutoencoderTable.stackedMeta(table, "test rows", 40, 1));

    RunContext vae = context("vae-mnist");
    Sequential loaded = MnistAutoencoderTable.loadStacked(vae, "test rows", 40, 1);
    assertNotNull(loaded, "checkpoint with the same setup");
    Tensor probe = Tensor.rand(new Generator(6), 3, 1, 28, 28);
    try (var ng = GradMode.noGrad()) {
      assertArrayEquals(saved.call(probe).toFloatArray(), loaded.call(probe).toFloatArray());
    }
    assertNull(MnistAutoencoderTable.loadStacked(vae, "test rows", 40, 2), "other epochs");
    assertNull(MnistAutoencoderTable.loadStacked(vae, "test rows", 36, 1), "other rows");
    assertNull(MnistAutoencoderTable.loadStacked(vae, "other data", 40, 1), "other data");
  }
}
