package org.canvasbatch.application.port.in;

import java.util.Objects;

/**
 * Everything the world may ask of the core, one port per use case: what an inbound adapter (the HTTP API, the
 * WebSocket channel, the command line) is given. An adapter calls these and nothing else of the core.
 */
public record UseCases(
        AnalyzeCanvasUseCase analyze,
        StartSessionUseCase start,
        CancelSessionUseCase cancel,
        PauseSessionUseCase pause,
        ResumeSessionUseCase resume,
        ChangeGroupPriorityUseCase changePriority,
        RetryNodeUseCase retryNode,
        RunSingleNodeUseCase runSingleNode,
        SessionStatusQuery status,
        SubscribeToSessionQuery subscriptions) {

    public UseCases {
        Objects.requireNonNull(analyze, "analyze");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(cancel, "cancel");
        Objects.requireNonNull(pause, "pause");
        Objects.requireNonNull(resume, "resume");
        Objects.requireNonNull(changePriority, "changePriority");
        Objects.requireNonNull(retryNode, "retryNode");
        Objects.requireNonNull(runSingleNode, "runSingleNode");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(subscriptions, "subscriptions");
    }
}
