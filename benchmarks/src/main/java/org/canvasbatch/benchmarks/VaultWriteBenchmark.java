package org.canvasbatch.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.canvasbatch.adapters.vault.FileVault;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.fixtures.FixtureVault;

/**
 * The disk work of one batch on the 170-question fixture canvas, with an agent that answers instantly: read the
 * canvas, then from 12 threads (the default concurrency) resolve each node's content, write its note and link it,
 * then flush the write-back. Each round runs on a fresh copy of the fixture vault; a one-shot measurement of files on
 * a real disk, so a plain main rather than JMH.
 *
 * <p>Usage: {@code java -cp ... org.canvasbatch.benchmarks.VaultWriteBenchmark [rounds]}.
 */
public final class VaultWriteBenchmark {

    private static final String CANVAS = FixtureVault.EXAM_170;
    private static final String ANSWER =
            ("## 解释\n\n这是一段即时生成的讲解，长度与真实的笔记相近。\n\n" + "- 要点一：定义与直觉\n- 要点二：例子\n- 要点三：常见误区\n\n").repeat(12);

    private VaultWriteBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int warmup = 5;
        List<Double> millis = new ArrayList<>();
        for (int round = 0; round < warmup + rounds; round++) {
            Path vault = Files.createTempDirectory("vault-bench");
            try {
                FixtureVault.copyTo(vault);
                long nanos = oneBatch(vault);
                if (round >= warmup) {
                    millis.add(nanos / 1e6);
                }
            } finally {
                delete(vault);
            }
        }
        millis.sort(Comparator.naturalOrder());
        System.out.printf(
                Locale.ROOT,
                "170 notes + canvas write-back, %d rounds: median %.1f ms, min %.1f ms, max %.1f ms%n",
                rounds,
                millis.get(millis.size() / 2),
                millis.getFirst(),
                millis.getLast());
    }

    private static long oneBatch(Path root) throws Exception {
        long start = System.nanoTime();
        FileVault vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());
        Canvas canvas = vault.readCanvas(CANVAS);
        List<CanvasNode> questions = canvas.nodes().stream()
                .filter(n -> !n.hasColor(Canvas.UNDERSTANDING_COLOR))
                .toList();
        if (questions.size() != 170) {
            throw new IllegalStateException("expected 170 questions, found " + questions.size());
        }
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService agents = Executors.newFixedThreadPool(12)) {
            for (CanvasNode question : questions) {
                done.add(agents.submit(() -> {
                    String prompt = vault.contentOf(CANVAS, question);
                    vault.writeNote(new NoteDraft(
                            CANVAS,
                            question.id(),
                            question.displayText(),
                            AgentId.ORAL_EXPLANATION,
                            "> " + prompt + "\n\n" + ANSWER,
                            "instant",
                            Instant.now()));
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        }
        vault.close();
        long elapsed = System.nanoTime() - start;
        // a file node and a label node per note
        if (vault.readCanvas(CANVAS).nodes().size() != 174 + 2 * 170) {
            throw new IllegalStateException("the write-back did not link every note");
        }
        return elapsed;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
