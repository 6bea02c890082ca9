package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.canvasbatch.application.batch.NoteProducer.GroupQuestion;
import org.canvasbatch.application.batch.NoteProducer.NodeJob;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRequest.RelatedQuestion;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultPassage;
import org.canvasbatch.application.port.out.VaultPassages;
import org.canvasbatch.application.port.out.VaultPassages.PassageQuery;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.routing.AgentRouter;
import org.canvasbatch.domain.routing.Category;
import org.junit.jupiter.api.Test;

class NoteProducerTest {

    private static final String CANVAS = "数学/离散数学.canvas";

    private final List<AgentRequest> requests = new ArrayList<>();
    private final AgentRunner agent = new AgentRunner() {
        @Override
        public AgentAnswer run(AgentRequest request) {
            requests.add(request);
            return new AgentAnswer("# " + request.nodeText(), model());
        }

        @Override
        public String model() {
            return "recording";
        }
    };
    private final List<PassageQuery> passageQueries = new ArrayList<>();
    private List<VaultPassage> passagesFound = List.of();
    private final VaultPassages passages = query -> {
        passageQueries.add(query);
        return passagesFound;
    };
    private final NoteProducer producer =
            new NoteProducer(agent, new NoCanvasVault(), passages, () -> Instant.parse("2026-11-26T12:00:00Z"));

    @Test
    void eachRelatedQuestionTravelsWithTheAgentOfItsOwnNoteAndTheNodeItselfIsLeftOut() throws Exception {
        List<GroupQuestion> group = List.of(
                new GroupQuestion("q1", "逆否命题和否命题的区别是什么", AgentId.COMPARISON_TABLE),
                new GroupQuestion("q2", "什么是逆否命题", AgentId.ORAL_EXPLANATION),
                new GroupQuestion("q3", "怎么记住逆否命题", AgentId.MEMORY_ANCHOR));

        producer.produce(
                new NodeJob(CANVAS, "q1", "逆否命题和否命题的区别是什么", AgentId.COMPARISON_TABLE, null, group), () -> true);

        assertThat(requests)
                .singleElement()
                .satisfies(request -> assertThat(request.context().relatedQuestions())
                        .containsExactly(
                                new RelatedQuestion("什么是逆否命题", AgentId.ORAL_EXPLANATION),
                                new RelatedQuestion("怎么记住逆否命题", AgentId.MEMORY_ANCHOR)));
    }

    @Test
    void eachRelatedQuestionCarriesTheNameTheVaultGivesItsNote() throws Exception {
        NoteProducer naming = new NoteProducer(
                agent,
                new NoCanvasVault() {
                    @Override
                    public String noteNameFor(String canvasPath, String nodeId, String nodeText, AgentId agent) {
                        return nodeText + " ~" + nodeId + " (" + agent.wireName() + ")";
                    }
                },
                passages,
                () -> Instant.parse("2026-11-26T12:00:00Z"));

        naming.produce(
                new NodeJob(
                        CANVAS,
                        "q1",
                        "逆否命题和否命题的区别是什么",
                        AgentId.COMPARISON_TABLE,
                        null,
                        List.of(new GroupQuestion("q2", "什么是逆否命题", AgentId.MEMORY_ANCHOR))),
                () -> true);

        assertThat(requests.getFirst().context().relatedQuestions())
                .containsExactly(new RelatedQuestion("什么是逆否命题", AgentId.MEMORY_ANCHOR, "什么是逆否命题 ~q2 (memory-anchor)"));
    }

    @Test
    void aLargeGroupGivesATwelveQuestionContext() throws Exception {
        List<GroupQuestion> group = IntStream.rangeClosed(1, 40)
                .mapToObj(i -> new GroupQuestion("q" + i, "question " + i, AgentId.EXAMPLE_TEACHING))
                .toList();

        producer.produce(new NodeJob(CANVAS, "q1", "question 1", AgentId.EXAMPLE_TEACHING, null, group), () -> true);

        assertThat(requests.getFirst().context().relatedQuestions())
                .hasSize(12)
                .first()
                .isEqualTo(new RelatedQuestion("question 2", AgentId.EXAMPLE_TEACHING));
    }

