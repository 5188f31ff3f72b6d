package org.jgrad.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private static void put(Path target, String text) throws IOException {
    AtomicFiles.write(target, ch -> ch.write(ByteBuffer.wrap(text.getBytes())));
  }

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesAndReplacesLeavingNoTemporaryFiles() throws IOException {
    Path t = dir.resolve("sub").resolve("a.bin");
    put(t, "one");
    put(t, "two");
    assertEquals("two", Files.readString(t));
    try (Stream<Path> s = Files.list(t.getParent())) {
      assertEquals(List.of("a.bin"), s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void failedWriteKeepsTheOldContentAndDeletesItsTemporaryFile() throws IOException {
    Path t = dir.resolve("a.bin");
    put(t, "old");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                AtomicFiles.write(
                    t,
                    ch -> {
                      ch.write(ByteBuffer.wrap("half".getBytes()));
                      throw new IOException("disk full");
                    }));
    assertEquals("disk full", e.getMessage());
    assertEquals("old", Files.readString(t));
    assertEquals(List.of("a.bin"), names());
  }

  @Test
  void temporaryFilesOfAnInterruptedSaveAreDeletedByTheNextSaveToTheSamePath() throws IOException {
    Path t = dir.resolve("model.safetensors");
    // What a killed JVM leaves: temporary siblings named as AtomicFiles names them. Files of
    // another target
    // and look-alikes that AtomicFiles would not have made are kept.
    Path stale = dir.resolve(".model.safetensors.9876543210123456789.tmp");
    Files.writeString(stale, "partial");
    Path staleShort = dir.resolve(".model.safetensors.123.tmp");
    Files.writeString(staleShort, "partial");
    Path other = dir.resolve(".other.bin.456.tmp");
    Files.writeString(other, "someone else's");
    Path lookalike = dir.resolve(".model.safetensors.backup.tmp");
    Files.writeString(lookalike, "not ours");
    assertTrue(AtomicFiles.isTempFileOf(stale, t));
    assertTrue(AtomicFiles.isTempFileOf(staleShort, t));
    assertFalse(AtomicFiles.isTempFileOf(other, t));
    assertFalse(AtomicFiles.isTempFileOf(lookalike, t));

    put(t, "new");
    assertEquals("new", Files.readString(t));
    assertEquals(
        List.of(".model.safetensors.backup.tmp", ".other.bin.456.tmp", "model.safetensors"),
        names());
  }

  @Test
  void aTemporaryFileStillBeingWrittenInThisJvmIsNotSwept() throws IOException {
    Path t = dir.resolve("x.bin");
    Path inProgress = AtomicFiles.newTempFile(t);
    put(t, "done");
    assertTrue(Files.exists(inProgress));
    AtomicFiles.discard(inProgress);
    assertFalse(Files.exists(inProgress));
  }

  @Test
  void savedFilesGetTheUmaskPermissionsOfAnyNewFileNotOwnerOnly() throws Exception {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) return;
    Path plain = dir.resolve("plain.txt");
    Files.writeString(plain, "x"); // a file created the ordinary way: the umask decides
    Path saved = dir.resolve("saved.txt");
    put(saved, "x");
    Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
    assertEquals(expected, Files.getPosixFilePermissions(saved));
    // Under the usual umask 022 that means group/other may read; createTempFile would have given
    // 0600.
    String umask = umask();
    if ("0022".equals(umask)) {
      assertTrue(expected.contains(PosixFilePermission.OTHERS_READ), expected.toString());
    }
  }

  @Test
  void theDirectoryIsForcedAfterTheRename() throws IOException {
    List<Path> forced = new ArrayList<>();
    Path t = dir.resolve("d").resolve("f.bin");
    var previous = AtomicFiles.directoryForced;
    AtomicFiles.directoryForced =
        p -> {
          // At the time of the fsync the rename has happened: the target has the new content.
          try {
            assertEquals("new", Files.readString(t));
          } catch (IOException e) {
            throw new AssertionError(e);
          }
          forced.add(p);
        };
    try {
      put(t, "new");
    } finally {
      AtomicFiles.directoryForced = previous;
    }
    assertEquals(List.of(t.getParent().toAbsolutePath()), forced);
    assertArrayEquals("new".getBytes(), Files.readAllBytes(t));
  }

  private static String umask() throws Exception {
    Process p = new ProcessBuilder("sh", "-c", "umask").start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) return "";
    return new String(p.getInputStream().readAllBytes()).strip();
  }
}
