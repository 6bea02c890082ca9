package org.canvasbatch.adapters.agents;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An answer's body read as UTF-8 text, up to a limit: a model server that is broken or hostile could otherwise send a
 * body without end, and every byte of it would be held in memory until the call's timeout or the heap ran out. Past the
 * limit the body is no longer read (the connection is dropped) and the call fails with {@link TooLarge}.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<String> {

    /** The answer had more than {@code limit} bytes. Not an I/O failure: the server said too much, not too little. */
    static final class TooLarge extends RuntimeException {
        private final long limit;

        TooLarge(long limit) {
            super("the answer is larger than " + limit + " bytes", null, false, false);
            this.limit = limit;
        }

        long limit() {
            return limit;
        }
    }

    private final long limit;
    private final CompletableFuture<String> text = new CompletableFuture<>();
    // onSubscribe, onNext, onError and onComplete are called one after another (Flow's rule), never at once
    private final List<ByteBuffer> parts = new ArrayList<>();
    private long size;
    private Flow.Subscription subscription;

    private BoundedBody(long limit) {
        this.limit = limit;
    }

    /** A handler whose every body is read this way. */
    static HttpResponse.BodyHandler<String> ofText(long limit) {
        return info -> new BoundedBody(limit);
    }

    @Override
    public CompletionStage<String> getBody() {
        return text;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (text.isDone()) {
            return;
        }
        for (ByteBuffer item : items) {
            size += item.remaining();
            if (size > limit) {
                parts.clear();
                subscription.cancel();
                text.completeExceptionally(new TooLarge(limit));
                return;
            }
            ByteBuffer copy = ByteBuffer.allocate(item.remaining());
            copy.put(item).flip();
            parts.add(copy);
        }
    }

    @Override
    public void onError(Throwable failure) {
        parts.clear();
        text.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
        byte[] all = new byte[(int) size];
        int at = 0;
        for (ByteBuffer part : parts) {
            int length = part.remaining();
            part.get(all, at, length);
            at += length;
        }
        parts.clear();
        text.complete(new String(all, StandardCharsets.UTF_8));
    }
}
