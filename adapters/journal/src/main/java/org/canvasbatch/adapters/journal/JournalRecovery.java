package org.canvasbatch.adapters.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.EventsLost;
import org.canvasbatch.domain.session.SessionEvent.SessionCreated;
import org.canvasbatch.domain.session.SessionId;

/**
 * Brings one session's journal back when the journal opens.
 *
 * <p><b>A torn tail</b> is a final record a crash cut short: the file ends before the record does (or inside its
 * header), or the rest of the file is zeros. It was never acknowledged, so it is cut away quietly.
 *
 * <p><b>Damage</b> is everything else that fails: a whole record whose checksum does not match (even the last one, even
 * the only one), a length no record can have over bytes that are not zeros, a length that points past the end while
 * the bytes that are there carry the checksum (a flipped length), a header that is not a journal's. The learner's
 * history is never deleted for it: the original file is first kept aside ({@code <id>.journal.damaged}), then every
 * record that can still be read is loaded — the intact ones before the damage, and from the damaged record on every
 * record that still reads as this session's next event and folds onto the session (a record whose checksum failed is
 * then kept as read, and the report says a value in it may be wrong) — and a note says what was kept and what was lost,
 * on this start and every later one. The journal is rewritten with what was kept, so the next start finds it whole.
 *
 * <p>The original is kept by a second name for the same file (a hard link), never by a copy: a copy of a planted sparse
 * journal ({@code truncate -s 2G}, 4 KiB on disk) filled its holes in and so the learner's disk. The file with both
 * names is then never changed again: what is kept is written to a new file moved over the journal's name. Where the
 * file system has no hard links, the original is copied, but never more of it than where reading stopped and 64 MiB
 * past it, and the note says when the copy was cut.
 */
final class JournalRecovery {

    private static final System.Logger LOG = System.getLogger(JournalRecovery.class.getName());
    /** A torn tail is at most one round of appends; more than this after a bad record can only be damage. */
    private static final long MAX_TAIL_SEARCH_BYTES = 64L << 20;
    /** The most bytes the search for an intact record in a tail checks, all offsets together. */
    private static final long MAX_TAIL_CHECKSUM_BYTES = 2 * MAX_TAIL_SEARCH_BYTES;
    /**
     * Far above any seq a journal writes (a lost stretch takes at most a seq per byte it covers), and far enough below
     * {@code Long.MAX_VALUE} that the seqs a damage may have held can be counted on without overflowing.
     */
    static final long MAX_SEQ = 1L << 53;
    /** The most of a decoded value's words a damage report quotes: the bytes are anyone's. */
    private static final int LONGEST_QUOTE = 160;
    /** Where a damaged journal must be copied aside (no hard links), the most it keeps past where reading stopped. */
    private static final long MAX_COPY_PAST_STOP = 64L << 20;

    /** The session's durable records (null if none are left) and what damage was found, now or on an earlier start. */
    record Recovered(SessionStream stream, String damage) {}

    /** What the scan of the intact records found: where they start, where they end, and what stopped it. */
    private static final class Scan {
        long[] offsets = new long[64];
        /** The records read. */
        int count;
        /** The last seq they hold. */
        long lastSeq;
        /** The records that take several seqs ({@link EventsLost}). */
        final List<SessionStream.Span> spans = new ArrayList<>();

        long end = JournalFormat.HEADER_BYTES;
        /** Damage, and where it starts; null when none. */
        String problem;

        long problemOffset;
        /** Set when the header is a journal's in a format this version cannot read: nothing after it is tried. */
        boolean unreadableFormat;
        /** A torn tail starts here (-1: none), and why. */
        long tornAt = -1;

        String tornWhy;

