package org.canvasbatch.testsupport;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;

/**
 * An agent whose every call follows a script per node: answer, fail, wait for a gate, or hang until interrupted.
 * Unscripted calls answer at once. It records every call so tests can assert who was called and how often, and counts
 * the calls in flight (and their peak) so tests can assert the concurrency limits a model provider would see.
 */
public final class ScriptedAgent implements AgentRunner {

    /** What one call does. */
    public sealed interface Step {}

    public record Answer(String markdown) implements Step {}

    public record Fail(AgentFailure failure) implements Step {}

    /** Blocks until the gate opens (interruptibly), then answers. */
    public record WaitFor(CountDownLatch gate) implements Step {}

    /** Blocks until the gate opens (interruptibly), then answers {@code markdown}. */
    public record AnswerAfter(CountDownLatch gate, String markdown) implements Step {}

    /** Blocks until the gate opens, ignoring interrupts (a call that cannot be stopped), then answers. */
    public record WaitIgnoringInterrupts(CountDownLatch gate) implements Step {}

    /** Blocks until the test hands out a permit, one call per permit. */
    public record WaitForPermit(java.util.concurrent.Semaphore permits) implements Step {}

    /** Blocks until interrupted. */
    public record Hang() implements Step {}

    private final Map<String, Deque<Step>> scripts = new ConcurrentHashMap<>();
    private final Map<String, Step> always = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> callsPerNode = new ConcurrentHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<AgentRequest> requests = new CopyOnWriteArrayList<>();
    private final List<String> interrupted = new CopyOnWriteArrayList<>();
    private final Map<String, CountDownLatch> callSignals = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();

    public ScriptedAgent then(String nodeId, Step step) {
        scripts.computeIfAbsent(nodeId, k -> new ArrayDeque<>()).add(step);
        return this;
    }

    public ScriptedAgent always(String nodeId, Step step) {
        always.put(nodeId, step);
        return this;
    }

    public static Fail permanent(String message) {
        return new Fail(AgentFailure.permanent("http_400", message));
    }

    public static Fail transientFailure(String message, Duration retryAfter) {
        return new Fail(AgentFailure.transientFailure("http_503", message, retryAfter));
    }

    /** A latch that opens once {@code nodeId} has been called {@code times} times in all. */
    public CountDownLatch calledTimes(String nodeId, int times) {
        CountDownLatch latch = new CountDownLatch(times);
        callSignals.put(nodeId, latch);
        for (int i = 0;
                i < callsPerNode.getOrDefault(nodeId, new AtomicInteger()).get();
                i++) {
            latch.countDown();
        }
        return latch;
    }

    @Override
    public AgentAnswer run(AgentRequest request) throws AgentFailure, InterruptedException {
        String node = request.nodeId();
        // counted before the call is announced, so a test woken by the announcement already sees it in flight
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        calls.add(node);
        requests.add(request);
        callsPerNode.computeIfAbsent(node, k -> new AtomicInteger()).incrementAndGet();
        CountDownLatch signal = callSignals.get(node);
        if (signal != null) {
            signal.countDown();
        }
        Deque<Step> script = scripts.get(node);
        Step step = script == null ? null : script.poll();
        if (step == null) {
            step = always.getOrDefault(
                    node, new Answer("# " + request.nodeText() + "\n\nAnswered by the scripted agent."));
        }
        try {
            return perform(step, request);
        } catch (InterruptedException e) {
            interrupted.add(node);
            throw e;
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private AgentAnswer perform(Step step, AgentRequest request) throws AgentFailure, InterruptedException {
        return switch (step) {
            case Answer answer -> new AgentAnswer(answer.markdown(), "scripted");
            case Fail fail -> throw fail.failure();
            case WaitFor wait -> {
                wait.gate().await();
                yield new AgentAnswer("# " + request.nodeText() + " (after waiting)", "scripted");
            }
            case AnswerAfter wait -> {
                wait.gate().await();
                yield new AgentAnswer(wait.markdown(), "scripted");
            }
            case WaitForPermit wait -> {
                wait.permits().acquire();
                yield new AgentAnswer("# " + request.nodeText() + " (permitted)", "scripted");
            }
            case WaitIgnoringInterrupts wait -> {
                // swallows interrupts on purpose: an agent that cannot be stopped must still not leak its result
                while (true) {
                    try {
                        wait.gate().await();
                        break;
                    } catch (InterruptedException e) {
                        interrupted.add(request.nodeId());
                    }
                }
                yield new AgentAnswer("# " + request.nodeText() + " (too late)", "scripted");
            }
            case Hang hang -> {
                new CountDownLatch(1).await();
                throw new AssertionError("unreachable");
            }
        };
    }

    @Override
    public String model() {
        return "scripted";
    }

    public int callsOf(String nodeId) {
        AtomicInteger count = callsPerNode.get(nodeId);
        return count == null ? 0 : count.get();
    }

    public List<String> calls() {
        return List.copyOf(calls);
    }

    /** Every request the agent was given, in order: what it was asked, with which content, as which agent. */
    public List<AgentRequest> requests() {
        return List.copyOf(requests);
    }

    /** Calls that have begun and not yet returned or thrown. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The most calls that were ever in flight at once. */
    public int peakInFlight() {
        return peakInFlight.get();
    }

    public List<String> interruptedCalls() {
        return List.copyOf(interrupted);
    }
}
