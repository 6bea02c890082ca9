package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.canvasbatch.application.port.in.BatchLimits;
import org.canvasbatch.application.port.out.VaultPassage;
import org.canvasbatch.application.port.out.VaultPassage.Origin;
import org.canvasbatch.application.port.out.VaultPassages.PassageQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index on a real vault folder: what a question finds, what it must never find, and what it sees change. */
class VaultPassageIndexTest {

    private static final String ORGANELLES = """
            # Organelles

            ## 线粒体
            线粒体是细胞进行有氧呼吸的主要场所，被称为细胞的动力工厂。

            ## 核糖体
            核糖体是合成蛋白质的场所，由 rRNA 和蛋白质组成。
            """;

    @TempDir
    Path root;

    @TempDir
    Path outside;

    private VaultPassageIndex index() {
        return new VaultPassageIndex(root, VaultOptions.DEFAULT_MAX_CANVAS_BYTES, Duration.ZERO, System::nanoTime);
    }

    private static PassageQuery question(String text) {
        return new PassageQuery(text, "", "", "", List.of(), 4);
    }

    private Path write(String vaultPath, String text) throws IOException {
        Path file = root.resolve(vaultPath);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    @Test
    void theParagraphThatNamesTheQuestionsTermIsQuotedWithItsNoteAndHeading() throws Exception {
        write("Biology/Organelles.md", ORGANELLES);
        write("数学/矩阵.md", "# 矩阵\n矩阵的秩等于它的行阶梯形中非零行的个数。\n");

        List<VaultPassage> found = index().about(question("什么是线粒体"));

        assertThat(found)
                .containsExactly(
                        new VaultPassage("Biology/Organelles.md", "线粒体", "线粒体是细胞进行有氧呼吸的主要场所，被称为细胞的动力工厂。", Origin.NOTE));
    }

    @Test
    void englishWordsAreFoundWhateverTheirForm() throws Exception {
        write("notes/Cell energy.md", "# Cell energy\n\nA cell stores energy in ATP, not in glucose directly.\n");
        write("notes/History.md", "# Revolutions\n\nThe French Revolution began in 1789.\n");

        List<VaultPassage> found = index().about(question("Why do cells store energy as ATP rather than glucose?"));

        assertThat(found)
                .extracting(VaultPassage::path, VaultPassage::excerpt)
                .containsExactly(
                        tuple("notes/Cell energy.md", "A cell stores energy in ATP, not in glucose directly."));
    }

    @Test
    void aPassageThatSharesOnlyACommonWordOfTheQuestionIsNotQuoted() throws Exception {
        write("Biology/Division.md", "Cells divide by mitosis.\n\nA cell spends most of its life in interphase.\n");
        write("Biology/Membranes.md", "The cell membrane is a phospholipid bilayer.\n");
        write("Biology/Energy.md", "Cells store energy as ATP.\n");
        VaultPassageIndex index = index();

        assertThat(index.about(question("What are stem cells?")))
                .as("no note says 'stem'")
                .isEmpty();

        write("Biology/Stem cells.md", "Stem cells can become any type of cell.\n");
        assertThat(index.about(question("What are stem cells?")))
                .extracting(VaultPassage::path)
                .containsExactly("Biology/Stem cells.md");
    }

    @Test
    void theBestPassagesComeFirstAtMostTwoFromOneNoteAndNoMoreThanAsked() throws Exception {
        write(
                "a.md",
                "Hash collision: chaining.\n\nHash collision: probing.\n\nHash collision: open addressing, linear probing.\n");
        String longer =
                "In any table, a hash collision happens when two different keys share one slot, and the table must"
                        + " then decide where the second key goes, which every design does in its own way.";
        write("c.md", longer + "\n");
        write(
                "b.md",
                "Once, a long paragraph about many things mentions a collision among other words, and then goes on"
                        + " about trees, heaps, queues, stacks, graphs and sorting for a long while.\n");

        List<VaultPassage> found =
                index().about(new PassageQuery("What is a hash collision?", "", "", "", List.of(), 3));

        assertThat(found)
                .extracting(VaultPassage::path, VaultPassage::excerpt)
                .containsExactly(
                        tuple("a.md", "Hash collision: chaining."),
                        tuple("a.md", "Hash collision: probing."),
                        tuple("c.md", longer));
    }

    @Test
    void withinOneSectionWhatTheNoteSaysFirstIsQuotedFirst() throws Exception {
        write("数学/线性代数笔记.md", """
                ## 矩阵的秩

                矩阵的秩等于行阶梯形里非零行的个数，也等于列向量组的极大线性无关组所含向量的个数。

                - 初等行变换不改变矩阵的秩。
                - n 阶方阵满秩 ⇔ 可逆 ⇔ 行列式不等于零。
                """);

        List<VaultPassage> found = index().about(question("什么是秩"));

        assertThat(found)
                .extracting(VaultPassage::excerpt)
                .containsExactly("矩阵的秩等于行阶梯形里非零行的个数，也等于列向量组的极大线性无关组所含向量的个数。", "初等行变换不改变矩阵的秩。");
    }

    @Test
    void notesCanvasBatchWroteAreNeverQuotedWhereverTheyAreButALearnersNoteInTheirFolderIs() throws Exception {
        String generated = "---\nsource_canvas: \"Biology/Cell Biology.canvas\"\nsource_node: \"q1\"\nagent: "
                + "\"oral-explanation\"\ngenerated_at: \"2026-11-26T12:00:00Z\"\nmodel: \"offline\"\n---\n\n"
                + "# 什么是线粒体\n\n线粒体线粒体线粒体：这是生成的笔记。\n";
        write("Biology/Cell Biology-notes/什么是线粒体 (oral-explanation).md", generated);
        write("Archive/moved by hand.md", generated);
        write("Biology/Cell Biology-notes/my own.md", "线粒体有两层膜。\n");

        VaultPassageIndex index = index();
        List<VaultPassage> found = index.about(question("什么是线粒体"));

        assertThat(found).extracting(VaultPassage::path).containsExactly("Biology/Cell Biology-notes/my own.md");
        assertThat(index.update().generatedNotes()).isEqualTo(2);
    }

    @Test
    void ofTheQuestionsOwnCanvasOnlyTheLearnersNoteNodesAreQuotedAndNothingTheNoteShowsAnyway() throws Exception {
        String label = CanvasMerge.labelNodeId("q1", "oral-explanation");
        write(
                "Biology/Cell.canvas",
                canvas(
                        node("q1", "1", "什么是线粒体"),
                        node("q2", "6", "线粒体和叶绿体有什么区别"),
                        node("n1", null, "线粒体有两层膜，内膜折叠成嵴。"),
                        node("u1", "3", "我理解线粒体是细胞的能量工厂"),
                        node(label, "5", "[oral-explanation] 生成于 线粒体 2026-11-26 20:00")));
        write("Biology/Other.canvas", canvas(node("u9", "3", "我以为线粒体只在动物细胞里"), node("q9", "1", "线粒体为什么有自己的 DNA")));

        List<VaultPassage> found = index().about(
                        new PassageQuery("什么是线粒体", "", "Biology/Cell.canvas", "q1", List.of("我理解线粒体是细胞的能量工厂"), 4));

        assertThat(found)
                .containsExactlyInAnyOrder(
                        new VaultPassage("Biology/Cell.canvas", "", "线粒体有两层膜，内膜折叠成嵴。", Origin.CANVAS_NOTE),
                        new VaultPassage("Biology/Other.canvas", "", "我以为线粒体只在动物细胞里", Origin.UNDERSTANDING));
    }

    @Test
    void theQuestionsAreTheNodesOfTheConfiguredColoursNotAlwaysRedAndPurple() throws Exception {
        write("Biology/Other.canvas", canvas(node("q9", "4", "线粒体为什么有自己的 DNA"), node("n9", "1", "线粒体有两层膜，内膜折叠成嵴。")));
        VaultPassageIndex greenQuestions = new VaultPassageIndex(root, VaultOptions.defaults(), Set.of("4"));

        List<VaultPassage> found = greenQuestions.about(question("什么是线粒体"));

        assertThat(found)
                .as("the green question is not quoted; the red node is a note of the learner's")
                .extracting(VaultPassage::excerpt)
                .containsExactly("线粒体有两层膜，内膜折叠成嵴。");
    }

    @Test
    void aCanvasTooLargeForABatchIsStillQuotedUpToTheSessionsNodeLimit() throws Exception {
        String[] nodes = new String[BatchLimits.MAX_NODES + 1];
        nodes[0] = node("n0", null, "线粒体有两层膜，内膜折叠成嵴。");
        for (int i = 1; i < nodes.length; i++) {
            nodes[i] = node("n" + i, null, "第 " + i + " 个节点讲叶绿体。");
        }
        nodes[nodes.length - 1] = node("past-the-limit", null, "线粒体是细胞的动力工厂。");
        write("Biology/Huge.canvas", canvas(nodes));

        assertThat(index().about(question("什么是线粒体")))
                .extracting(VaultPassage::excerpt)
                .containsExactly("线粒体有两层膜，内膜折叠成嵴。");
    }

    @Test
    void aFileNodesQuestionIsNotAnsweredWithTheNoteItShows() throws Exception {
        write("notes/Cell energy.md", "# Cell energy\n\nWhy ATP and not glucose? I keep confusing ATP and NADH.\n");
        write("notes/Enzymes.md", "Cells get their energy from ATP, and ATP synthase is an enzyme.\n");
        write(
                "Biology/Cell.canvas",
                "{\"nodes\":[{\"id\":\"f1\",\"type\":\"file\",\"file\":\"notes/Cell energy.md\",\"color\":\"6\","
                        + "\"x\":0,\"y\":0,\"width\":300,\"height\":100}],\"edges\":[]}");

        List<VaultPassage> found = index().about(new PassageQuery(
                "Cell energy",
                "# Cell energy\n\nWhy ATP and not glucose? I keep confusing ATP and NADH.",
                "Biology/Cell.canvas",
                "f1",
                List.of(),
                4));

        assertThat(found).extracting(VaultPassage::path).containsExactly("notes/Enzymes.md");
    }

    @Test
    void nothingOutsideTheVaultHiddenOrNotARegularUtf8FileWithinTheLimitIsEverRead() throws Exception {
        write("notes/mine.md", "线粒体 is where my note is.\n");
        Files.writeString(outside.resolve("secret.md"), "线粒体 secret outside the vault\n");
        Files.createDirectories(outside.resolve("dir"));
        Files.writeString(outside.resolve("dir/secret.md"), "线粒体 secret in a linked folder\n");
        Files.createSymbolicLink(root.resolve("notes/leak.md"), outside.resolve("secret.md"));
        Files.createSymbolicLink(root.resolve("linked"), outside.resolve("dir"));
        write(".obsidian/workspace.md", "线粒体 in the app's settings\n");
        write(".trash/old.md", "线粒体 in the trash\n");
        write("notes/.hidden.md", "线粒体 in a hidden file\n");
        Files.write(
                root.resolve("notes/latin1.md"),
                concat(
                        "线粒体 caf".getBytes(StandardCharsets.UTF_8),
                        "\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1)));
        Files.write(
                root.resolve("notes/bad.md"),
                concat("线粒体 then ".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC3, (byte) 0x28}));
        write("notes/huge.md", "线粒体。" + "填充".repeat((int) VaultPassageIndex.MAX_NOTE_BYTES / 6 + 1));
        mkfifo("notes/pipe.md");

        VaultPassageIndex index = index();
        // opening the pipe would block forever: the guard only keeps a regression from hanging the build
        List<VaultPassage> found =
                assertTimeoutPreemptively(Duration.ofSeconds(30), () -> index.about(question("什么是线粒体")));

        assertThat(found).extracting(VaultPassage::path).containsExactly("notes/mine.md");
        assertThat(index.update().refused())
                .as(
                        "the link to a note, the pipe, the huge note and the two that are not UTF-8 (a linked folder is no note)")
                .isEqualTo(5);
    }

    @Test
    void aVaultReachedThroughASymbolicLinkIsSearched() throws Exception {
        write("notes/mine.md", "线粒体有两层膜。\n");
        Path alias = outside.resolve("vault-alias");
        Files.createSymbolicLink(alias, root);

        List<VaultPassage> found = new VaultPassageIndex(
                        alias, VaultOptions.DEFAULT_MAX_CANVAS_BYTES, Duration.ZERO, System::nanoTime)
                .about(question("什么是线粒体"));

        assertThat(found).extracting(VaultPassage::path).containsExactly("notes/mine.md");
    }

    @Test
    void editsNewNotesAndDeletedNotesShowAtTheNextQuestion() throws Exception {
        Path note = write("notes/mine.md", "线粒体有两层膜。\n");
        VaultPassageIndex index = index();
        assertThat(index.about(question("什么是线粒体")))
                .extracting(VaultPassage::excerpt)
                .containsExactly("线粒体有两层膜。");

        Files.writeString(note, "线粒体的内膜向内折叠，形成嵴。\n");
        write("notes/new.md", "叶绿体和线粒体都有自己的 DNA。\n");
        assertThat(index.about(question("什么是线粒体")))
                .extracting(VaultPassage::excerpt)
                .containsExactlyInAnyOrder("线粒体的内膜向内折叠，形成嵴。", "叶绿体和线粒体都有自己的 DNA。");

        Files.delete(note);
        assertThat(index.about(question("什么是线粒体")))
                .extracting(VaultPassage::path)
                .containsExactly("notes/new.md");
    }

    @Test
    void theVaultIsLookedAtAgainOnlyOnceTheLastLookIsOlderThanTheFreshness() throws Exception {
        Path note = write("notes/mine.md", "线粒体有两层膜。\n");
        AtomicLong now = new AtomicLong(0);
        VaultPassageIndex index =
                new VaultPassageIndex(root, VaultOptions.DEFAULT_MAX_CANVAS_BYTES, Duration.ofSeconds(2), now::get);
        assertThat(index.about(question("什么是线粒体"))).hasSize(1);

        Files.writeString(note, "叶绿体进行光合作用，是另一个话题。\n");
        now.set(Duration.ofSeconds(1).toNanos());
        assertThat(index.about(question("什么是线粒体"))).as("within the freshness").hasSize(1);

        now.set(Duration.ofMillis(2001).toNanos());
        assertThat(index.about(question("什么是线粒体"))).as("past it").isEmpty();
    }

    @Test
    void manyQuestionsAtOnceWhileNotesChangeAreEachAnsweredFromAWholeIndex() throws Exception {
        write("notes/stable.md", "线粒体有两层膜。\n");
        Path changing = write("notes/changing.md", "叶绿体进行光合作用。\n");
        VaultPassageIndex index = index();
        List<List<VaultPassage>> answers = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            threads.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    Files.writeString(changing, "叶绿体进行光合作用。".repeat(1 + i % 3) + "\n");
                }
                return null;
            });
            for (int t = 0; t < 8; t++) {
                threads.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        answers.add(index.about(question("什么是线粒体")));
                    }
                });
            }
        }

        assertThat(answers)
                .hasSize(200)
                .allSatisfy(answer ->
                        assertThat(answer).extracting(VaultPassage::excerpt).containsExactly("线粒体有两层膜。"));
    }

    @Test
    void aLongParagraphIsQuotedShortAroundTheSearchedWord() throws Exception {
        String before = "这一段先讲了很多别的内容，比如细胞膜的流动镶嵌模型和物质运输的几种方式。".repeat(6);
        String after = "后面又讲到了内质网、高尔基体和溶酶体之间的分工与合作，以及分泌蛋白的合成过程。".repeat(6);
        write("notes/long.md", before + "线粒体是有氧呼吸的主要场所。" + after + "\n");

        String excerpt = index().about(question("什么是线粒体")).getFirst().excerpt();

        assertThat(excerpt)
                .contains("线粒体是有氧呼吸的主要场所。")
                .startsWith(Excerpt.ELLIPSIS)
                .endsWith(Excerpt.ELLIPSIS);
        assertThat(excerpt.length()).isLessThanOrEqualTo(Excerpt.MAX_CHARS + 2);
    }

    @Test
    void aQuestionAskedWhileTheIndexIsBuiltInTheBackgroundWaitsForIt() throws Exception {
        for (int i = 0; i < 200; i++) {
            write("notes/n" + i + ".md", "第 " + i + " 篇笔记讲叶绿体。\n");
        }
        write("notes/target.md", "线粒体有两层膜。\n");
        VaultPassageIndex index = new VaultPassageIndex(
                root,
                VaultOptions.DEFAULT_MAX_CANVAS_BYTES,
                Duration.ofHours(1),
                Duration.ofMinutes(1),
                System::nanoTime);

        index.buildInBackground();

        assertThat(index.about(question("什么是线粒体")))
                .extracting(VaultPassage::path)
                .containsExactly("notes/target.md");
    }

    @Test
    void hostileNotesCostTheirLengthAndTheOtherNotesAreStillQuoted() throws Exception {
        write("notes/brackets.md", "线粒体有两层膜。\n\n" + "[[".repeat(500_000) + "\n");
        write("notes/heading.md", "# 线粒体" + " ".repeat(1_000_000) + "x\n\n线粒体是有氧呼吸的主要场所。\n");
        write("notes/quotes.md", ">".repeat(1_000_000) + "\n\n> 线粒体是细胞的动力工厂。\n");
        VaultPassageIndex index = new VaultPassageIndex(
                root,
                VaultOptions.DEFAULT_MAX_CANVAS_BYTES,
                Duration.ofHours(1),
                Duration.ofMinutes(1),
                System::nanoTime);

        // a hang guard only: reading these notes took hours before, a second or so now
        VaultPassageIndex.Size size = assertTimeoutPreemptively(Duration.ofSeconds(30), index::update);

        assertThat(size.notes()).isEqualTo(3);
        assertThat(index.about(question("什么是线粒体")))
                .extracting(VaultPassage::path, VaultPassage::excerpt)
                .containsExactlyInAnyOrder(
                        tuple("notes/brackets.md", "线粒体有两层膜。"),
                        tuple("notes/heading.md", "线粒体是有氧呼吸的主要场所。"),
                        tuple("notes/quotes.md", "线粒体是细胞的动力工厂。"));
    }

    @Test
    void aQuestionWaitsForALookAtTheVaultOnlyWithinItsBudgetThenIsAnsweredFromTheIndexAsItIs() throws Exception {
        write("notes/mine.md", "线粒体有两层膜。\n");
        CountDownLatch lookMayGoOn = new CountDownLatch(1);
        VaultPassageIndex index = new VaultPassageIndex(
                root, VaultOptions.DEFAULT_MAX_CANVAS_BYTES, Duration.ZERO, Duration.ofMillis(200), () -> {
                    if (Thread.currentThread().getName().equals("vault-index")) {
                        // the look at the vault is stuck (a slow disk, a huge vault)
                        awaitUninterruptibly(lookMayGoOn);
                    }
                    return System.nanoTime();
                });

        List<VaultPassage> whileStuck = assertTimeoutPreemptively(
                Duration.ofSeconds(30), () -> index.about(question("什么是线粒体")), "a hang guard only");
        lookMayGoOn.countDown();

        assertThat(whileStuck)
                .as("nothing indexed yet, and the question did not wait for it")
                .isEmpty();
        List<VaultPassage> later = List.of();
        for (long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                later.isEmpty() && System.nanoTime() < deadline; ) {
            later = index.about(question("什么是线粒体"));
        }
        assertThat(later).extracting(VaultPassage::path).containsExactly("notes/mine.md");
    }

    @Test
    void aQuestionWhoseTaskIsInterruptedStopsWaitingForTheIndexAtOnce() throws Exception {
        write("notes/mine.md", "线粒体有两层膜。\n");
        CountDownLatch lookMayGoOn = new CountDownLatch(1);
        VaultPassageIndex index = new VaultPassageIndex(
                root, VaultOptions.DEFAULT_MAX_CANVAS_BYTES, Duration.ZERO, Duration.ofHours(1), () -> {
                    if (Thread.currentThread().getName().equals("vault-index")) {
                        awaitUninterruptibly(lookMayGoOn);
                    }
                    return System.nanoTime();
                });
        CompletableFuture<List<VaultPassage>> answer = new CompletableFuture<>();
        Thread asking = Thread.ofVirtual().start(() -> answer.complete(index.about(question("什么是线粒体"))));
        try {
            // the node's timeout interrupts its task
            asking.interrupt();

            assertThat(answer.get(30, TimeUnit.SECONDS)).isEmpty();
        } finally {
            lookMayGoOn.countDown();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (latch.getCount() > 0) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static String canvas(String... nodes) {
        return "{\"nodes\":[" + String.join(",", nodes) + "],\"edges\":[]}";
    }

    private static String node(String id, String color, String text) {
        return "{\"id\":\"" + id + "\",\"type\":\"text\",\"text\":\"" + text + "\""
                + (color == null ? "" : ",\"color\":\"" + color + "\"")
                + ",\"x\":0,\"y\":0,\"width\":250,\"height\":60}";
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private void mkfifo(String vaultPath) throws IOException, InterruptedException {
        Process mkfifo = new ProcessBuilder("mkfifo", root.resolve(vaultPath).toString())
                .redirectErrorStream(true)
                .start();
        assertThat(mkfifo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).as("mkfifo").isZero();
    }
}
