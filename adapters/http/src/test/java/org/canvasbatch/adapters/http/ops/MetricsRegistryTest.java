package org.canvasbatch.adapters.http.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetricsRegistryTest {

    private final MetricsRegistry registry = new MetricsRegistry();

    @Test
    void countersAreRenderedWithHelpTypeAndOneLinePerSeries() {
        var nodes = registry.counter("canvasbatch_nodes_succeeded_total", "Nodes whose note was written.", "agent");
        nodes.inc("oral-explanation");
        nodes.inc("oral-explanation");
        nodes.add(3, "comparison-table");

        assertThat(registry.scrape()).isEqualTo("""
                # HELP canvasbatch_nodes_succeeded_total Nodes whose note was written.
                # TYPE canvasbatch_nodes_succeeded_total counter
                canvasbatch_nodes_succeeded_total{agent="comparison-table"} 3
                canvasbatch_nodes_succeeded_total{agent="oral-explanation"} 2
                """);
    }

    @Test
    void anUnlabelledCounterIsThereAtZeroBeforeAnythingHappened() {
        registry.counter("canvasbatch_events_total", "Events.");

        assertThat(registry.scrape()).contains("canvasbatch_events_total 0\n");
    }

    @Test
    void histogramsHaveCumulativeBucketsInfSumAndCount() {
        var latency = registry.histogram(
                "canvasbatch_agent_call_seconds", "Agent calls.", new double[] {0.1, 1, 10}, "agent", "model");
        latency.observe(0.05, "memory-anchor", "offline");
        latency.observe(0.5, "memory-anchor", "offline");
        latency.observe(0.5, "memory-anchor", "offline");
        latency.observe(42, "memory-anchor", "offline");

        assertThat(registry.scrape()).contains("""
                canvasbatch_agent_call_seconds_bucket{agent="memory-anchor",model="offline",le="0.1"} 1
                canvasbatch_agent_call_seconds_bucket{agent="memory-anchor",model="offline",le="1"} 3
                canvasbatch_agent_call_seconds_bucket{agent="memory-anchor",model="offline",le="10"} 3
                canvasbatch_agent_call_seconds_bucket{agent="memory-anchor",model="offline",le="+Inf"} 4
                canvasbatch_agent_call_seconds_sum{agent="memory-anchor",model="offline"} 43.05
                canvasbatch_agent_call_seconds_count{agent="memory-anchor",model="offline"} 4
                """).contains("# TYPE canvasbatch_agent_call_seconds histogram\n");
        assertThat(latency.count("memory-anchor", "offline")).isEqualTo(4);
    }

    @Test
    void gaugesAreReadAtEveryScrapeSoTheyFollowTheirSource() {
        int[] sessions = {2};
        registry.gauge("canvasbatch_sessions", "Sessions by state.", List.of("state"), samples -> {
            samples.sample(sessions[0], "running");
            samples.sample(0, "paused");
        });
        registry.gauge("canvasbatch_up", "Always 1.", () -> 1);

        String first = registry.scrape();
        sessions[0] = 5;
        String second = registry.scrape();

        assertThat(first)
                .contains(
                        "canvasbatch_sessions{state=\"running\"} 2\n",
                        "canvasbatch_sessions{state=\"paused\"} 0\n",
                        "# TYPE canvasbatch_sessions gauge",
                        "canvasbatch_up 1\n");
        assertThat(second).contains("canvasbatch_sessions{state=\"running\"} 5\n");
    }

    @Test
    void aBrokenSourceLeavesOnlyItsOwnSeriesOut() {
        registry.gauge("canvasbatch_broken", "Fails.", () -> {
            throw new IllegalStateException("no core");
        });
        registry.gauge("canvasbatch_fine", "Works.", () -> 7);

        assertThat(registry.scrape()).doesNotContain("\ncanvasbatch_broken ").contains("\ncanvasbatch_fine 7\n");
    }

    @Test
    void labelValuesAreEscaped() {
        registry.counter("canvasbatch_odd_total", "Odd labels.", "reason").inc("say \"no\"\\\nnow");

        assertThat(registry.scrape()).contains("canvasbatch_odd_total{reason=\"say \\\"no\\\"\\\\\\nnow\"} 1\n");
    }

    @Test
    void mistakesInNamesAndLabelsAreCaughtWhenRegistering() {
        assertThatThrownBy(() -> registry.counter("bad-name", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.counter("ok_total", "x", "le")).isInstanceOf(IllegalArgumentException.class);
        registry.counter("twice_total", "x");
        assertThatThrownBy(() -> registry.counter("twice_total", "x")).hasMessageContaining("already registered");
        var labelled = registry.counter("labelled_total", "x", "a", "b");
        assertThatThrownBy(() -> labelled.inc("only-one")).hasMessageContaining("2 label value(s)");
        assertThatThrownBy(() -> registry.histogram("h", "x", new double[] {1, 1}))
                .hasMessageContaining("ascend");
    }

    @Test
    void concurrentRecordingLosesNothing() throws Exception {
        var counter = registry.counter("canvasbatch_hits_total", "Hits.", "kind");
        var histogram = registry.histogram("canvasbatch_wait_seconds", "Waits.", new double[] {0.5});
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < 4; t++) {
            threads.execute(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 10_000; i++) {
                    counter.inc(i % 2 == 0 ? "even" : "odd");
                    histogram.observe(i % 2 == 0 ? 0.1 : 0.9);
                }
            });
        }
        start.countDown();
        threads.shutdown();
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        assertThat(counter.value("even") + counter.value("odd")).isEqualTo(40_000);
        assertThat(registry.scrape())
                .contains(
                        "canvasbatch_wait_seconds_bucket{le=\"0.5\"} 20000\n",
                        "canvasbatch_wait_seconds_count 40000\n");
    }
}
