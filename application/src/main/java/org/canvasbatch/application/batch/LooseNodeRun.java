package org.canvasbatch.application.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.canvasbatch.application.batch.NoteProducer.NodeJob;
import org.canvasbatch.application.batch.NoteProducer.ProducedNote;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunFailedException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunNotFinishedException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.SingleNodeResult;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.TaskExecutor.TaskControl;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.session.SessionSettings;

/**
 * One single-node run of a node that no session holds: no session records it, so its attempts are counted here. It
 * waits in the dispatcher's queue of loose runs and follows the batch's retry policy (transient failures tried again
 * after a backoff, up to the attempt limit), within the deadline of the call that is waiting for it.
 */
final class LooseNodeRun {

    private static final System.Logger LOG = System.getLogger(LooseNodeRun.class.getName());
    private static final AtomicLong IDS = new AtomicLong();

    private final String id = "loose-" + IDS.incrementAndGet();
    private final NodeJob job;
    private final SessionSettings settings;
    private final Instant deadline;
    private final Instant since;
    private final NoteProducer notes;
    private final RetryPolicy retryPolicy;
    private final Clock clock;
    private final CompletableFuture<SingleNodeResult> outcome = new CompletableFuture<>();
    // written by one attempt at a time: the dispatcher starts the next attempt only after the previous one ended
    private volatile int attempts;
    private volatile Instant retryAt;
    private volatile long firstStartNanos;

    LooseNodeRun(
            NodeJob job,
            SessionSettings settings,
            Instant deadline,
            NoteProducer notes,
            RetryPolicy retryPolicy,
            Clock clock) {
        this.job = job;
        this.settings = settings;
        this.deadline = deadline;
        this.notes = notes;
        this.retryPolicy = retryPolicy;
        this.clock = clock;
        this.since = clock.now();
    }

    String id() {
        return id;
    }

    String nodeId() {
        return job.nodeId();
    }

    Instant since() {
        return since;
    }

    Duration nodeTimeout() {
        return settings.nodeTimeout();
    }

    int attempts() {
        return attempts;
    }

    boolean isDueAt(Instant now) {
        Instant at = retryAt;
        return at == null || !at.isAfter(now);
    }

    boolean isSettled() {
        return outcome.isDone();
    }

    /**
     * Runs one attempt and returns when to try again, or empty once the run is settled (a note, or a failure that
     * ends it). A transient failure whose next attempt would come after the deadline settles it as not finished.
     */
    Optional<Instant> attempt(TaskControl control) {
        if (attempts == 0) {
            firstStartNanos = System.nanoTime();
        }
        attempts++;
        retryAt = null;
        try {
            ProducedNote produced = notes.produce(job, () -> !control.cancelled() && !control.timedOut());
            outcome.complete(new SingleNodeResult(
                    job.nodeId(),
                    job.agent(),
                    produced.note().path(),
                    produced.note().sizeBytes(),
                    Duration.ofNanos(System.nanoTime() - firstStartNanos).toMillis(),
                    Optional.empty(),
                    Optional.ofNullable(produced.note().linkProblem())));
            return Optional.empty();
        } catch (AgentFailure failure) {
            return failed(failure.errorType(), failure.getMessage(), failure.isTransient(), failure.retryAfter());
        } catch (InterruptedException e) {
            if (control.timedOut()) {
                return failed(
                        "timeout",
                        "The agent did not answer within "
                                + settings.nodeTimeout().toSeconds() + " s",
                        true,
                        Optional.empty());
            }
            // cancelled: the caller's deadline passed (it was answered then) or the server is stopping
            settle(new NodeRunNotFinishedException("The run was stopped before the node finished", Duration.ZERO));
            return Optional.empty();
        } catch (UnwrittenNote unwritten) {
            // a run no session holds answers its caller now: it fails with the vault's words (vault_full)
            VaultException refusal = unwritten.refusal();
            return failed(refusal.errorType(), refusal.getMessage(), false, Optional.empty());
        } catch (VaultException e) {
            return failed(e.errorType(), e.getMessage(), false, Optional.empty());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "single-node run of " + job.nodeId() + " failed unexpectedly", e);
            return failed("internal", "Internal error: " + e, false, Optional.empty());
        }
    }

    private Optional<Instant> failed(
            String errorType, String message, boolean transientFailure, Optional<Duration> retryAfter) {
        if (!transientFailure || attempts >= settings.maxAttempts()) {
            settle(new NodeRunFailedException(errorType, message));
            return Optional.empty();
        }
        Instant now = clock.now();
        Instant next = now.plus(retryPolicy.delayAfter(attempts, retryAfter));
        if (next.isAfter(deadline)) {
            settle(new NodeRunNotFinishedException(
                    "The model asked to wait before the next attempt (" + message + "); try again in "
                            + Duration.between(now, next).toSeconds() + " s",
                    Duration.between(now, next)));
            return Optional.empty();
        }
        retryAt = next;
        return Optional.of(next);
    }

    /** Settles the run with a failure unless it is settled already; true if this call settled it. */
    boolean settle(RuntimeException failure) {
        return outcome.completeExceptionally(failure);
    }

    /** Waits for the outcome; {@code backstop} guards against a deadline timer that was lost (shutdown). */
    SingleNodeResult await(Duration backstop) {
        try {
            return outcome.get(backstop.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (TimeoutException e) {
            throw new NodeRunNotFinishedException(
                    "The node did not finish within " + backstop.toSeconds() + " s", Duration.ofMinutes(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeRunNotFinishedException("The server is stopping", Duration.ofMinutes(1));
        }
    }
}
