package org.canvasbatch.adapters.journal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.application.port.in.BatchLimits;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.PlannedTask;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.BatchFailed;
import org.canvasbatch.domain.session.SessionEvent.EventsLost;
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
import org.canvasbatch.domain.session.SessionState;

/**
 * One {@link SessionEvent} as compact binary: {@code [version][tag][sessionId][seq][at]} then the fields of its type in
 * declaration order. Every reference may be null. Enums travel by constant name, so reordering a domain enum never
 * changes the meaning of an old journal; a rename must keep decoding the old name.
 *
 * <p>Strings are UTF-8, except a string holding a lone surrogate (an emoji cut in half by the output preview), which
 * travels as raw UTF-16 so that replay gives back exactly what was appended.
 *
 * <p>Public because the database event log stores the same bytes in its rows: one format for every durable store.
 */
public final class SessionEventCodec {

    /** Bumped whenever the layout of a payload changes; a journal is never rewritten, so old versions stay readable. */
    static final byte VERSION = 1;

    private static final byte NULL = 0;
    private static final byte PRESENT = 1;
    private static final byte UTF8 = 1;
    private static final byte UTF16 = 2;

    // One tag per event type; never reuse a retired tag.
    private static final byte SESSION_CREATED = 1;
    private static final byte SESSION_STARTED = 2;
    private static final byte TASK_STARTED = 3;
    private static final byte TASK_SUCCEEDED = 4;
    private static final byte TASK_RETRY_SCHEDULED = 5;
    private static final byte TASK_FAILED = 6;
    private static final byte TASK_REQUEUED = 7;
    private static final byte GROUP_PRIORITY_CHANGED = 8;
    private static final byte SESSION_PAUSED = 9;
    private static final byte SESSION_RESUMED = 10;
    private static final byte SESSION_CANCELLED = 11;
    private static final byte BATCH_FAILED = 12;
    private static final byte SESSION_FINISHED = 13;
    /** {@link #TASK_STARTED} and then the session's agent calls in flight; tag 3 is still read, as 0 calls. */
    private static final byte TASK_STARTED_WITH_CALLS = 14;

    private static final byte EVENTS_LOST = 15;

