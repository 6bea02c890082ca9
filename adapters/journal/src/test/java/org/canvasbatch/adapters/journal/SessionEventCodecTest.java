package org.canvasbatch.adapters.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.canvasbatch.application.port.in.BatchLimits;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.PlannedTask;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.BatchFailed;
import org.canvasbatch.domain.session.SessionEvent.GroupPriorityChanged;
import org.canvasbatch.domain.session.SessionEvent.SessionCancelled;
import org.canvasbatch.domain.session.SessionEvent.SessionCreated;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.SessionPaused;
import org.canvasbatch.domain.session.SessionEvent.SessionResumed;
import org.canvasbatch.domain.session.SessionEvent.SessionStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskRequeued;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;
import org.junit.jupiter.api.Test;

class SessionEventCodecTest {

    private static final SessionId ID = new SessionId("batch-2025_03");
    private final SessionEventCodec codec = new SessionEventCodec();

    private SessionEvent roundTrip(SessionEvent event) throws UnreadableRecordException {
        return codec.decode(codec.encode(event));
    }

    @Test
    void everyKindOfEventComesBackEqual() throws Exception {
        List<SessionEvent> events = SampleEvents.everyKind(ID);
        // a new event type must get a tag, and a sample here, before a journal can hold it
        assertThat(events.stream().map(Object::getClass).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(Arrays.asList(SessionEvent.class.getPermittedSubclasses()));
        for (SessionEvent event : events) {
            assertThat(roundTrip(event)).isEqualTo(event);
        }
    }

    @Test
    void absentValuesStayAbsent() throws Exception {
        List<SessionEvent> events = List.of(
                new SessionCreated(ID, 1, null, null, List.of(), List.of(), null, Double.NaN, 0),
                new SessionStarted(ID, 2, null, null),
                new TaskStarted(ID, 3, null, "n", 1, null, 1),
                new TaskSucceeded(ID, 4, SampleEvents.T0, "n", 1, null, 1, null, 0, 0, null, null),
                new TaskRetryScheduled(ID, 5, SampleEvents.T0, null, 1, 2, null, null, null),
                new TaskFailed(ID, 6, SampleEvents.T0, null, 1, null, 1, null, null, false, -1),
                new TaskRequeued(ID, 7, SampleEvents.T0, null, 1, null),
                new GroupPriorityChanged(ID, 8, SampleEvents.T0, 1, null),
                new SessionPaused(ID, 9, SampleEvents.T0, null),
                new BatchFailed(ID, 10, SampleEvents.T0, null, null),
                new SessionFinished(ID, 11, SampleEvents.T0, null));
        for (SessionEvent event : events) {
            assertThat(roundTrip(event)).isEqualTo(event);
        }
    }

    /**
     * A damaged journal's lost bytes bound how many events they held only if no record of the session is smaller than
     * the bound's record: events of every kind, with every value absent that can be.
     */
    @Test
    void noRecordOfASessionIsSmallerThanTheFewestBytesItsDamageIsCountedBy() {
        List<SessionEvent> smallest = new java.util.ArrayList<>(SampleEvents.everyKind(ID));
        smallest.add(new SessionPaused(ID, 9, null, null));
        smallest.add(new SessionResumed(ID, 9, null, null));
        smallest.add(new SessionCancelled(ID, 9, null, null));
        smallest.add(new SessionFinished(ID, 9, null, null));
        smallest.add(new BatchFailed(ID, 9, null, null, null));
        smallest.add(new SessionStarted(ID, 9, null, null));
        smallest.add(new TaskRequeued(ID, 9, null, null, 1, null));
        smallest.add(new SessionCreated(ID, 1, null, null, List.of(), List.of(), null, Double.NaN, 0));
        for (SessionEvent event : smallest) {
            assertThat(JournalFormat.FRAME_BYTES + codec.encode(event).length)
                    .as(event.getClass().getSimpleName())
                    .isGreaterThanOrEqualTo(SessionEventCodec.fewestRecordBytes(ID));
        }
    }

    /** A start records the session's agent calls in flight; one written before it did reads as 0 (not recorded). */
    @Test
    void aStartKeepsItsCallsInFlightAndOneWrittenBeforeThemReadsWithout() throws Exception {
        var started = new TaskStarted(ID, 3, SampleEvents.T0, "n", 1, AgentId.ORAL_EXPLANATION, 2, 7);
        byte[] now = codec.encode(started);
        assertThat(roundTrip(started)).isEqualTo(started);

        byte[] before = Arrays.copyOf(now, now.length - Integer.BYTES); // the old layout ends with the attempt
        before[1] = 3; // and has the old tag, right after the version
        assertThat(codec.decode(before))
                .isEqualTo(new TaskStarted(ID, 3, SampleEvents.T0, "n", 1, AgentId.ORAL_EXPLANATION, 2, 0));
    }

    /**
     * Journals written before a group's category was a value of the core hold it as the analyze answer's word, followed
     * by the group's emoji: they must read back as the same category.
     */
    @Test
    void aGroupStoredWithTheAnswersWordAndAnEmojiReadsAsItsCategory() throws Exception {
        Group group = new Group(
                1,
                "递归",
                List.of("递归"),
                Category.DEEP_ANALYSIS,
                AgentId.DEEP_DECOMPOSITION,
                Priority.HIGH,
                0.7,
                List.of("n"));
        var created = new SessionCreated(
                ID,
                1,
                SampleEvents.T0,
                "a.canvas",
                List.of(group),
                List.of(new PlannedTask("n", 1, "为什么递归要有出口", AgentId.DEEP_DECOMPOSITION)),
                SessionSettings.DEFAULT,
                0.5,
                1);
        byte[] now = codec.encode(created);
        byte[] before = replace(now, stored("DEEP_ANALYSIS", false), stored("deep-analysis", true));

        SessionCreated read = (SessionCreated) codec.decode(before);

        assertThat(read.groups()).singleElement().extracting(Group::category).isEqualTo(Category.DEEP_ANALYSIS);
        assertThat(read).isEqualTo(created);
    }

    /** A string as the codec stores it (a UTF-8 tag, its length, its bytes), and the emoji the old layout put after it. */
    private static byte[] stored(String value, boolean withEmoji) throws java.io.IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        var out = new java.io.DataOutputStream(bytes);
        byte[] utf8 = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeByte(1);
        out.writeInt(utf8.length);
        out.write(utf8);
        if (withEmoji) {
            byte[] emoji = "🔬".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeByte(1);
            out.writeInt(emoji.length);
            out.write(emoji);
        } else {
            out.writeByte(0);
        }
        return bytes.toByteArray();
    }