    @Test
    void theAgentIsToldHowTheCoreRoutedTheQuestionEvenWhenAnotherAgentWritesTheNote() throws Exception {
        producer.produce(
                new NodeJob(CANVAS, "q1", "逆否命题和否命题的区别是什么", AgentId.CANVAS_ORCHESTRATOR, null, List.of()), () -> true);
        producer.produce(new NodeJob(CANVAS, "q2", "Heaps", AgentId.CANVAS_ORCHESTRATOR, null, List.of()), () -> true);

        assertThat(requests).extracting(AgentRequest::agent).containsOnly(AgentId.CANVAS_ORCHESTRATOR);
        assertThat(requests.get(0).routing().category()).isEqualTo(Category.COMPARISON);
        assertThat(requests.get(0).routing().agent()).isEqualTo(AgentId.COMPARISON_TABLE);
        assertThat(requests.get(1).routing()).isEqualTo(new AgentRouter().route("Heaps"));
        assertThat(requests.get(1).routing())
                .as("an unrouted request reads as a question without a cue, with no confidence at all")
                .usingRecursiveComparison()
                .ignoringFields("confidence")
                .isEqualTo(AgentRequest.UNROUTED);
        assertThat(AgentRequest.UNROUTED.confidence()).isZero();
    }

    @Test
    void theAgentGetsWhatTheLearnerWroteAboutTheQuestionElsewhereInTheVault() throws Exception {
        VaultPassage passage = new VaultPassage("数学/命题逻辑.md", "逆否命题", "原命题与它的逆否命题同真同假。", VaultPassage.Origin.NOTE);
        passagesFound = List.of(passage);

        producer.produce(new NodeJob(CANVAS, "q1", "什么是逆否命题", AgentId.ORAL_EXPLANATION, null, List.of()), () -> true);

        assertThat(passageQueries)
                .singleElement()
                .isEqualTo(new PassageQuery("什么是逆否命题", "", CANVAS, "q1", List.of(), NoteProducer.MAX_VAULT_PASSAGES));
        assertThat(requests.getFirst().context().vaultPassages()).containsExactly(passage);
    }

    @Test
    void aVaultThatCannotBeSearchedCostsTheNoteItsPassagesNotTheNote() throws Exception {
        NoteProducer failingLookUp = new NoteProducer(
                agent,
                new NoCanvasVault(),
                query -> {
                    throw new IllegalStateException("index broken");
                },
                () -> Instant.parse("2026-11-26T12:00:00Z"));

        var produced = failingLookUp.produce(
                new NodeJob(CANVAS, "q1", "什么是逆否命题", AgentId.ORAL_EXPLANATION, null, List.of()), () -> true);

        assertThat(produced.note().path()).isEqualTo("q1.md");
        assertThat(requests.getFirst().context().vaultPassages()).isEmpty();
    }

