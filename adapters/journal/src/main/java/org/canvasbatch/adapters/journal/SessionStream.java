package org.canvasbatch.adapters.journal;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;

/**
 * What the journal remembers of one session between reads: where each durable record starts in its file. The events
 * themselves stay on disk, so an idle session costs a few hundred bytes plus 8 bytes per event.
 */
final class SessionStream {

    /** The byte range of the records of seqs {@code (afterSeq, afterSeq + count]}. */
    record Range(long from, long to) {}

    final SessionId id;
    /** Serialises appends (and delete) of this session; held until the records are durable and published. */
    final ReentrantLock appendLock = new ReentrantLock();

    final List<Consumer<SessionEvent>> listeners = new CopyOnWriteArrayList<>();

    /** Set under {@link #appendLock} once the files are gone; a later append starts a new stream. */
    boolean deleted;

    // Only the writer thread touches these after open.
    /** The file exists (perhaps holding only its header). */
    boolean fileExists;
    /** The file's directory entry is known to be durable. */
    boolean entryDurable;
    /** A sync of the file is in flight, so the writer must not close it. */
    volatile boolean syncing;

    // Guarded by this: offsets[i] is where the record of seq i + 1 starts (the seqs of one EventsLost share its
    // record); end is where the next record goes.
    private long[] offsets;
    private int count;
    private long end;
    /** Some record takes several seqs: ranges are counted in records, not in seqs. */
    private final boolean sharedRecords;

    private SessionStream(SessionId id, long[] offsets, int count, long end, boolean onDisk) {
        this.id = id;
        this.offsets = offsets;
        this.count = count;
        this.end = end;
        boolean shared = false;
        for (int i = 1; i < count && !shared; i++) {
            shared = offsets[i] == offsets[i - 1];
        }
        this.sharedRecords = shared;
        this.fileExists = onDisk;
        this.entryDurable = onDisk;
    }

    static SessionStream empty(SessionId id) {
        return new SessionStream(id, new long[0], 0, JournalFormat.HEADER_BYTES, false);
    }

    static SessionStream recovered(SessionId id, long[] offsets, int count, long end) {
        return new SessionStream(id, Arrays.copyOf(offsets, count), count, end, true);
    }

    synchronized long nextSeq() {
        return count + 1L;
    }

    synchronized long end() {
        return end;
    }

    synchronized int count() {
        return count;
    }

    /** Where the records of the events after {@code afterSeq} lie, at most {@code limit} of them; null if none. */
    synchronized Range range(long afterSeq, int limit) {
        long first = Math.max(0, afterSeq);
        if (first >= count || limit <= 0) {
            return null;
        }
        long last;
        if (!sharedRecords) {
            last = Math.min(count, first + limit);
        } else {
            // at most limit records, each whole: the seqs of an EventsLost share its one record
            last = first;
            for (int records = 0; last < count && records < limit; records++) {
                long start = offsets[(int) last];
                do {
                    last++;
                } while (last < count && offsets[(int) last] == start);
            }
        }
        return new Range(offsets[(int) first], last == count ? end : offsets[(int) last]);
    }

    /** Records written at {@code base} are durable: index them. */
    synchronized void commit(long base, long[] relativeOffsets, int records, int bytes) {
        if (offsets.length < count + records) {
            offsets = Arrays.copyOf(offsets, Math.max(count + records, offsets.length + (offsets.length >> 1) + 8));
        }
        for (int i = 0; i < records; i++) {
            offsets[count++] = base + relativeOffsets[i];
        }
        end = base + bytes;
    }
}