    public byte[] encode(SessionEvent event) {
        var bytes = new ByteArrayOutputStream(256);
        try (var out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(tagOf(event));
            writeString(out, event.sessionId().value());
            out.writeLong(event.seq());
            writeInstant(out, event.at());
            writeFields(out, event);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Fewer bytes than any record of this session can take in a journal: every payload holds at least the format, the
     * tag, the session's id and the seq. So the damaged bytes of a journal bound how many events they held.
     */
    static int fewestRecordBytes(SessionId id) {
        return JournalFormat.FRAME_BYTES + 1 + 1 + 1 + 4 + id.value().getBytes(StandardCharsets.UTF_8).length + 8;
    }

    /**
     * The most nodes a session has (CONTRACT §1), as the core refuses a request for more: a session created with more
     * on disk is damage, never run (a forged journal of 30 000 tasks ran, and wrote 7 000 notes within seconds).
     */
    private static final String AT_MOST_NODES = "a session has at most " + BatchLimits.MAX_NODES + " nodes";

    /** The most characters a node id has (CONTRACT §1): a longer one on disk is damage, never used. */
    static final int MAX_NODE_ID_CHARS = 200;

    private static void requireShortNodeIds(SessionEvent event) throws UnreadableRecordException {
        List<String> ids = switch (event) {
            case SessionCreated e -> {
                List<String> all = new ArrayList<>();
                e.tasks().forEach(task -> all.add(task.nodeId()));
                e.groups().forEach(group -> all.addAll(group.nodeIds()));
                yield all;
            }
            case TaskStarted e -> java.util.Collections.singletonList(e.nodeId());
            case TaskSucceeded e -> java.util.Collections.singletonList(e.nodeId());
            case TaskRetryScheduled e -> java.util.Collections.singletonList(e.nodeId());
            case TaskFailed e -> java.util.Collections.singletonList(e.nodeId());
            case TaskRequeued e -> java.util.Collections.singletonList(e.nodeId());
            default -> List.of();
        };
        for (String id : ids) {
            if (id != null && id.length() > MAX_NODE_ID_CHARS) {
                throw new UnreadableRecordException("the record holds a node id " + id.length()
                        + " characters long; node ids have at most " + MAX_NODE_ID_CHARS);
            }
        }
    }

    /**
     * As {@link #decode}, for a store that keeps each event whole (a database row): a payload this version cannot read
     * is an {@link IllegalArgumentException} with the reason.
     */
    public SessionEvent decodeStored(byte[] payload) {
        try {
            return decode(payload);
        } catch (UnreadableRecordException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    SessionEvent decode(byte[] payload) throws UnreadableRecordException {
        try (var in = new DataInputStream(new ByteArrayInputStream(payload))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new UnreadableRecordException("the record is in event format " + version
                        + ", this canvas-batch reads format " + VERSION + " (written by a newer version?)");
            }
            byte tag = in.readByte();
            SessionId sessionId = new SessionId(requireString(in, "sessionId"));
            long seq = in.readLong();
            Instant at = readInstant(in);
            SessionEvent event = readFields(in, tag, sessionId, seq, at);
            requireShortNodeIds(event);
            if (in.available() > 0) {
                throw new UnreadableRecordException(in.available() + " unexpected bytes after a "
                        + event.getClass().getSimpleName() + " event");
            }
            return event;
        } catch (EOFException e) {
            throw new UnreadableRecordException("the record ends in the middle of an event", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory cannot fail", e);
        } catch (IllegalArgumentException | NullPointerException e) {
            // the domain's own constructors refused the values
            throw new UnreadableRecordException("the record holds an invalid event: " + e.getMessage(), e);
        }
    }

    private static byte tagOf(SessionEvent event) {
        return switch (event) {
            case SessionCreated e -> SESSION_CREATED;
            case SessionStarted e -> SESSION_STARTED;
            case TaskStarted e -> TASK_STARTED_WITH_CALLS;
            case TaskSucceeded e -> TASK_SUCCEEDED;
            case TaskRetryScheduled e -> TASK_RETRY_SCHEDULED;
            case TaskFailed e -> TASK_FAILED;
            case TaskRequeued e -> TASK_REQUEUED;
            case GroupPriorityChanged e -> GROUP_PRIORITY_CHANGED;
            case SessionPaused e -> SESSION_PAUSED;
            case SessionResumed e -> SESSION_RESUMED;
            case SessionCancelled e -> SESSION_CANCELLED;
            case BatchFailed e -> BATCH_FAILED;
            case SessionFinished e -> SESSION_FINISHED;
            case EventsLost e -> EVENTS_LOST;
        };
    }

    private static void writeFields(DataOutputStream out, SessionEvent event) throws IOException {
        switch (event) {
            case SessionCreated e -> {
                writeString(out, e.canvasPath());
                out.writeInt(e.groups().size());
                for (Group group : e.groups()) {
                    writeGroup(out, group);
                }
                out.writeInt(e.tasks().size());
                for (PlannedTask task : e.tasks()) {
                    writeString(out, task.nodeId());
                    out.writeInt(task.groupId());
                    writeString(out, task.text());
                    writeEnum(out, task.agent());
                }
                writeSettings(out, e.settings());
                out.writeDouble(e.silhouette());
                out.writeInt(e.recommendedK());
            }
            case SessionStarted e -> writeSettings(out, e.settings());
            case TaskStarted e -> {
                writeString(out, e.nodeId());
                out.writeInt(e.groupId());
                writeEnum(out, e.agent());
                out.writeInt(e.attempt());
                out.writeInt(e.callsInFlight());
            }
            case TaskSucceeded e -> {
                writeString(out, e.nodeId());
                out.writeInt(e.groupId());
                writeEnum(out, e.agent());
                out.writeInt(e.attempt());
                writeString(out, e.notePath());
                out.writeLong(e.fileSize());
                out.writeLong(e.durationMillis());
                writeString(out, e.output());
                writeString(out, e.model());
                if (e.linkProblem() != null) {
                    // Only when there is one: every record written before this field existed reads the same.
                    writeString(out, e.linkProblem());
                }
            }
            case TaskRetryScheduled e -> {
                writeString(out, e.nodeId());
                out.writeInt(e.groupId());
                out.writeInt(e.attempt());
                writeString(out, e.errorMessage());
                writeString(out, e.errorType());
                writeInstant(out, e.retryAt());
            }
            case TaskFailed e -> {
                writeString(out, e.nodeId());
                out.writeInt(e.groupId());
                writeEnum(out, e.agent());
                out.writeInt(e.attempt());
                writeString(out, e.errorMessage());
                writeString(out, e.errorType());
                out.writeBoolean(e.retryable());
                out.writeLong(e.durationMillis());
            }
            case TaskRequeued e -> {
                writeString(out, e.nodeId());
                out.writeInt(e.groupId());
                writeEnum(out, e.agent());
            }
            case GroupPriorityChanged e -> {
                out.writeInt(e.groupId());
                writeEnum(out, e.priority());
            }
            case SessionPaused e -> writeString(out, e.reason());
            case SessionResumed e -> writeString(out, e.reason());
            case SessionCancelled e -> writeString(out, e.reason());
            case BatchFailed e -> {
                writeString(out, e.message());
                writeString(out, e.errorType());
            }
            case SessionFinished e -> writeEnum(out, e.state());
            case EventsLost e -> out.writeLong(e.firstSeq());
        }
    }

    private static SessionEvent readFields(DataInputStream in, byte tag, SessionId id, long seq, Instant at)
            throws IOException, UnreadableRecordException {
        return switch (tag) {
            case SESSION_CREATED -> {
                String canvasPath = readString(in);
                int groupCount = readCount(in);
                List<Group> groups = new ArrayList<>(groupCount);
                int grouped = 0;
                for (int i = 0; i < groupCount; i++) {
                    Group group = readGroup(in, BatchLimits.MAX_NODES - grouped);
                    grouped += group.nodeIds().size();
                    groups.add(group);
                }
                int taskCount = readCount(in);
                if (taskCount > BatchLimits.MAX_NODES) {
                    throw new UnreadableRecordException("the record holds " + taskCount + " tasks; " + AT_MOST_NODES);
                }
                List<PlannedTask> tasks = new ArrayList<>(taskCount);
                for (int i = 0; i < taskCount; i++) {
                    tasks.add(
                            new PlannedTask(readString(in), in.readInt(), readString(in), readEnum(in, AgentId.class)));
                }
                yield new SessionCreated(
                        id, seq, at, canvasPath, groups, tasks, readSettings(in), in.readDouble(), in.readInt());
            }
            case SESSION_STARTED -> new SessionStarted(id, seq, at, readSettings(in));
            case TASK_STARTED ->
                new TaskStarted(id, seq, at, readString(in), in.readInt(), readEnum(in, AgentId.class), in.readInt());
            case TASK_STARTED_WITH_CALLS ->
                new TaskStarted(
                        id,
                        seq,
                        at,
                        readString(in),
                        in.readInt(),
                        readEnum(in, AgentId.class),
                        in.readInt(),
                        in.readInt());
            case TASK_SUCCEEDED -> {
                String nodeId = readString(in);
                int groupId = in.readInt();
                AgentId agent = readEnum(in, AgentId.class);
                int attempt = in.readInt();
                String notePath = readString(in);
                long fileSize = in.readLong();
                long durationMillis = in.readLong();
                String output = readString(in);
                String model = readString(in);
                String linkProblem = in.available() > 0 ? readString(in) : null;
                yield new TaskSucceeded(
                        id,
                        seq,
                        at,
                        nodeId,
                        groupId,
                        agent,
                        attempt,
                        notePath,
                        fileSize,
                        durationMillis,
                        output,
                        model,
                        linkProblem);
            }
            case TASK_RETRY_SCHEDULED ->
                new TaskRetryScheduled(
                        id,
                        seq,
                        at,
                        readString(in),
                        in.readInt(),
                        in.readInt(),
                        readString(in),
                        readString(in),
                        readInstant(in));
            case TASK_FAILED ->
                new TaskFailed(
                        id,
                        seq,
                        at,
                        readString(in),
                        in.readInt(),
                        readEnum(in, AgentId.class),
                        in.readInt(),
                        readString(in),
                        readString(in),
                        in.readBoolean(),
                        in.readLong());
            case TASK_REQUEUED ->
                new TaskRequeued(id, seq, at, readString(in), in.readInt(), readEnum(in, AgentId.class));
            case GROUP_PRIORITY_CHANGED ->
                new GroupPriorityChanged(id, seq, at, in.readInt(), readEnum(in, Priority.class));
            case SESSION_PAUSED -> new SessionPaused(id, seq, at, readString(in));
            case SESSION_RESUMED -> new SessionResumed(id, seq, at, readString(in));
            case SESSION_CANCELLED -> new SessionCancelled(id, seq, at, readString(in));
            case BATCH_FAILED -> new BatchFailed(id, seq, at, readString(in), readString(in));
            case SESSION_FINISHED -> new SessionFinished(id, seq, at, readEnum(in, SessionState.class));
            case EVENTS_LOST -> new EventsLost(id, seq, at, in.readLong());
            default -> throw new UnreadableRecordException("unknown event tag " + tag);
        };
    }

    private static void writeGroup(DataOutputStream out, Group group) throws IOException {
        out.writeInt(group.id());
        writeString(out, group.name());
        writeStrings(out, group.terms());
        writeEnum(out, group.category());
        // the group's emoji had its place here; the wire picks it from the category now, so nothing is written
        writeString(out, null);
        writeEnum(out, group.recommendedAgent());
        writeEnum(out, group.priority());
        out.writeDouble(group.confidence());
        writeStrings(out, group.nodeIds());
    }

    /** A group naming at most {@code nodesLeft} nodes: the session's other groups named the rest of the limit. */
    private static Group readGroup(DataInputStream in, int nodesLeft) throws IOException, UnreadableRecordException {
        int id = in.readInt();
        String name = readString(in);
        List<String> terms = readStrings(in);
        Category category = readCategory(in);
        readString(in); // the emoji of journals written before the wire chose it from the category
        return new Group(
                id,
                name,
                terms,
                category,
                readEnum(in, AgentId.class),
                readEnum(in, Priority.class),
                in.readDouble(),
                readNodeIds(in, nodesLeft));
    }

    /** A group's node ids, refused before they are read when there are more than {@code nodesLeft}. */
    private static List<String> readNodeIds(DataInputStream in, int nodesLeft)
            throws IOException, UnreadableRecordException {
        int count = readCount(in);
        if (count > nodesLeft) {
            throw new UnreadableRecordException(
                    "the record's groups name more than " + BatchLimits.MAX_NODES + " nodes; " + AT_MOST_NODES);
        }
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(readString(in));
        }
        return ids;
    }

    private static void writeSettings(DataOutputStream out, SessionSettings settings) throws IOException {
        if (settings == null) {
            out.writeByte(NULL);
            return;
        }
        out.writeByte(PRESENT);
        out.writeInt(settings.maxConcurrent());
        writeDuration(out, settings.batchTimeout());
        writeDuration(out, settings.nodeTimeout());
        out.writeInt(settings.maxAttempts());
    }

    private static SessionSettings readSettings(DataInputStream in) throws IOException, UnreadableRecordException {
        if (readPresence(in) == NULL) {
            return null;
        }
        return new SessionSettings(in.readInt(), readDuration(in), readDuration(in), in.readInt());
    }

    private static void writeDuration(DataOutputStream out, Duration duration) throws IOException {
        out.writeLong(duration.getSeconds());
        out.writeInt(duration.getNano());
    }

    private static Duration readDuration(DataInputStream in) throws IOException {
        return Duration.ofSeconds(in.readLong(), in.readInt());
    }

    private static void writeInstant(DataOutputStream out, Instant instant) throws IOException {
        if (instant == null) {
            out.writeByte(NULL);
            return;
        }
        out.writeByte(PRESENT);
        out.writeLong(instant.getEpochSecond());
        out.writeInt(instant.getNano());
    }

    private static Instant readInstant(DataInputStream in) throws IOException, UnreadableRecordException {
        if (readPresence(in) == NULL) {
            return null;
        }
        try {
            return Instant.ofEpochSecond(in.readLong(), in.readInt());
        } catch (java.time.DateTimeException e) {
            throw new UnreadableRecordException("the record holds an impossible instant", e);
        }
    }

    private static void writeEnum(DataOutputStream out, Enum<?> value) throws IOException {
        writeString(out, value == null ? null : value.name());
    }

    private static <E extends Enum<E>> E readEnum(DataInputStream in, Class<E> type)
            throws IOException, UnreadableRecordException {
        String name = readString(in);
        if (name == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw new UnreadableRecordException("unknown " + type.getSimpleName() + " '" + name + "'", e);
        }
    }

    /**
     * A group's category: by constant name, or, in journals written before the category was a value of the core, by
     * the word the analyze answer used for it ({@code deep-analysis}, {@code mixed} …).
     */
    private static Category readCategory(DataInputStream in) throws IOException, UnreadableRecordException {
        String name = readString(in);
        if (name == null) {
            return null;
        }
        return switch (name) {
            case "comparison" -> Category.COMPARISON;
            case "deep-analysis" -> Category.DEEP_ANALYSIS;
            case "memory" -> Category.MEMORY;
            case "example" -> Category.EXAMPLE;
            case "understanding" -> Category.UNDERSTANDING;
            case "definition" -> Category.DEFINITION;
            case "mixed" -> Category.GENERAL;
            default -> {
                try {
                    yield Category.valueOf(name);
                } catch (IllegalArgumentException e) {
                    throw new UnreadableRecordException("unknown Category '" + name + "'", e);
                }
            }
        };
    }

    private static void writeStrings(DataOutputStream out, List<String> values) throws IOException {
        out.writeInt(values.size());
        for (String value : values) {
            writeString(out, value);
        }
    }

    private static List<String> readStrings(DataInputStream in) throws IOException, UnreadableRecordException {
        int count = readCount(in);
        List<String> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(readString(in));
        }
        return values;
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
        } else if (isWellFormed(value)) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            out.writeByte(UTF8);
            out.writeInt(utf8.length);
            out.write(utf8);
        } else {
            out.writeByte(UTF16);
            out.writeInt(value.length());
            out.writeChars(value);
        }
    }