    private static byte[] replace(byte[] in, byte[] what, byte[] with) {
        for (int i = 0; i + what.length <= in.length; i++) {
            if (Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                byte[] out = new byte[in.length - what.length + with.length];
                System.arraycopy(in, 0, out, 0, i);
                System.arraycopy(with, 0, out, i, with.length);
                System.arraycopy(in, i + what.length, out, i + with.length, in.length - i - what.length);
                return out;
            }
        }
        throw new AssertionError("the encoded event does not hold the expected bytes");
    }

    @Test
    void textInAnyScriptAndLargeOutputsComeBackExactly() throws Exception {
        String cjk = "为什么 TCP 需要三次握手？なぜ？왜? ";
        String emoji = "👩🏽‍🔬🧪🔬✅🇨🇳";
        // the output preview is cut at a char count, which can split an emoji in two
        String halfEmoji = "cut here: " + "😀".charAt(0);
        String large = (cjk + emoji + "\n").repeat(40_000);
        for (String text : List.of(cjk, emoji, halfEmoji, large, "", "\u0000nul\u0000")) {
            var event = new TaskSucceeded(
                    ID,
                    4,
                    SampleEvents.T0,
                    "节点-1",
                    1,
                    AgentId.MEMORY_ANCHOR,
                    1,
                    "笔记/" + emoji + ".md",
                    1,
                    2,
                    text,
                    text);
            assertThat(roundTrip(event)).isEqualTo(event);
        }
    }

    @Test
    void aSessionOfTenThousandNodesComesBackEqual() throws Exception {
        SessionCreated big = SampleEvents.created(ID, 10_000);
        assertThat(roundTrip(big)).isEqualTo(big);
    }

