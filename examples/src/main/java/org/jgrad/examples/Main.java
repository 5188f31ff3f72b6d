package org.jgrad.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jgrad.backend.Backends;
import org.jgrad.backend.Device;
import org.jgrad.examples.support.Exercise;
import org.jgrad.examples.support.Provenance;
import org.jgrad.examples.support.RunContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The examples runner.
 *
 * <pre>
 *   java ... org.jgrad.examples.Main list
 *   java ... org.jgrad.examples.Main run bump-gd-adam --quick --out runs --seed 1
 *   java ... org.jgrad.examples.Main run all --quick
 *   java ... org.jgrad.examples.Main render docs/results
 * </pre>
 */
@Command(
    name = "jgrad-examples",
    mixinStandardHelpOptions = true,
    description = "Runs jgrad's coursework exercises and writes their reports.",
    subcommands = {Main.ListCommand.class, Main.RunCommand.class, RenderCommand.class})
public final class Main implements Callable<Integer> {

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    int code = new CommandLine(new Main()).execute(args);
    System.exit(code);
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  /** Lists the exercises. */
  @Command(name = "list", description = "Lists the exercises.")
  static final class ListCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      for (Exercise e : Exercises.all()) System.out.printf("%-26s %s%n", e.name(), e.title());
      return 0;
    }
  }

  /** Runs one exercise or all of them. */
  @Command(name = "run", description = "Runs an exercise (or 'all') and writes runs/NAME/.")
  static final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "exercise name, or 'all'")
    String name;

    @Option(names = "--quick", description = "small, fast version (about a minute each)")
    boolean quick;

    @Option(names = "--out", description = "output folder (default: runs)")
    Path out = Path.of("runs");

    @Option(names = "--seed", description = "random seed (default: 0)")
    long seed;

    @Option(
        names = "--device",
        description =
            "device to train on: cpu (default), cuda, cuda:1 (needs jgrad-gpu and a GPU; exercises"
                + " that do not support it are refused)")
    String device = "cpu";

    @Override
    public Integer call() throws Exception {
      List<Exercise> todo = new ArrayList<>();
      if (name.equals("all")) {
        todo.addAll(Exercises.all());
      } else {
        todo.add(
            Exercises.find(name)
                .orElseThrow(
                    () ->
                        new CommandLine.ParameterException(
                            new CommandLine(this),
                            "unknown exercise '" + name + "'; run 'list' to see them")));
      }
      Device dev = Device.of(device);
      if (!dev.equals(Device.CPU)) {
        try {
          Backends.backend(dev); // fails here, with the provider's reason, rather than mid-run
        } catch (IllegalArgumentException ex) {
          System.err.println("--device " + device + ": " + ex.getMessage());
          return 2;
        }
      }
      // Which kernels run (and why slow, if the Vector API flag is missing) belongs at the top of
      // every log.
      System.out.print(Backends.describe());
      List<String[]> done = new ArrayList<>();
      int failures = 0;
      for (Exercise e : todo) {
        long t0 = System.nanoTime();
        try {
          runOne(e, quick, seed, out, dev);
          double s = (System.nanoTime() - t0) / 1e9;
          System.out.printf(
              "[%s] done in %.1f s -> %s%n",
              e.name(), s, out.resolve(e.name()).resolve("report.html"));
          done.add(new String[] {e.name(), e.title(), String.format("%.1f s", s), "ok"});
        } catch (Exception ex) {
          failures++;
          System.err.printf("[%s] FAILED: %s%n", e.name(), ex);
          ex.printStackTrace();
          done.add(new String[] {e.name(), e.title(), "-", "failed: " + ex.getMessage()});
        }
      }
      if (name.equals("all")) {
        Index.write(
            out,
            "jgrad runs",
            "jgrad exercise runs",
            "Mode: "
                + (quick ? "quick" : "full")
                + ", seed "
                + seed
                + ", "
                + Provenance.commit()
                + ". Generated "
                + java.time.Instant.now()
                + ".",
            done);
      }
      return failures == 0 ? 0 : 1;
    }
  }

  /** Runs one exercise into {@code out/NAME} on the CPU. Public for the smoke test. */
  public static RunContext runOne(Exercise e, boolean quick, long seed, Path out) throws Exception {
    return runOne(e, quick, seed, out, Device.CPU);
  }

  /**
   * Runs one exercise into {@code out/NAME}, training on {@code device}.
   *
   * @throws IllegalArgumentException when the device is not the CPU and the exercise does not
   *     support another one
   */
  public static RunContext runOne(Exercise e, boolean quick, long seed, Path out, Device device)
      throws Exception {
    if (!device.equals(Device.CPU) && !e.supportsDevice()) {
      throw new IllegalArgumentException(
          e.name()
              + " runs on the CPU only; --device "
              + device
              + " is supported by: "
              + String.join(
                  ", ",
                  Exercises.all().stream()
                      .filter(Exercise::supportsDevice)
                      .map(Exercise::name)
                      .toList()));
    }
    Path dir = out.resolve(e.name());
    Files.createDirectories(dir);
    RunContext ctx = new RunContext(e.name(), quick, seed, dir, System.out, device);
    ctx.report()
        .title(e.title())
        .paragraph(
            "Run: `"
                + e.name()
                + "`, mode "
                + (quick ? "quick" : "full")
                + ", seed "
                + seed
                + ", device "
                + device
                + ", jgrad "
                + Provenance.commit()
                + " on Java "
                + System.getProperty("java.version")
                + ".");
    e.run(ctx);
    ctx.finish();
    return ctx;
  }

  /**
   * The index page of a runs folder: one row per exercise linking its report.html, then its
   * figures.
   */
  static final class Index {
    private Index() {}

    /** Rows are {name, title, time, status}; time may be "" when unknown. */
    static void write(Path out, String pageTitle, String heading, String intro, List<String[]> rows)
        throws IOException {
      StringBuilder html =
          new StringBuilder(
                  "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
              .append(esc(pageTitle))
              .append(
                  "</title>"
                      + "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
                      + "td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}"
                      + "img{max-width:260px;margin:4px;border:1px solid #ccc}</style></head><body><h1>")
              .append(esc(heading))
              .append("</h1>");
      boolean times = rows.stream().anyMatch(r -> !r[2].isEmpty());
      html.append("<p>")
          .append(esc(intro))
          .append("</p><table><tr><th>exercise</th><th>title</th>")
          .append(times ? "<th>time</th>" : "")
          .append("<th>status</th><th>files</th></tr>");
      for (String[] r : rows) {
        boolean has = Files.isRegularFile(out.resolve(r[0]).resolve("report.html"));
        html.append("<tr><td>")
            .append(has ? "<a href=\"" + r[0] + "/report.html\">" + r[0] + "</a>" : r[0])
            .append("</td><td>")
            .append(esc(r[1]))
            .append("</td><td>")
            .append(times ? r[2] + "</td><td>" : "")
            .append(esc(r[3]))
            .append("</td><td>")
            .append(
                has
                    ? "<a href=\""
                        + r[0]
                        + "/report.md\">report.md</a> &middot; <a href=\""
                        + r[0]
                        + "/metrics.json\">metrics.json</a>"
                    : "")
            .append("</td></tr>");
      }
      html.append("</table>");
      for (String[] r : rows) {
        Path dir = out.resolve(r[0]);
        if (!Files.isRegularFile(dir.resolve("report.html"))) continue;
        html.append("<h2 id=\"")
            .append(r[0])
            .append("\"><a href=\"")
            .append(r[0])
            .append("/report.html\">")
            .append(r[0])
            .append("</a></h2><p>")
            .append(esc(r[1]))
            .append("</p>");
        try (var files = Files.list(dir)) {
          for (Path p : files.filter(f -> f.toString().endsWith(".png")).sorted().toList()) {
            String rel = r[0] + "/" + p.getFileName();
            html.append("<a href=\"")
                .append(rel)
                .append("\"><img src=\"")
                .append(rel)
                .append("\" alt=\"")
                .append(p.getFileName())
                .append("\"></a>");
          }
        }
      }
      html.append("</body></html>\n");
      Files.writeString(out.resolve("index.html"), html.toString());
    }

    static String esc(String s) {
      return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
  }
}
