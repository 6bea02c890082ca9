package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.adapters.http.ws.OutboundQueue.Offer;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {

    private static Outgoing.Message event(String type, long seq) {
        return new Outgoing.Message(type, seq, false, 0, false, false, type + "#" + seq, null);
    }

    private static Outgoing.Message progress(int group, long seq) {
        return new Outgoing.Message(
                "progress_update", seq, true, group, false, false, "progress g" + group + "#" + seq, null);
    }

    private static List<String> drain(OutboundQueue queue) {
        List<String> taken = new ArrayList<>();
        for (Outgoing next = queue.poll(); next != null; next = queue.poll()) {
            taken.add(
                    switch (next) {
                        case Outgoing.Message m -> m.text();
                        case Outgoing.Close c -> "close " + c.code();
                        case Outgoing.Ping p -> "ping";
                        default -> "other";
                    });
        }
        return taken;
    }

    @Test
    void aSocketThatKeepsUpGetsEveryProgressUpdateEvenTwoOfOneGroupInARow() {
        OutboundQueue queue = new OutboundQueue(10);

        queue.offer(event("task_completed", 5));
        queue.offer(progress(1, 5));
        queue.offer(event("task_completed", 6));
        Offer last = queue.offer(progress(1, 6));

        assertThat(last).isEqualTo(Offer.ACCEPTED);
        assertThat(drain(queue))
                .containsExactly("task_completed#5", "progress g1#5", "task_completed#6", "progress g1#6");
    }

    @Test
    void behindByHalfTheQueueAnUnsentProgressUpdateIsReplacedByTheNewerOneOfItsGroupAfterTheNewerEvent() {
        OutboundQueue queue = new OutboundQueue(10);
        queue.offer(event("task_started", 1));
        queue.offer(event("task_started", 2));

        queue.offer(event("task_completed", 5));
        queue.offer(progress(1, 5));
        queue.offer(event("task_completed", 6));
        queue.offer(progress(2, 6));
        queue.offer(event("task_failed", 7));
        Offer last = queue.offer(progress(1, 7));

        assertThat(last).isEqualTo(Offer.COALESCED);
        assertThat(drain(queue))
                .containsExactly(
                        "task_started#1",
                        "task_started#2",
                        "task_completed#5",
                        "task_completed#6",
                        "progress g2#6",
                        "task_failed#7",
                        "progress g1#7");
    }

    @Test
    void anIdleQueueWakesOneDrainForWhatArrivesAndAnotherOnlyAfterTheFirstReleasedIt() {
        java.util.concurrent.atomic.AtomicInteger wakes = new java.util.concurrent.atomic.AtomicInteger();
        OutboundQueue queue = new OutboundQueue(10, wakes::incrementAndGet);

        queue.offer(event("task_started", 1));
        assertThat(wakes).hasValue(0); // the first drain owns a new queue
        assertThat(drain(queue)).containsExactly("task_started#1");
        assertThat(queue.release()).isTrue();

        queue.offer(event("task_started", 2));
        queue.offer(event("task_started", 3));
        queue.control(new Outgoing.Ping());
        assertThat(wakes).hasValue(1);
        assertThat(queue.poll()).isInstanceOf(Outgoing.Ping.class);
        queue.offer(event("task_started", 4));
        assertThat(queue.release()).as("items wait: the drain must go on").isFalse();
        assertThat(drain(queue)).containsExactly("task_started#2", "task_started#3", "task_started#4");
        assertThat(queue.release()).isTrue();
        assertThat(wakes).hasValue(1);
    }

    @Test
    void aFullQueueRefusesEventsButStillTakesAProgressUpdateThatReplacesAnOlderOne() {
        OutboundQueue queue = new OutboundQueue(3);
        queue.offer(event("task_completed", 1));
        queue.offer(progress(1, 1));
        queue.offer(event("task_completed", 2));

        assertThat(queue.offer(progress(1, 2))).isEqualTo(Offer.COALESCED);
        assertThat(queue.offer(event("task_completed", 3))).isEqualTo(Offer.OVERFLOW);
        assertThat(queue.offer(progress(2, 3))).isEqualTo(Offer.OVERFLOW);
    }

    @Test
    void controlFramesGoFirstAndAClosingQueueDropsTheRestAndRefusesMore() {
        OutboundQueue queue = new OutboundQueue(5);
        queue.offer(event("task_started", 1));
        queue.control(new Outgoing.Ping());

        assertThat(queue.poll()).isInstanceOf(Outgoing.Ping.class);
        queue.closeWith(new Outgoing.Close(4429, "slow consumer"));

        assertThat(queue.poll()).isEqualTo(new Outgoing.Close(4429, "slow consumer"));
        assertThat(queue.offer(event("task_started", 2))).isEqualTo(Offer.CLOSED);
        assertThat(queue.size()).isZero();
    }

    @Test
    void theSessionIdIsFoundWhereverTheRoutePutsIt() {
        assertThat(SocketListener.sessionIdOf("/ws/intelligent-parallel/abc")).isEqualTo("abc");
        assertThat(SocketListener.sessionIdOf("/api/v1/ws/intelligent-parallel/abc/"))
                .isEqualTo("abc");
        assertThat(SocketListener.sessionIdOf("//ws/intelligent-parallel//abc")).isEqualTo("abc");
        assertThat(SocketListener.sessionIdOf("/ws/intelligent-parallel/")).isEmpty();
    }

    @Test
    void aClientThatPingsWithoutReadingHasOnlyItsLatestPingAnswered() {
        OutboundQueue queue = new OutboundQueue(10);
        for (int i = 0; i < 100_000; i++) {
            queue.control(new Outgoing.Pong(new byte[] {(byte) (i >>> 8), (byte) i}));
        }
        queue.control(new Outgoing.Ping());

        assertThat(queue.poll())
                .isInstanceOfSatisfying(
                        Outgoing.Pong.class,
                        pong -> assertThat(pong.payload()).containsExactly((byte) (99_999 >>> 8), (byte) 99_999));
        assertThat(queue.poll()).isInstanceOf(Outgoing.Ping.class);
        assertThat(queue.poll()).isNull();
    }
}
