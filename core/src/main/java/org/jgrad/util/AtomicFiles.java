package org.jgrad.util;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Crash-safe file replacement: the new content goes to a temporary sibling of the target, is forced
 * to disk, renamed over the target in one step, and the directory is forced too, so after a crash
 * the target holds either the old or the new content, never a mix. Every save in jgrad goes through
 * here.
 *
 * <p>Three details the plain {@code createTempFile} + {@code move} idiom gets wrong: the temporary
 * file is created with the default permissions (what the umask allows, as for any new file) instead
 * of {@code 0600}, so the saved file is readable like the user's other files; temporary files that
 * an interrupted save (a killed JVM) left beside the target are deleted by the next save to the
 * same path; and the rename is made durable by forcing the directory (where the platform allows
 * opening one).
 *
 * <p>Temporary files are named {@code .NAME.<random>.tmp} in the target's directory. A stale one is
 * deleted unless a save in this JVM is still writing it; two processes saving the same path at the
 * same time are not supported (the last rename wins, and one may delete the other's temporary
 * file).
 *
 * <pre>{@code
 * AtomicFiles.write(Path.of("model.safetensors"), ch -> ch.write(ByteBuffer.wrap(bytes)));
 *
 * Path tmp = AtomicFiles.newTempFile(target);      // or in two steps, when the content comes from elsewhere
 * try { fill(tmp); AtomicFiles.commit(tmp, target); } finally { AtomicFiles.discard(tmp); }
 * }</pre>
 */
public final class AtomicFiles {
  private static final String SUFFIX = ".tmp";
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Temporary files that a save in this JVM is writing now; the stale-file sweep leaves them alone.
   */
  private static final Set<Path> ACTIVE = ConcurrentHashMap.newKeySet();

  /**
   * Told of every directory forced after a rename; tests watch it, since an fsync leaves no other
   * trace.
   */
  static volatile Consumer<Path> directoryForced = dir -> {};

  private AtomicFiles() {}

  /** Writes the content of a file through an open channel. */
  @FunctionalInterface
  public interface ChannelWriter {
    /** Writes the whole content to {@code ch} (positioned at 0, empty). */
    void write(FileChannel ch) throws IOException;
  }

  /**
   * Replaces {@code target} with what {@code body} writes, atomically; on failure the target is
   * unchanged and the temporary file is deleted. Creates the parent directories.
   */
  public static void write(Path target, ChannelWriter body) throws IOException {
    Objects.requireNonNull(body, "body");
    Path tmp = newTempFile(target);
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        body.write(ch);
      }
      commit(tmp, target);
    } finally {
      discard(tmp);
    }
  }

  /**
   * Creates an empty temporary sibling of {@code target} (with default permissions) to be filled
   * and then passed to {@link #commit} or {@link #discard}; first deletes temporary files that
   * earlier, interrupted saves to {@code target} left behind. Creates the parent directories.
   */
  public static Path newTempFile(Path target) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir == null) throw new IOException("AtomicFiles: " + target + " has no parent directory");
    Files.createDirectories(dir);
    deleteStale(abs);
    String prefix = "." + abs.getFileName() + ".";
    while (true) {
      Path tmp = dir.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong()) + SUFFIX);
      ACTIVE.add(tmp);
      try {
        // No file attributes: the new file gets the process's default mode (0666 minus the umask).
        Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return tmp;
      } catch (FileAlreadyExistsException e) {
        ACTIVE.remove(tmp); // a 1-in-2^64 clash: draw another name
      } catch (IOException | RuntimeException e) {
        ACTIVE.remove(tmp);
        throw e;
      }
    }
  }

  /**
   * Forces {@code tmp} to disk, renames it over {@code target} (atomically where the file system
   * can) and forces the directory so that the rename survives a crash.
   */
  public static void commit(Path tmp, Path target) throws IOException {
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Path abs = target.toAbsolutePath();
    try {
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
    }
    ACTIVE.remove(tmp);
    forceDirectory(abs.getParent());
  }

  /**
   * Deletes {@code tmp} if it still exists (after a failure, or after {@link #commit} as a no-op).
   */
  public static void discard(Path tmp) throws IOException {
    try {
      Files.deleteIfExists(tmp);
    } finally {
      ACTIVE.remove(tmp);
    }
  }

  /** True when {@code file} is named like a temporary file of a save to {@code target}. */
  public static boolean isTempFileOf(Path file, Path target) {
    String name = file.getFileName().toString();
    return tempPattern(target.toAbsolutePath()).matcher(name).matches();
  }

  private static Pattern tempPattern(Path abs) {
    return Pattern.compile(
        Pattern.quote("." + abs.getFileName() + ".") + "[0-9]+" + Pattern.quote(SUFFIX));
  }

  private static void deleteStale(Path abs) throws IOException {
    Pattern p = tempPattern(abs);
    try (DirectoryStream<Path> ds =
        Files.newDirectoryStream(
            abs.getParent(),
            f -> p.matcher(f.getFileName().toString()).matches() && !ACTIVE.contains(f))) {
      for (Path stale : ds) {
        Files.deleteIfExists(stale);
      }
    }
  }

  /**
   * fsync of the directory, so the new directory entry is on disk. Linux and macOS allow opening a
   * directory for this; Windows does not (and its rename is durable by other means), so failure to
   * open is not an error.
   */
  private static void forceDirectory(Path dir) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException | UnsupportedOperationException e) {
      return;
    }
    try (ch) {
      ch.force(true);
      directoryForced.accept(dir);
    } catch (IOException e) {
      // Some file systems refuse fsync on a directory (EINVAL); the file itself was already forced.
    }
  }
}