    private static String readString(DataInputStream in) throws IOException, UnreadableRecordException {
        byte kind = in.readByte();
        switch (kind) {
            case NULL -> {
                return null;
            }
            case UTF8 -> {
                byte[] utf8 = new byte[readLength(in)];
                in.readFully(utf8);
                return new String(utf8, StandardCharsets.UTF_8);
            }
            case UTF16 -> {
                int length = readLength(in);
                char[] chars = new char[length];
                for (int i = 0; i < length; i++) {
                    chars[i] = in.readChar();
                }
                return new String(chars);
            }
            default -> throw new UnreadableRecordException("unknown string kind " + kind);
        }
    }

    private static String requireString(DataInputStream in, String field)
            throws IOException, UnreadableRecordException {
        String value = readString(in);
        if (value == null) {
            throw new UnreadableRecordException("the record has no " + field);
        }
        return value;
    }

    private static int readCount(DataInputStream in) throws IOException, UnreadableRecordException {
        return readLength(in);
    }

    /** A length can never exceed what is left of the payload; checking it keeps a bad record from allocating gigabytes. */
    private static int readLength(DataInputStream in) throws IOException, UnreadableRecordException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new UnreadableRecordException("a length of " + length + " does not fit the record");
        }
        return length;
    }

    private static byte readPresence(DataInputStream in) throws IOException, UnreadableRecordException {
        byte presence = in.readByte();
        if (presence != NULL && presence != PRESENT) {
            throw new UnreadableRecordException("unknown presence marker " + presence);
        }
        return presence;
    }

    private static boolean isWellFormed(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
