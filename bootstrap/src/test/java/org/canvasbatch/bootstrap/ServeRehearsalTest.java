package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rehearsal batches a fresh {@code serve} runs so that its first real batch finds the code compiled: whole batches
 * through the agent's stand-in only, never the agent itself; stopped for the server's own batch; nothing left behind.
 */
class ServeRehearsalTest {

    private static final Set<String> COLORS = Set.of("1", "6");

    /** An agent that counts what reaches it and what reaches its rehearsal stand-in. */
    private static final class CountingAgent implements AgentRunner {
        final AtomicInteger realCalls = new AtomicInteger();
        final AtomicInteger rehearsedCalls = new AtomicInteger();
        final Set<String> rehearsedNodes = ConcurrentHashMap.newKeySet();
        /** Rehearsed calls after this many wait until the test ends (0: none wait). */
        private final int answeredCalls;

        final CountDownLatch held = new CountDownLatch(1);
        private final boolean canRehearse;

        CountingAgent(boolean canRehearse) {
            this(canRehearse, 0);
        }

        CountingAgent(boolean canRehearse, int answeredCalls) {
            this.canRehearse = canRehearse;
            this.answeredCalls = answeredCalls;
        }

        @Override
        public AgentAnswer run(AgentRequest request) {
            realCalls.incrementAndGet();
            return new AgentAnswer("# A real note\n", model());
        }

        @Override
        public String model() {
            return "counting";
        }

        @Override
        public Optional<AgentRunner> rehearsal() {
            if (!canRehearse) {
                return Optional.empty();
            }
            return Optional.of(new AgentRunner() {
                @Override
                public AgentAnswer run(AgentRequest request) throws InterruptedException {
                    int call = rehearsedCalls.incrementAndGet();
                    rehearsedNodes.add(request.nodeId());
                    if (answeredCalls > 0 && call > answeredCalls) {
                        // the rest of the batch cannot end before the rehearsal has seen the server's own work
                        held.await();
                    }
                    return new AgentAnswer("# Rehearsed\n\nA made-up note about " + request.nodeText() + "\n", model());
                }

                @Override
                public String model() {
                    return "counting";
                }
            });
        }
    }

    @Test
    void rehearsesWholeBatchesThroughTheStandInOnlyAndLeavesNoFolderBehind() throws Exception {
        CountingAgent agent = new CountingAgent(true);
        List<Path> before = rehearsalFolders();

        ServeRehearsal.Outcome outcome = ServeRehearsal.start(
                        agent, CoreSettings.DEFAULT, VaultOptions.defaults(), COLORS, () -> false)
                .get(5, TimeUnit.MINUTES);

        assertThat(outcome.batches()).isEqualTo(ServeRehearsal.BATCHES);
        assertThat(outcome.notes()).isEqualTo(ServeRehearsal.BATCHES * ServeRehearsal.NODES);
        assertThat(outcome.interrupted()).isFalse();
        assertThat(agent.rehearsedCalls.get()).isEqualTo(ServeRehearsal.BATCHES * ServeRehearsal.NODES);
        assertThat(agent.rehearsedNodes).hasSize(ServeRehearsal.NODES);
        assertThat(agent.realCalls.get()).as("the agent itself is never asked").isZero();
        assertThat(rehearsalFolders()).as("the throwaway folder is deleted").isEqualTo(before);
    }

    @Test
    void stopsAsSoonAsTheServerHasABatchOfItsOwn() throws Exception {
        CountingAgent agent = new CountingAgent(true, 10);

        ServeRehearsal.Outcome outcome;
        try {
            outcome = ServeRehearsal.start(
                            agent,
                            CoreSettings.DEFAULT,
                            VaultOptions.defaults(),
                            COLORS,
                            () -> agent.rehearsedCalls.get() >= 10)
                    .get(5, TimeUnit.MINUTES);
        } finally {
            agent.held.countDown();
        }

        assertThat(outcome.interrupted()).isTrue();
        assertThat(outcome.batches()).as("no batch after the server's own came").isEqualTo(1);
        assertThat(outcome.notes()).isLessThan(ServeRehearsal.NODES);
        assertThat(agent.realCalls.get()).isZero();
    }

    @Test
    void anAgentWithoutAStandInIsNotRehearsed() throws Exception {
        CountingAgent agent = new CountingAgent(false);

        ServeRehearsal.Outcome outcome = ServeRehearsal.start(
                        agent, CoreSettings.DEFAULT, VaultOptions.defaults(), COLORS, () -> false)
                .get(1, TimeUnit.MINUTES);

        assertThat(outcome).isEqualTo(new ServeRehearsal.Outcome(0, 0, false));
        assertThat(agent.realCalls.get()).isZero();
    }

    @Test
    void aKilledServersRehearsalFolderIsDeletedByTheNextRehearsalAndALiveOnesIsKept(@TempDir Path temporary)
            throws Exception {
        Process ended = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"), "-version")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        ended.waitFor();
        Path killed =
                Files.createDirectories(temporary.resolve(ServeRehearsal.FOLDER_PREFIX + ended.pid() + "-123/vault"));
        Files.writeString(killed.resolve("Rehearsal.canvas"), "{}");
        Path live = Files.createDirectories(temporary.resolve(
                ServeRehearsal.FOLDER_PREFIX + ProcessHandle.current().pid() + "-456"));
        Path notOurs = Files.createDirectories(temporary.resolve(ServeRehearsal.FOLDER_PREFIX + "notes"));

        ServeRehearsal.sweepLeftovers(temporary);

        assertThat(killed.getParent()).doesNotExist();
        assertThat(live).isDirectory();
        assertThat(notOurs).isDirectory();
    }

    private static List<Path> rehearsalFolders() throws IOException {
        try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(path -> path.getFileName().toString().startsWith(ServeRehearsal.FOLDER_PREFIX))
                    .sorted()
                    .toList();
        }
    }
}