        void add(long offset, long next, long firstSeq, long lastSeq) {
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, count * 2);
            }
            if (lastSeq > firstSeq) {
                spans.add(new SessionStream.Span(count, firstSeq, lastSeq));
            }
            offsets[count++] = offset;
            this.lastSeq = lastSeq;
            end = next;
        }
    }

    /**
     * What could still be read from the damage on: payloads to keep with the seqs each takes, how many failed their
     * checksum, where it ended.
     */
    private record Salvage(List<byte[]> payloads, List<SessionEvent> events, int doubted, long stoppedAt, long size) {
        boolean readToTheEnd() {
            return stoppedAt >= size;
        }
    }

    /** Where the original was kept, and how much of it: all of it, unless a copy had to be cut. */
    private record Aside(Path copy, long keptBytes, long size) {
        boolean cut() {
            return keptBytes < size;
        }
    }

    private final JournalFiles files;
    private final SessionEventCodec codec;

    JournalRecovery(JournalFiles files, SessionEventCodec codec) {
        this.files = files;
        this.codec = codec;
    }

    Recovered recover(SessionId id) throws IOException {
        Path file = files.journal(id);
        Scan scan = new Scan();
        String unnoted = null;
        Object keyBeforeOpen = JournalFiles.fileKey(file);
        try (FileChannel channel = files.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (size >= JournalFormat.HEADER_BYTES) {
                scanRecords(id, channel, size, scan);
            }
            if (scan.problem != null) {
                Salvage salvage = scan.unreadableFormat
                        ? new Salvage(List.of(), List.of(), 0, scan.problemOffset, size)
                        : salvage(id, channel, scan, size);
                // the file read is the one the name had before and after the open, or it is not linked aside
                Object read = Objects.equals(keyBeforeOpen, JournalFiles.fileKey(file)) ? keyBeforeOpen : null;
                Aside aside = setAside(id, file, channel, read, salvage.stoppedAt());
                EventsLost lost = lostSeqs(id, scan, salvage, earlierEnd(readDamageNote(id)));
                String message = describe(scan, salvage, lost, aside);
                LOG.log(System.Logger.Level.WARNING, "session " + id + ": " + message);
                if (!addDamageNote(id, message)) {
                    unnoted = message;
                }
                // only once the evidence is safe is the journal changed, and never in place: the evidence may be this
                // very file under a second name (a truncate here would cut it too)
                List<byte[]> kept = new ArrayList<>(salvage.payloads());
                List<SessionEvent> keptEvents = new ArrayList<>(salvage.events());
                if (lost != null) {
                    kept.add(codec.encode(lost));
                    keptEvents.add(lost);
                }
                if (!kept.isEmpty() || scan.count > 0) {
                    rewrite(file, channel, scan, kept, keptEvents);
                }
                // else nothing is left to keep: the journal's name is removed below, the file stays as the evidence
            } else if (scan.tornAt >= 0) {
                LOG.log(
                        System.Logger.Level.INFO,
                        "session " + id + ": cut away " + (size - scan.end) + " bytes of a record a stop interrupted ("
                                + scan.tornWhy + ")");
                channel.truncate(scan.end);
                channel.force(true);
            }
        }
        String damage = unnoted != null ? unnoted : readDamageNote(id);
        if (scan.count == 0) {
            // nothing of this session is left to load: a journal created but never written, or nothing in it readable
            // (then its original is kept aside and the note says so)
            Files.deleteIfExists(file);
            return new Recovered(null, damage);
        }
        return new Recovered(SessionStream.recovered(id, scan.offsets, scan.count, scan.end, scan.spans), damage);
    }

    /**
     * What a start would keep of a session's journal, and the damage it would report (null when none), read without
     * changing a byte: the same scan and salvage as {@link #recover}, so a dry run's count of a batch's done nodes is
     * the real run's, also on a journal whose record failed its checksum but still reads.
     */
    record Kept(List<SessionEvent> events, String damage) {}

    Kept readKept(SessionId id, FileChannel channel) throws IOException {
        long size = channel.size();
        Scan scan = new Scan();
        if (size >= JournalFormat.HEADER_BYTES) {
            scanRecords(id, channel, size, scan);
        }
        List<SessionEvent> events = intactEvents(channel, scan);
        if (scan.problem == null) {
            return new Kept(events, null);
        }
        if (scan.unreadableFormat) {
            return new Kept(events, "in a format this canvas-batch cannot read");
        }
        Salvage salvage = salvage(id, channel, scan, size);
        events.addAll(salvage.events());
        EventsLost lost = lostSeqs(id, scan, salvage, earlierEnd(readDamageNote(id)));
        if (lost != null) {
            events.add(lost);
        }
        // said in words of its own, not the scan's: those quote what the hostile bytes decode to
        String damage = "unreadable from byte " + scan.problemOffset
                + (salvage.doubted() == 0
                        ? ""
                        : "; " + salvage.doubted() + " record(s) failed a checksum but still read");
        return new Kept(events, damage);
    }

    /** The events of the intact records the scan found, in order. */
    private List<SessionEvent> intactEvents(FileChannel channel, Scan scan) throws IOException {
        List<SessionEvent> events = new ArrayList<>(scan.count);
        var reader = new RecordReader(channel, JournalFormat.HEADER_BYTES, scan.end);
        while (events.size() < scan.count && reader.next() instanceof RecordReader.Intact intact) {
            try {
                events.add(codec.decode(intact.payload()));
            } catch (UnreadableRecordException e) {
                throw new IOException("a record read before no longer reads: " + e.getMessage(), e);
            }
        }
        return events;
    }

    private void scanRecords(SessionId id, FileChannel channel, long size, Scan scan) throws IOException {
        ByteBuffer header = readAt(channel, 0, JournalFormat.HEADER_BYTES);
        int magic = header.getInt();
        int format = header.getInt();
        if (magic == JournalFormat.MAGIC && format != JournalFormat.FORMAT) {
            scan.problem =
                    "the journal is in format " + format + ", this canvas-batch reads format " + JournalFormat.FORMAT;
            scan.unreadableFormat = true;
            return;
        }
        if (magic != JournalFormat.MAGIC || format != JournalFormat.FORMAT) {
            scan.problem = "the file header is not a canvas-batch journal's";
            scan.problemOffset = 0;
            return;
        }
        var reader = new RecordReader(channel, JournalFormat.HEADER_BYTES, size);
        while (true) {
            switch (reader.next()) {
                case RecordReader.End e -> {
                    return;
                }
                case RecordReader.Intact intact -> {
                    SessionEvent event = null;
                    String problem;
                    try {
                        event = codec.decode(intact.payload());
                        problem = check(id, intact.offset(), event, scan.lastSeq + 1);
                    } catch (UnreadableRecordException e) {
                        problem = "unreadable record at byte " + intact.offset() + " (" + quoted(e.getMessage()) + ")";
                    }
                    if (problem != null) {
                        scan.problem = problem;
                        scan.problemOffset = intact.offset();
                        return;
                    }
                    scan.add(
                            intact.offset(),
                            intact.offset() + JournalFormat.FRAME_BYTES + intact.payload().length,
                            event.firstSeq(),
                            event.seq());
                }
                case RecordReader.Broken broken -> {
                    if (tornTail(channel, broken.offset(), size)) {
                        scan.tornAt = broken.offset();
                        scan.tornWhy = broken.why();
                    } else {
                        scan.problem = broken.why() + " at byte " + broken.offset();
                        scan.problemOffset = broken.offset();
                    }
                    return;
                }
            }
        }
    }

    /**
     * Whether the bad record at {@code offset} is the last one, cut short by a crash: the file ends inside its header or
     * before the end its length names, or only zeros follow. A length that points past the end is a flipped length, not
     * a cut, when the bytes that are there carry the record's checksum, or when an intact record lies beyond.
     */
    private static boolean tornTail(FileChannel channel, long offset, long size) throws IOException {
        long remaining = size - offset;
        if (remaining < JournalFormat.FRAME_BYTES) {
            return true;
        }
        if (remaining > MAX_TAIL_SEARCH_BYTES) {
            return false;
        }
        byte[] tail = readAt(channel, offset, (int) remaining).array();
        if (allZero(tail)) {
            return true;
        }
        ByteBuffer frame = ByteBuffer.wrap(tail, 0, JournalFormat.FRAME_BYTES);
        int length = frame.getInt();
        int stored = frame.getInt();
        boolean cutShort = length > 0
                && length <= JournalFormat.MAX_PAYLOAD_BYTES
                && JournalFormat.FRAME_BYTES + (long) length > remaining;
        if (!cutShort) {
            return false;
        }
        int present = (int) remaining - JournalFormat.FRAME_BYTES;
        if (present > 0 && JournalFormat.checksum(present, tail, JournalFormat.FRAME_BYTES) == stored) {
            return false;
        }
        long checked = 0;
        for (int at = 1; at + JournalFormat.FRAME_BYTES < tail.length; at++) {
            int stated = ByteBuffer.wrap(tail, at, 4).getInt();
            if (stated > 0 && stated <= tail.length - at - JournalFormat.FRAME_BYTES) {
                // crafted bytes can state a long record at every offset: the search would sum them for hours
                checked += stated;
                if (checked > MAX_TAIL_CHECKSUM_BYTES) {
                    return false; // too much to tell a cut from damage: taken as damage, which loses nothing
                }
            }
            if (JournalFormat.intactRecordAt(tail, at)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads on from the damage: each record whose frame is whole and whose bytes still read as this session's next
     * event, folding onto the session so far, is kept — whether its checksum matched or not.
     */
    private Salvage salvage(SessionId id, FileChannel channel, Scan scan, long size) {
        List<byte[]> payloads = new ArrayList<>();
        List<SessionEvent> events = new ArrayList<>();
        int doubted = 0;
        long position = Math.max(scan.problemOffset, JournalFormat.HEADER_BYTES);
        try {
            Session session = fold(channel, scan);
            long expected = scan.lastSeq + 1;
            while (position + JournalFormat.FRAME_BYTES <= size) {
                ByteBuffer frame = readAt(channel, position, JournalFormat.FRAME_BYTES);
                int length = frame.getInt();
                int stored = frame.getInt();
                if (length <= 0
                        || length > JournalFormat.MAX_PAYLOAD_BYTES
                        || position + JournalFormat.FRAME_BYTES + length > size) {
                    // the last record's length may be what was damaged: the bytes that are there may carry its checksum
                    length = (int) Math.min(Integer.MAX_VALUE, size - position - JournalFormat.FRAME_BYTES);
                    if (length <= 0
                            || length > JournalFormat.MAX_PAYLOAD_BYTES
                            || JournalFormat.checksum(
                                            length,
                                            readAt(channel, position + JournalFormat.FRAME_BYTES, length)
                                                    .array(),
                                            0)
                                    != stored) {
                        break;
                    }
                }
                byte[] payload = readAt(channel, position + JournalFormat.FRAME_BYTES, length)
                        .array();
                SessionEvent event;
                try {
                    event = codec.decode(payload);
                } catch (UnreadableRecordException e) {
                    break;
                }
                if (!event.sessionId().equals(id) || event.firstSeq() != expected || event.seq() > MAX_SEQ) {
                    break;
                }
                try {
                    if (session == null) {
                        if (!(event instanceof SessionCreated)) {
                            break;
                        }
                        session = Session.fromHistory(List.of(event));
                    } else {
                        session.replay(event);
                    }
                } catch (RuntimeException doesNotFold) {
                    break;
                }
                payloads.add(payload);
                events.add(event);
                if (JournalFormat.checksum(length, payload, 0) != stored) {
                    doubted++;
                }
                expected = event.seq() + 1;
                position += JournalFormat.FRAME_BYTES + length;
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "session " + id + ": reading on after the damage failed: " + e);
        }
        return new Salvage(payloads, events, doubted, position, size);
    }

    /**
     * The seqs the damaged bytes may have held, as one event, or null when nothing was lost or nothing is kept. Each of
     * those events may have reached a client (only a torn tail never did), so the session goes on after the most the
     * bytes could hold rather than issue one of their seqs again for another event.
     */
    private static EventsLost lostSeqs(SessionId id, Scan scan, Salvage salvage, long earlierEnd) {
        long lastKept = salvage.events().isEmpty()
                ? scan.lastSeq
                : salvage.events().getLast().seq();
        long damagedBytes = salvage.size() - salvage.stoppedAt();
        long mostLost = damagedBytes / SessionEventCodec.fewestRecordBytes(id);
        if (lastKept == 0 || mostLost == 0) {
            return null;
        }
        // an EventsLost of an earlier damage may be among the lost records: it took seqs up to earlierEnd, far more
        // than
        // its bytes, and every other lost record came after it or takes one seq
        long upTo = Math.max(lastKept, earlierEnd) + mostLost;
        return new EventsLost(id, upTo, Instant.now(), lastKept + 1);
    }

    /** How an earlier damage note says where the session went on; the number is read back from there. */
    private static final String WENT_ON_FROM = " (the session goes on from seq ";

    private static final java.util.regex.Pattern WENT_ON =
            java.util.regex.Pattern.compile(java.util.regex.Pattern.quote("goes on from seq ") + "(\\d{1,15})");

    /**
     * The last seq an earlier damage of this session took, as its note says (0 when none): the note is all that is
     * left of that damage's EventsLost when a second damage takes the record too.
     */
    static long earlierEnd(String note) {
        if (note == null) {
            return 0;
        }
        long end = 0;
        var found = WENT_ON.matcher(note);
        while (found.find()) {
            end = Math.max(end, Long.parseLong(found.group(1)) - 1);
        }
        return end;
    }

    /** The session as its intact records make it, or null when there are none. */
    private Session fold(FileChannel channel, Scan scan) throws IOException {
        if (scan.count == 0) {
            return null;
        }
        var reader = new RecordReader(channel, JournalFormat.HEADER_BYTES, scan.end);
        Session session = null;
        while (reader.next() instanceof RecordReader.Intact intact) {
            SessionEvent event;
            try {
                event = codec.decode(intact.payload());
            } catch (UnreadableRecordException e) {
                throw new IOException("a record read before no longer reads: " + e.getMessage(), e);
            }
            if (session == null) {
                session = Session.fromHistory(List.of(event));
            } else {
                session.replay(event);
            }
        }
        return session;
    }

    private static String describe(Scan scan, Salvage salvage, EventsLost lost, Aside aside) {
        int kept = scan.count + salvage.payloads().size();
        StringBuilder text =
                new StringBuilder("journal damaged (").append(scan.problem).append("): ");
        if (salvage.doubted() > 0) {
            text.append(salvage.doubted())
                    .append(
                            salvage.doubted() == 1
                                    ? " record failed its checksum but still reads as this session's next event and"
                                            + " was kept (a value in it may be wrong); "
                                    : " records failed their checksums but still read as this session's next events"
                                            + " and were kept (a value in them may be wrong); ");
        }
        if (kept == 0) {
            text.append("nothing in it could be read, so the session could not be loaded");
        } else if (salvage.readToTheEnd()) {
            text.append(kept == 1 ? "kept its only event" : "kept all " + kept + " events");
        } else {
            text.append("kept the first ")
                    .append(kept == 1 ? "event" : kept + " events")
                    .append(", later ones are lost");
        }
        if (lost != null) {
            text.append(WENT_ON_FROM).append(lost.seq() + 1).append(", after any they had)");
        }
        if (aside.cut()) {
            text.append("; the first ")
                    .append(aside.keptBytes())
                    .append(" of its ")
                    .append(aside.size())
                    .append(" bytes (up to where reading stopped and at most ")
                    .append(MAX_COPY_PAST_STOP >> 20)
                    .append(" MiB past it) are kept as ")
                    .append(aside.copy().getFileName())
                    .append(": this file system gives a file no second name, and a whole copy could fill the disk");
        } else {
            text.append("; the original is kept as ").append(aside.copy().getFileName());
        }
        return text.append(" (found ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append(")")
                .toString();
    }

    /** Writes the kept records to a new journal (a fresh header, the intact records, the salvaged ones) in its place. */
    private void rewrite(Path file, FileChannel channel, Scan scan, List<byte[]> payloads, List<SessionEvent> events)
            throws IOException {
        long[] relative = new long[payloads.size()];
        ByteBuffer framed = JournalFormat.frame(payloads, relative);
        Path next = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(next);
        try (FileChannel out = files.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(out, JournalFormat.header(), 0);
            long position = JournalFormat.HEADER_BYTES;
            // transferTo writes at the target's own position
            out.position(position);
            while (position < scan.end) {
                position += transferred(channel.transferTo(position, scan.end - position, out));
            }
            writeFully(out, framed, scan.end);
            out.force(true);
        }
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel folder = files.open(files.directory, StandardOpenOption.READ)) {
            folder.force(true);
        }
        long base = scan.end;
        for (int i = 0; i < relative.length; i++) {
            scan.add(
                    base + relative[i],
                    base + framed.limit(),
                    events.get(i).firstSeq(),
                    events.get(i).seq());
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes, long position) throws IOException {
        ByteBuffer source = bytes.duplicate();
        long at = position;
        while (source.hasRemaining()) {
            at += out.write(source, at);
        }
    }

    private static String check(SessionId id, long offset, SessionEvent event, long expectedSeq) {
        if (!event.sessionId().equals(id)) {
            return "the record at byte " + offset + " belongs to session " + event.sessionId();
        }
        if (event.firstSeq() != expectedSeq) {
            return "the record at byte " + offset + " has seq " + event.firstSeq() + " where " + expectedSeq
                    + " was expected";
        }
        if (event.seq() > MAX_SEQ) {
            return "the record at byte " + offset + " ends at seq " + event.seq() + ", beyond any a journal writes";
        }
        return null;
    }

    /** A decoder's words about hostile bytes, cut to a length a log line and a note can carry. */
    private static String quoted(String words) {
        String text = String.valueOf(words);
        return text.length() <= LONGEST_QUOTE ? text : text.substring(0, LONGEST_QUOTE) + "…";
    }

    private static ByteBuffer readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(length);
        while (bytes.hasRemaining() && channel.read(bytes, position + bytes.position()) >= 0) {
            // read until full
        }
        return bytes.flip();
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Keeps the journal as this start found it beside it: by a second name for the file that was read ({@code read}, its
     * key; null when the name may have been swapped while it was opened), or, where there is no such name, by a copy of
     * it up to where reading stopped ({@code stoppedAt}) and at most {@link #MAX_COPY_PAST_STOP} bytes past it.
     */
    private Aside setAside(SessionId id, Path file, FileChannel channel, Object read, long stoppedAt)
            throws IOException {
        long size = channel.size();
        for (int tries = 0; read != null && tries < 3; tries++) {
            Path link = files.freeDamagedCopy(id);
            try {
                if (files.linkAside(link, file, read)) {
                    return new Aside(link, size, size);
                }
                LOG.log(
                        System.Logger.Level.WARNING,
                        "session " + id + ": the journal was swapped for another file while it was read; the one read"
                                + " is copied aside instead");
                break;
            } catch (FileAlreadyExistsException taken) {
                // something took the free name meanwhile: the next free one
            } catch (UnsupportedOperationException | FileSystemException noLinks) {
                LOG.log(
                        System.Logger.Level.INFO,
                        "session " + id + ": the damaged journal cannot be given a second name ("
                                + FileJournal.reason(noLinks) + "); it is copied aside, at most "
                                + (MAX_COPY_PAST_STOP >> 20)
                                + " MiB past where reading stopped");
                break;
            }
        }
        long keep = Math.min(size, Math.max(0, stoppedAt) + MAX_COPY_PAST_STOP);
        Path copy = files.freeDamagedCopy(id);
        // copied from the open journal, not by name: the evidence is exactly the bytes this start found
        try (FileChannel copied = files.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long position = 0;
            while (position < keep) {
                position += transferred(channel.transferTo(position, keep - position, copied));
            }
            copied.force(true);
        }
        return new Aside(copy, keep, size);
    }

    /** A copy from the journal moved on: nothing moved means the file shrank while it was read. */
    private static long transferred(long bytes) throws IOException {
        if (bytes <= 0) {
            throw new IOException("the journal shrank while it was read");
        }
        return bytes;
    }

    /** Adds the message to the session's damage note; false when the note could not be written (said in the log). */
    private boolean addDamageNote(SessionId id, String message) throws IOException {
        Path note = files.damageNote(id);
        String earlier;
        try {
            earlier = files.readSmall(note).orElse("");
        } catch (FileSystemException notOurs) {
            // a link or something else in the note's place: it is replaced as an entry, never read or written through
            earlier = "";
        }
        try {
            files.replaceDurably(note, earlier + message + "\n");
            return true;
        } catch (IOException notWritten) {
            // something not the journal's in the note's place (a folder): the damage is still handled and reported
            LOG.log(
                    System.Logger.Level.WARNING,
                    "session " + id + ": the note about its damage could not be written to " + note + " ("
                            + FileJournal.reason(notWritten) + "); it is reported on this start only");
            return false;
        }
    }

    private String readDamageNote(SessionId id) {
        Path note = files.damageNote(id);
        if (!Files.exists(note, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        String text = FileJournal.readNote(files, note);
        return text.isEmpty() ? null : text;
    }
}
