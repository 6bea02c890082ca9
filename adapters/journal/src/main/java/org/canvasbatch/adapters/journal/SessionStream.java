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

    /**
     * A record that takes several seqs (an {@code EventsLost}): record {@code index} holds seqs {@code first}–{@code
     * last}. Every other record takes one seq, the one after the record before it.
     */
    record Span(int index, long first, long last) {}

    // Guarded by this: offsets[i] is where record i starts; end is where the next record goes.
    private long[] offsets;
    private int count;
    private long end;
    /** The records that take several seqs, in order; nearly always none. */
    private final List<Span> spans;
    /** How many more seqs than records the spans take. */
    private final long extraSeqs;

    private SessionStream(SessionId id, long[] offsets, int count, long end, boolean onDisk, List<Span> spans) {
        this.id = id;
        this.offsets = offsets;
        this.count = count;
        this.end = end;
        this.spans = List.copyOf(spans);
        long extra = 0;
        for (Span span : spans) {
            extra += span.last() - span.first();
        }
        this.extraSeqs = extra;
        this.fileExists = onDisk;
        this.entryDurable = onDisk;
    }

    static SessionStream empty(SessionId id) {
        return new SessionStream(id, new long[0], 0, JournalFormat.HEADER_BYTES, false, List.of());
    }

    static SessionStream recovered(SessionId id, long[] offsets, int count, long end, List<Span> spans) {
        return new SessionStream(id, Arrays.copyOf(offsets, count), count, end, true, spans);
    }

    synchronized long nextSeq() {
        return count + extraSeqs + 1L;
    }

    synchronized long end() {
        return end;
    }

    /** The records, which is the events. */
    synchronized int count() {
        return count;
    }

    /** Where the records of the events after {@code afterSeq} lie, at most {@code limit} of them; null if none. */
    synchronized Range range(long afterSeq, int limit) {
        long first = firstRecordAfter(Math.max(0, afterSeq));
        if (first >= count || limit <= 0) {
            return null;
        }
        long last = Math.min(count, first + limit);
        return new Range(offsets[(int) first], last == count ? end : offsets[(int) last]);
    }

    /** The first record holding a seq after {@code seq}. */
    private long firstRecordAfter(long seq) {
        long shift = 0;
        for (Span span : spans) {
            long index = seq - shift;
            if (index <= span.index()) {
                return index;
            }
            if (seq < span.last()) {
                return span.index();
            }
            shift += span.last() - span.first();
        }
        return seq - shift;
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
