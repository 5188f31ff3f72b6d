package org.jgrad.distributed;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.jgrad.nn.Module;
import org.jgrad.optim.Checkpoint;
import org.jgrad.optim.Optimizer;

/**
 * A model and its optimizer's state as bytes, to ship between driver and tasks: the two files of an
 * {@link Checkpoint} directory, so what travels is exactly what a checkpoint holds and restoring it
 * continues training bit for bit.
 */
record ReplicaState(byte[] model, byte[] optimizer) implements Serializable {
  static ReplicaState capture(Module model, Optimizer optimizer) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("jgrad-replica");
      Path cp = dir.resolve("state");
      Checkpoint.save(cp, model, optimizer, null);
      return new ReplicaState(
          Files.readAllBytes(cp.resolve(Checkpoint.MODEL_FILE)),
          Files.readAllBytes(cp.resolve(Checkpoint.OPTIMIZER_FILE)));
    } catch (IOException e) {
      throw new UncheckedIOException("ReplicaState: could not capture the model", e);
    } finally {
      deleteQuietly(dir);
    }
  }

  void restore(Module model, Optimizer optimizer) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("jgrad-replica");
      Path cp = dir.resolve("state");
      Files.createDirectories(cp);
      Files.write(cp.resolve(Checkpoint.MODEL_FILE), model());
      Files.write(cp.resolve(Checkpoint.OPTIMIZER_FILE), optimizer());
      Checkpoint.load(cp, model, optimizer);
    } catch (IOException e) {
      throw new UncheckedIOException("ReplicaState: could not restore the model", e);
    } finally {
      deleteQuietly(dir);
    }
  }

  /** Writes this state with {@code extra} as a checkpoint (atomically, see {@link Checkpoint}). */
  void save(Path dir, Module scratchModel, Optimizer scratchOptimizer, Map<String, ?> extra)
      throws IOException {
    restore(scratchModel, scratchOptimizer);
    Checkpoint.save(dir, scratchModel, scratchOptimizer, extra);
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) return;
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind is harmless
    }
  }
}
