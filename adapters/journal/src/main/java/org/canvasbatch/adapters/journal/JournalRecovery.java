package org.canvasbatch.adapters.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;

/**
 * Brings one session's journal back when the journal opens. Every intact record before the first problem is kept. A
 * problem with nothing intact after it is the record a crash cut short — it was never acknowledged, so it is cut
 * away. A problem followed by intact records is damage: the original is copied aside for inspection, the journal is
 * cut back to what can be trusted, and a note explains what was lost, on this start and every later one.
 */
final class JournalRecovery {

    private static final System.Logger LOG = System.getLogger(JournalRecovery.class.getName());
    /** A torn tail is at most one round of appends; more than this after a bad record can only be damage. */
    private static final long MAX_TAIL_SEARCH_BYTES = 64L << 20;

    /** The session's durable records (null if none are left) and what damage was found, now or on an earlier start. */
    record Recovered(SessionStream stream, String damage) {}

    private final JournalFiles files;
    private final SessionEventCodec codec;

    JournalRecovery(JournalFiles files, SessionEventCodec codec) {
        this.files = files;
        this.codec = codec;
    }

    Recovered recover(SessionId id) throws IOException {
        Path file = files.journal(id);
        long[] offsets = new long[64];
        int count = 0;
        long end;
        String problem = null;
        try (FileChannel channel = files.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            end = JournalFormat.HEADER_BYTES;
            problem = size < JournalFormat.HEADER_BYTES ? null : headerProblem(channel);
            if (size >= JournalFormat.HEADER_BYTES && problem == null) {
                var reader = new RecordReader(channel, JournalFormat.HEADER_BYTES, size);
                scan:
                while (true) {
                    switch (reader.next()) {
                        case RecordReader.End e -> {
                            break scan;
                        }
                        case RecordReader.Intact intact -> {
                            problem = check(id, intact, count + 1);
                            if (problem != null) {
                                break scan;
                            }
                            if (count == offsets.length) {
                                offsets = Arrays.copyOf(offsets, count * 2);
                            }
                            offsets[count++] = intact.offset();
                            end = intact.offset() + JournalFormat.FRAME_BYTES + intact.payload().length;
                        }
                        case RecordReader.Broken broken -> {
                            if (intactRecordAfter(channel, broken.offset() + 1, size)) {
                                problem = broken.why() + " at byte " + broken.offset();
                            } else {
                                LOG.log(
                                        System.Logger.Level.INFO,
                                        "session " + id + ": cut away " + (size - end)
                                                + " bytes of a record a stop interrupted (" + broken.why() + ")");
                                channel.truncate(end);
                                channel.force(true);
                            }
                            break scan;
                        }
                    }
                }
            }
            if (problem != null) {
                setAside(id, file, channel, end, count, problem);
            }
        }
        String damage = readDamageNote(id);
        if (count == 0) {
            // nothing of this session is left to load: a journal created but never written, or damaged from the start
            Files.deleteIfExists(file);
            return new Recovered(null, damage);
        }
        return new Recovered(SessionStream.recovered(id, offsets, count, end), damage);
    }

    private static String headerProblem(FileChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(JournalFormat.HEADER_BYTES);
        while (header.hasRemaining() && channel.read(header, header.position()) >= 0) {
            // read until full
        }
        header.flip();
        int magic = header.getInt();
        int format = header.getInt();
        if (magic != JournalFormat.MAGIC) {
            return "the file is not a canvas-batch journal";
        }
        if (format != JournalFormat.FORMAT) {
            return "the journal is in format " + format + ", this canvas-batch reads format " + JournalFormat.FORMAT;
        }
        return null;
    }

    private String check(SessionId id, RecordReader.Intact intact, long expectedSeq) {
        SessionEvent event;
        try {
            event = codec.decode(intact.payload());
        } catch (UnreadableRecordException e) {
            return "unreadable record at byte " + intact.offset() + " (" + e.getMessage() + ")";
        }
        if (!event.sessionId().equals(id)) {
            return "the record at byte " + intact.offset() + " belongs to session " + event.sessionId();
        }
        if (event.seq() != expectedSeq) {
            return "the record at byte " + intact.offset() + " has seq " + event.seq() + " where " + expectedSeq
                    + " was expected";
        }
        return null;
    }

    private static boolean intactRecordAfter(FileChannel channel, long from, long size) throws IOException {
        long remaining = size - from;
        if (remaining <= 0) {
            return false;
        }
        if (remaining > MAX_TAIL_SEARCH_BYTES) {
            return true;
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) remaining);
        while (bytes.hasRemaining() && channel.read(bytes, from + bytes.position()) >= 0) {
            // read until full
        }
        byte[] tail = bytes.array();
        for (int at = 0; at + JournalFormat.FRAME_BYTES < bytes.position(); at++) {
            if (JournalFormat.intactRecordAt(tail, at)) {
                return true;
            }
        }
        return false;
    }

    private void setAside(SessionId id, Path file, FileChannel channel, long end, int kept, String problem)
            throws IOException {
        Path copy = files.freeDamagedCopy(id);
        // copied from the open journal, not by name: the evidence is exactly the bytes this start found
        try (FileChannel copied = files.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = channel.size();
            long position = 0;
            while (position < size) {
                position += channel.transferTo(position, size - position, copied);
            }
            copied.force(true);
        }
        String message = "journal damaged (" + problem + "): kept the first " + kept + " events, later ones are"
                + " lost; the original is kept as " + copy.getFileName() + " (found "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ")";
        LOG.log(System.Logger.Level.WARNING, "session " + id + ": " + message);
        addDamageNote(id, message);
        // only once the evidence is safe is the journal cut back to what can be trusted
        channel.truncate(end);
        channel.force(true);
    }

    private void addDamageNote(SessionId id, String message) throws IOException {
        Path note = files.damageNote(id);
        String earlier;
        try {
            earlier = files.readSmall(note).orElse("");
        } catch (FileSystemException notOurs) {
            // a link or something else in the note's place: it is replaced as an entry, never read or written through
            earlier = "";
        }
        files.replaceDurably(note, earlier + message + "\n");
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
