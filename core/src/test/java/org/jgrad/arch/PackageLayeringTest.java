package org.jgrad.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import org.jgrad.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layering of core, read from the compiled classes by {@code jdeps} (so Javadoc links
 * do not count, and a fully qualified name in code does): the backend packages sit at the bottom
 * and know nothing of tensors or autograd; tensors and the engine reach concrete backends only
 * through the registry {@code Backends}. ({@code tensor} and {@code autograd} depend on each other
 * by design: a Tensor holds its gradFn, a Function holds its input Tensors.)
 */
class PackageLayeringTest {
  private static Set<String> edges;

  @BeforeAll
  static void readDependencies() throws Exception {
    Path classes =
        Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ToolProvider jdeps =
        ToolProvider.findFirst("jdeps")
            .orElseThrow(() -> new AssertionError("jdeps not found: run the tests on a full JDK"));
    StringWriter out = new StringWriter(), err = new StringWriter();
    int rc =
        jdeps.run(
            new PrintWriter(out), new PrintWriter(err), "-verbose:package", classes.toString());
    assertEquals(0, rc, "jdeps failed: " + err);
    edges = new TreeSet<>();
    for (String line : out.toString().split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 3
          && f[1].equals("->")
          && f[0].startsWith("org.jgrad.")
          && f[2].startsWith("org.jgrad.")) {
        edges.add(f[0] + " -> " + f[2]);
      }
    }
    assertTrue(
        edges.contains("org.jgrad.tensor -> org.jgrad.backend"),
        "jdeps output not understood: " + out);
  }

  private static List<String> from(String fromPrefix, String... toPrefixes) {
    return edges.stream()
        .filter(e -> e.startsWith(fromPrefix))
        .filter(
            e -> {
              String to = e.substring(e.indexOf("-> ") + 3);
              for (String p : toPrefixes) if (to.equals(p) || to.startsWith(p + ".")) return true;
              return false;
            })
        .toList();
  }

  @Test
  void backendsKnowNothingOfTensorsOrAutograd() {
    assertEquals(List.of(), from("org.jgrad.backend", "org.jgrad.tensor", "org.jgrad.autograd"));
  }

  @Test
  void tensorsAndEngineFindConcreteBackendsOnlyThroughTheRegistry() {
    assertEquals(
        List.of(),
        from("org.jgrad.tensor ", "org.jgrad.backend.cpu", "org.jgrad.backend.reference"));
    assertEquals(
        List.of(),
        from("org.jgrad.autograd ", "org.jgrad.backend.cpu", "org.jgrad.backend.reference"));
  }

  @Test
  void backendSpiDependsOnNoImplementation() {
    assertEquals(
        List.of(),
        from("org.jgrad.backend ", "org.jgrad.backend.cpu", "org.jgrad.backend.reference"));
  }
}
