package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Two open sockets of one plugin window: one of them sends the window everything, its events and then its end, so the
 * end never overtakes an event on the other socket ("5个节点" for 6).
 */
class SharedWindowTest {

    private final Object first = new Object();
    private final Object second = new Object();

    @Test
    void theSocketThatTookAnEventSendsTheRestAndTheEnd() {
        SharedWindow window = twoSockets();

        assertThat(window.take(first, 1)).isTrue();
        assertThat(window.take(second, 2))
                .as("a later event on the other socket")
                .isFalse();
        assertThat(window.takeEnd(second)).as("the end on the other socket").isFalse();
        assertThat(window.take(first, 2)).isTrue();
        assertThat(window.takeEnd(first)).isTrue();
        assertThat(window.takeEnd(first)).as("the end once").isFalse();
    }

    @Test
    void anotherSocketGoesOnAfterWhatTheFirstWasHandedOnceItIsGone() {
        SharedWindow window = twoSockets();
        window.take(first, 1);
        window.take(first, 2);

        assertThat(window.detach(first, 2)).isEqualTo(SharedWindow.Left.OTHERS_GO_ON);
        assertThat(window.take(second, 2)).as("already handed").isFalse();
        assertThat(window.take(second, 3)).isTrue();
        assertThat(window.takeEnd(second)).isTrue();
        assertThat(window.detach(second, 3)).as("no socket left").isEqualTo(SharedWindow.Left.LAST);
    }

    @Test
    void whenTheSpeakingSocketLeavesBeforeTheWindowSurelyHadWhatItWasHandedNoOtherSocketTakesAnything() {
        SharedWindow window = twoSockets();
        window.take(first, 1);
        window.take(first, 2);

        assertThat(window.detach(first, 1))
                .as("the window surely got 1 of 2: the other socket passed 2 and must close")
                .isEqualTo(SharedWindow.Left.OTHERS_MUST_RECONNECT);
        assertThat(window.take(second, 3)).as("an event after the dropped one").isFalse();
        assertThat(window.takeEnd(second)).as("the end after the dropped one").isFalse();
        assertThat(window.detach(second, 0)).isEqualTo(SharedWindow.Left.LAST);
    }

    @Test
    void aSilentSocketLeavingChangesNothingForTheSpeakingOne() {
        SharedWindow window = twoSockets();
        window.take(first, 1);
        window.take(first, 2);

        assertThat(window.detach(second, 0)).isEqualTo(SharedWindow.Left.OTHERS_GO_ON);
        assertThat(window.take(first, 3)).isTrue();
        assertThat(window.takeEnd(first)).isTrue();
    }

    @Test
    void anEventTheOtherSocketPassedWhileTheSpeakerHadItQueuedIsSentAgainWhenTheSpeakerLeavesWithoutIt() {
        // the speaking socket wrote 1 and 2, which settled; 3 came to both sockets: the other one refused it at once
        // (the first speaks), and the plugin closed the first (a minimize) before its drain took 3, dropping its queue
        SharedWindow window = twoSockets();
        window.take(first, 1);
        window.take(first, 2);
        assertThat(window.take(second, 3)).isFalse();

        assertThat(window.detach(first, 2))
                .as("no socket of the window sent 3, and the other one is past it")
                .isEqualTo(SharedWindow.Left.OTHERS_MUST_RECONNECT);
        assertThat(window.take(second, 4)).as("an event after the lost one").isFalse();
    }

    @Test
    void anEndTheOtherSocketPassedWhileTheSpeakerHadItQueuedIsSentAgainWhenTheSpeakerLeavesWithoutIt() {
        // the same with the end: the window would wait for session_completed for ever on a socket that refused it
        SharedWindow window = twoSockets();
        window.take(first, 1);
        assertThat(window.takeEnd(second)).isFalse();

        assertThat(window.detach(first, 1))
                .as("no socket of the window sent the end, and the other one is past it")
                .isEqualTo(SharedWindow.Left.OTHERS_MUST_RECONNECT);
    }

    @Test
    void aSocketThatJoinsOnceTheWindowsSocketsAreClosedLearnsHowTheyWere() {
        // the closing's look through the open sockets misses one listed after it: that one closes itself this way
        SharedWindow window = twoSockets();
        assertThat(window.closing()).isNull();

        window.closeAll(new SharedWindow.Closing(Connection.WINDOW_RESUMES, "window resumes on a new socket"));
        window.closeAll(new SharedWindow.Closing(Connection.NORMAL, "session completed"));

        assertThat(window.closing())
                .as("the first way stands")
                .isEqualTo(new SharedWindow.Closing(Connection.WINDOW_RESUMES, "window resumes on a new socket"));
    }

    private SharedWindow twoSockets() {
        SharedWindow window = new SharedWindow();
        window.attach();
        window.attach();
        return window;
    }
}
