package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code canvas-batch run} with the offline agent on a copy of the example vault, which holds the learner's own lecture
 * notes beside the canvases: each note quotes what the learner already wrote, and never a note canvas-batch wrote.
 */
class VaultPassagesEndToEndTest {

    @TempDir
    Path temp;

    private int run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("run"));
        all.addAll(List.of(args));
        return Main.run(
                all,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private static String noteStartingWith(Path folder, String start) throws IOException {
        try (Stream<Path> notes = Files.list(folder)) {
            Path note = notes.filter(p -> p.getFileName().toString().startsWith(start))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no note '" + start + " …' in " + folder));
            return Files.readString(note);
        }
    }

    @Test
    void anOfflineNoteQuotesTheLearnersLectureNotesWithALinkToTheHeading() throws IOException {
        Path vault = Fixtures.copy(Fixtures.exampleVault(), temp.resolve("vault"));

        assertThat(run("Biology/Cell Biology.canvas", "--vault", vault.toString(), "--data", "memory", "--plain"))
                .isZero();

        String note = noteStartingWith(
                vault.resolve("Biology/Cell Biology-notes"), "How to understand the role of ribosomes");
        assertThat(note)
                .contains("## In your vault")
                .contains("ribosomes bound to the rough ER make proteins for membranes and for export.")
                .contains("[[Biology/Cell lecture notes#Ribosomes|Cell lecture notes › Ribosomes]]");
    }

    @Test
    void aSecondRunQuotesTheLearnersNotesAgainAndNeverTheNotesTheFirstRunWrote() throws IOException {
        Path vault = Fixtures.copy(Fixtures.exampleVault(), temp.resolve("vault"));
        String canvas = "数学/线性代数.canvas";
        assertThat(run(canvas, "--vault", vault.toString(), "--data", "memory", "--plain"))
                .isZero();

        assertThat(run(canvas, "--vault", vault.toString(), "--data", "memory", "--plain"))
                .isZero();

        Path notes = vault.resolve("数学/线性代数-notes");
        String rank = noteStartingWith(notes, "什么是秩");
        assertThat(rank)
                .contains("## 在你的笔记库中")
                .contains("> 矩阵的秩等于行阶梯形里非零行的个数")
                .contains("[[数学/线性代数笔记#矩阵的秩|线性代数笔记 › 矩阵的秩]]");
        try (Stream<Path> written = Files.list(notes)) {
            for (Path note : (Iterable<Path>) written::iterator) {
                assertThat(Files.readString(note))
                        .as(note.getFileName().toString())
                        .doesNotContain("[[数学/线性代数-notes/");
            }
        }
        String eigen = noteStartingWith(notes, "什么是特征值和特征向量");
        String yellow = "我的理解：特征向量在变换后方向不变，只被拉伸。";
        assertThat(eigen.indexOf(yellow))
                .as("the yellow node joined to the question is shown once, as the learner's understanding")
                .isEqualTo(eigen.lastIndexOf(yellow))
                .isLessThan(eigen.indexOf("## 在你的笔记库中"));
    }
}