    @Test
    void aVaultLookUpThatNeverAnswersCostsTheNoteItsPassagesNotTheNote() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        NoteProducer stuckLookUp = new NoteProducer(
                agent,
                new NoCanvasVault(),
                query -> {
                    awaitIgnoringInterrupts(never);
                    return List.of();
                },
                () -> Instant.parse("2026-11-26T12:00:00Z"),
                Duration.ofMillis(200));
        try {
            var produced = assertTimeoutPreemptively(
                    Duration.ofSeconds(30),
                    () -> stuckLookUp.produce(
                            new NodeJob(CANVAS, "q1", "什么是逆否命题", AgentId.ORAL_EXPLANATION, null, List.of()),
                            () -> true),
                    "a hang guard only");

            assertThat(produced.note().path()).isEqualTo("q1.md");
            assertThat(requests.getFirst().context().vaultPassages()).isEmpty();
        } finally {
            never.countDown();
        }
    }

    @Test
    void aNodeWhoseTaskIsInterruptedStopsWaitingForThePassagesAtOnce() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        NoteProducer stuckLookUp = new NoteProducer(
                agent,
                new NoCanvasVault(),
                query -> {
                    awaitIgnoringInterrupts(never);
                    return List.of();
                },
                () -> Instant.parse("2026-11-26T12:00:00Z"),
                Duration.ofHours(1));
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread task = Thread.ofVirtual().start(() -> {
            try {
                stuckLookUp.produce(
                        new NodeJob(CANVAS, "q1", "什么是逆否命题", AgentId.ORAL_EXPLANATION, null, List.of()), () -> true);
                ended.complete(null);
            } catch (Exception e) {
                ended.complete(e);
            }
        });
        try {
            // the node's timeout interrupts its task
            task.interrupt();

            assertThat(ended.get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        } finally {
            never.countDown();
        }
    }

    @Test
    void aNodeGatheredAheadGoesToTheAgentWithWhatWasGatheredWithoutAskingTheVaultAgain() throws Exception {
        List<PassageQuery> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        VaultPassage written = new VaultPassage("笔记/逆否命题.md", "定义", "定义", "原命题与逆否命题同真同假", VaultPassage.Origin.NOTE);
        VaultPassages vault = query -> {
            asked.add(query);
            return asked.size() == 1 ? List.of(written) : List.of();
        };
        NoteProducer ahead =
                new NoteProducer(agent, new NoCanvasVault(), vault, () -> Instant.parse("2026-11-26T12:00:00Z"));
        NodeJob next = new NodeJob(CANVAS, "q2", "什么是逆否命题", AgentId.ORAL_EXPLANATION, null, List.of());
        ahead.canvas(CANVAS); // a running batch has read its canvas

        ahead.gatherAhead(List.of(next));
        awaitSize(asked, 1);
        ahead.produce(next, () -> true);

        assertThat(asked)
                .as("the vault asked while the calls before the node ran, not when it started")
                .hasSize(1);
        assertThat(requests.getFirst().context().vaultPassages()).containsExactly(written);
    }

    @Test
    void aNodeThatStartsLongAfterItWasGatheredIsAskedAboutTheVaultAsItIsNow() throws Exception {
        List<PassageQuery> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        VaultPassage before = new VaultPassage("笔记/逆否命题.md", "定义", "定义", "逆否命题与原命题无关", VaultPassage.Origin.NOTE);
        VaultPassage corrected = new VaultPassage("笔记/逆否命题.md", "定义", "定义", "原命题与逆否命题同真同假", VaultPassage.Origin.NOTE);
        VaultPassages vault = query -> {
            asked.add(query);
            return List.of(asked.size() == 1 ? before : corrected);
        };
        java.util.concurrent.atomic.AtomicReference<Instant> now =
                new java.util.concurrent.atomic.AtomicReference<>(Instant.parse("2026-11-26T12:00:00Z"));
        NoteProducer ahead = new NoteProducer(agent, new NoCanvasVault(), vault, now::get);
        NodeJob next = new NodeJob(CANVAS, "q2", "什么是逆否命题", AgentId.ORAL_EXPLANATION, null, List.of());
        ahead.canvas(CANVAS);

        ahead.gatherAhead(List.of(next));
        awaitSize(asked, 1);
        // a slow model: the call before this node ran for half a minute, and the learner corrected the note meanwhile
        now.set(now.get().plusSeconds(30));
        ahead.produce(next, () -> true);

        assertThat(asked).as("asked again when the node started").hasSize(2);
        assertThat(requests.getFirst().context().vaultPassages()).containsExactly(corrected);
    }

    @Test
    void aNodeWhoseTextChangedSinceItWasGatheredIsAskedAboutWithItsNewText() throws Exception {
        List<PassageQuery> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        NoteProducer ahead = new NoteProducer(
                agent,
                new NoCanvasVault(),
                query -> {
                    asked.add(query);
                    return List.of();
                },
                () -> Instant.parse("2026-11-26T12:00:00Z"));
        ahead.canvas(CANVAS);

        ahead.gatherAhead(List.of(new NodeJob(CANVAS, "q2", "什么是逆否命题", AgentId.ORAL_EXPLANATION, null, List.of())));
        awaitSize(asked, 1);
        ahead.produce(new NodeJob(CANVAS, "q2", "什么是否命题", AgentId.ORAL_EXPLANATION, null, List.of()), () -> true);

        assertThat(requests.getFirst().nodeText()).isEqualTo("什么是否命题");
        assertThat(asked).extracting(PassageQuery::question).containsExactly("什么是逆否命题", "什么是否命题");
    }

    @Test
    void whatWasGatheredForARunThatEndedIsNotUsedByTheNextRun() throws Exception {
        List<PassageQuery> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        NoteProducer ahead = new NoteProducer(
                agent,
                new NoCanvasVault(),
                query -> {
                    asked.add(query);
                    return List.of();
                },
                () -> Instant.parse("2026-11-26T12:00:00Z"));
        NodeJob node = new NodeJob(CANVAS, "q2", "什么是逆否命题", AgentId.ORAL_EXPLANATION, null, List.of());
        ahead.canvas(CANVAS);
        ahead.gatherAhead(List.of(node));
        awaitSize(asked, 1);

        ahead.forgetCanvas(CANVAS);
        ahead.produce(node, () -> true);

        assertThat(asked).as("the next run looks at the vault as it is then").hasSize(2);
    }

    @Test
    void aRoundOfOneGroupsNodesAsksTheVaultForEachRelatedNotesNameOnce() throws Exception {
        List<String> named = new java.util.concurrent.CopyOnWriteArrayList<>();
        NoteProducer ahead = new NoteProducer(
                agent,
                new NoCanvasVault() {
                    @Override
                    public String noteNameFor(String canvasPath, String nodeId, String nodeText, AgentId agent) {
                        named.add(nodeId);
                        return nodeText + " (" + agent.wireName() + ")";
                    }
                },
                passages,
                () -> Instant.parse("2026-11-26T12:00:00Z"));
        List<GroupQuestion> group = List.of(
                new GroupQuestion("q1", "什么是逆否命题", AgentId.ORAL_EXPLANATION),
                new GroupQuestion("q2", "什么是否命题", AgentId.ORAL_EXPLANATION),
                new GroupQuestion("q3", "什么是逆命题", AgentId.ORAL_EXPLANATION));
        List<NodeJob> round = group.stream()
                .map(q -> new NodeJob(CANVAS, q.nodeId(), q.text(), q.agent(), null, group))
                .toList();
        ahead.canvas(CANVAS);

        ahead.gatherAhead(round);
        for (NodeJob job : round) {
            ahead.produce(job, () -> true);
        }

        assertThat(named)
                .as("one look-up per note, not one per note and node")
                .containsExactlyInAnyOrder("q1", "q2", "q3");
        assertThat(requests)
                .filteredOn(request -> request.nodeId().equals("q1"))
                .singleElement()
                .satisfies(request -> assertThat(request.context().relatedQuestions())
                        .extracting(RelatedQuestion::noteName)
                        .containsExactly("什么是否命题 (oral-explanation)", "什么是逆命题 (oral-explanation)"));
    }

    private static void awaitSize(List<?> list, int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (list.size() < size && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertThat(list).hasSize(size);
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        while (latch.getCount() > 0) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                // a look-up that ignores being cancelled: the note must not depend on it
            }
        }
    }

    /** A vault without the canvas: the node is answered from its text alone. */
    private static class NoCanvasVault implements Vault {
        @Override
        public Canvas readCanvas(String canvasPath) {
            throw new AssertionError("no canvas to read");
        }

        @Override
        public boolean canvasExists(String canvasPath) {
            return false;
        }

        @Override
        public String contentOf(String canvasPath, CanvasNode node) {
            throw new AssertionError("no canvas, so no node content");
        }

        @Override
        public WrittenNote writeNote(NoteDraft draft) {
            return new WrittenNote(draft.nodeId() + ".md", draft.markdown().length());
        }
    }
}
