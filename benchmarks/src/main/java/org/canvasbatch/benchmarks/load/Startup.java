package org.canvasbatch.benchmarks.load;

import static org.canvasbatch.benchmarks.load.Figure.f;
import static org.canvasbatch.benchmarks.load.Figure.ms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Figure 4: from spawning {@code serve} to the first answer of {@code GET /canvas/intelligent-parallel}, polled every
 * 5 ms; the median of several starts, for the plain jar, the jar with the launcher's AppCDS archive, and the launcher
 * script itself.
 */
record Startup(int starts, List<Variant> variants) implements Figure {

    static final double TARGET_MILLIS = 1000;

    /**
     * @param warmUpMillis the unmeasured first start (it writes the AppCDS archive, or lets the launcher build), or -1
     * @param note         what the warm-up did
     */
    record Variant(String name, List<Double> millis, double warmUpMillis, String note) {
        double median() {
            List<Double> sorted = millis.stream().sorted().toList();
            int n = sorted.size();
            return n == 0
                    ? Double.NaN
                    : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
    }

    static Startup measure(Bench bench, int starts) throws Exception {
        Path work = bench.folder("startup");
        List<Variant> variants = new ArrayList<>();
        variants.add(variant(
                bench,
                "`java -jar canvas-batch.jar serve` (JDK's default CDS only)",
                new ServerProcess.Launch.PlainJar(),
                starts,
                false,
                ""));
        Path archive = work.resolve("canvas-batch.jsa");
        Files.deleteIfExists(archive);
        variants.add(variant(
                bench,
                "the same with the launcher's AppCDS flags (`-XX:+AutoCreateSharedArchive`)",
                new ServerProcess.Launch.JarWithAppCds(archive),
                starts,
                true,
                "the first start wrote the archive at exit"));
        variants.add(variant(
                bench,
                "`./canvas-batch serve` (launcher script: JDK lookup, build check, AppCDS)",
                new ServerProcess.Launch.Launcher(),
                starts,
                true,
                "the first start let the launcher build if sources changed and write its archive"));
        return new Startup(starts, variants);
    }

    private static Variant variant(
            Bench bench, String name, ServerProcess.Launch launch, int starts, boolean warmUp, String note)
            throws Exception {
        bench.say("startup: %s, %d starts%s", name, starts, warmUp ? " after one warm-up" : "");
        double warmUpMillis = -1;
        if (warmUp) {
            // the launcher may build the project first: minutes, not seconds, on a busy machine
            warmUpMillis = once(bench, launch, "startup-warm-up", Duration.ofMinutes(10));
        }
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < starts; i++) {
            millis.add(once(bench, launch, "startup-" + i, Duration.ofMinutes(1)));
        }
        return new Variant(name, millis, warmUpMillis, note);
    }

    private static double once(Bench bench, ServerProcess.Launch launch, String name, Duration patience)
            throws Exception {
        String id = "startup/" + name + "-" + System.nanoTime();
        ServerProcess server = bench.spawn(
                id,
                launch,
                new ServerProcess.Options(
                        bench.folder(id + "/vault"),
                        bench.data(id),
                        12,
                        bench.model().baseUrl()));
        try {
            return server.awaitFirstAnswer(patience) / 1e6;
        } finally {
            server.stop(Duration.ofSeconds(20));
        }
    }

    @Override
    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Variant variant : variants) {
            rows.add(new Row(
                    "Startup to first answer: " + variant.name(),
                    f("median %s of %d", ms(variant.median()), variant.millis().size()),
                    "< 1 s",
                    Verdict.of(variant.median() < TARGET_MILLIS)));
        }
        return rows;
    }

    @Override
    public String details() {
        StringBuilder text = new StringBuilder(f("""
                **Startup.** From `ProcessBuilder.start()` of the server to the first HTTP answer of \
                `GET /canvas/intelligent-parallel` (polled every 5 ms on a fresh TCP connection); %d starts each, \
                each with a fresh vault and journal directory, stopped with SIGTERM before the next.

                | how it was started | median | all starts | unmeasured first start |
                | --- | ---: | --- | --- |
                """, starts));
        for (Variant variant : variants) {
            text.append(f(
                    "| %s | %s | %s | %s |%n",
                    variant.name(),
                    ms(variant.median()),
                    variant.millis().stream().map(Figure::ms).collect(Collectors.joining(", ")),
                    variant.warmUpMillis() < 0 ? "—" : ms(variant.warmUpMillis()) + ": " + variant.note()));
        }
        return text.toString();
    }
}