    /**
     * CONTRACT §1: a session has at most 10 000 nodes. A forged journal of 30 000 tasks loaded and its session ran, 7 000
     * notes written into the vault within seconds: more tasks, or groups naming more nodes, are damage, never a session.
     */
    @Test
    void aSessionOfMoreNodesThanTheLimitIsDamageNotASession() {
        SessionCreated limit = SampleEvents.created(ID, BatchLimits.MAX_NODES);
        SessionCreated oneTooMany = SampleEvents.created(ID, BatchLimits.MAX_NODES + 1);
        SessionCreated tooManyTasks = new SessionCreated(
                ID,
                1,
                limit.at(),
                limit.canvasPath(),
                limit.groups(),
                oneTooMany.tasks(),
                limit.settings(),
                limit.silhouette(),
                limit.recommendedK());
        Group first = limit.groups().getFirst();
        List<String> oneMore = new java.util.ArrayList<>(first.nodeIds());
        oneMore.add("node-" + (BatchLimits.MAX_NODES + 1));
        List<Group> groups = new java.util.ArrayList<>(limit.groups());
        groups.set(
                0,
                new Group(
                        first.id(),
                        first.name(),
                        first.terms(),
                        first.category(),
                        first.recommendedAgent(),
                        first.priority(),
                        first.confidence(),
                        oneMore));
        SessionCreated tooManyGrouped = new SessionCreated(
                ID,
                1,
                limit.at(),
                limit.canvasPath(),
                groups,
                limit.tasks(),
                limit.settings(),
                limit.silhouette(),
                limit.recommendedK());

        assertThatThrownBy(() -> codec.decode(codec.encode(tooManyTasks)))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("holds 10001 tasks")
                .hasMessageContaining("a session has at most 10000 nodes");
        assertThatThrownBy(() -> codec.decode(codec.encode(tooManyGrouped)))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("groups name more than 10000 nodes")
                .hasMessageContaining("a session has at most 10000 nodes");
        assertThatThrownBy(() -> codec.decode(codec.encode(oneTooMany)))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("a session has at most 10000 nodes");
    }

    @Test
    void aRecordCutAnywhereIsRefusedRatherThanMisread() {
        for (SessionEvent event : SampleEvents.everyKind(ID)) {
            byte[] whole = codec.encode(event);
            IntStream.range(0, whole.length)
                    .forEach(cut -> assertThatThrownBy(() -> codec.decode(Arrays.copyOf(whole, cut)))
                            .as("%s cut to %d bytes", event.getClass().getSimpleName(), cut)
                            .isInstanceOf(UnreadableRecordException.class));
        }
    }

    @Test
    void aRecordFromANewerFormatIsRefusedWithTheReason() {
        byte[] payload = codec.encode(SampleEvents.everyKind(ID).get(2));
        payload[0] = (byte) (SessionEventCodec.VERSION + 1);

        assertThatThrownBy(() -> codec.decode(payload))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("format " + (SessionEventCodec.VERSION + 1));
    }

    @Test
    void aNodeIdLongerThanTheLimitIsDamageNotAnId() throws Exception {
        String longId = "n".repeat(SessionEventCodec.MAX_NODE_ID_CHARS + 1);
        byte[] started = codec.encode(new TaskStarted(ID, 3, SampleEvents.T0, longId, 1, AgentId.ORAL_EXPLANATION, 1));
        byte[] created = codec.encode(new SessionCreated(
                ID,
                1,
                SampleEvents.T0,
                "a.canvas",
                List.of(new Group(
                        1,
                        "g",
                        List.of(),
                        Category.COMPARISON,
                        AgentId.ORAL_EXPLANATION,
                        Priority.MEDIUM,
                        0.5,
                        List.of(longId))),
                List.of(new PlannedTask(longId, 1, "什么是命题", AgentId.ORAL_EXPLANATION)),
                SampleEvents.created(ID, 1).settings(),
                0.4,
                1));

        for (byte[] payload : List.of(started, created)) {
            assertThatThrownBy(() -> codec.decode(payload))
                    .isInstanceOf(UnreadableRecordException.class)
                    .hasMessageContaining("node id 201 characters long");
        }
        String longest = "n".repeat(SessionEventCodec.MAX_NODE_ID_CHARS);
        assertThat(((TaskStarted) codec.decode(codec.encode(
                                new TaskStarted(ID, 3, SampleEvents.T0, longest, 1, AgentId.ORAL_EXPLANATION, 1))))
                        .nodeId())
                .isEqualTo(longest);
    }

    @Test
    void anUnknownEventTagIsRefused() {
        byte[] payload = codec.encode(SampleEvents.everyKind(ID).get(2));
        payload[1] = 99;

        assertThatThrownBy(() -> codec.decode(payload))
                .isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("tag 99");
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] payload = Arrays.copyOf(codec.encode(SampleEvents.everyKind(ID).get(8)), 100);

        assertThatThrownBy(() -> codec.decode(payload)).isInstanceOf(UnreadableRecordException.class);
    }
}
