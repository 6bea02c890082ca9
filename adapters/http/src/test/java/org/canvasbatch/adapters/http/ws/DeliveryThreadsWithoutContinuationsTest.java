package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Where the JVM has no continuations (a port without them, or {@code -XX:-VMContinuations}) the JDK's virtual threads
 * are still there, each on a thread of its own, but its builder refuses a scheduler. {@link DeliveryThreads} promises
 * ordinary virtual threads wherever carriers of its own cannot be had; with {@code java.lang} opened (the jar's
 * manifest) it must not break every socket instead.
 */
class DeliveryThreadsWithoutContinuationsTest {

    @Test
    void withoutContinuationsTheDeliveryThreadsAreOrdinaryVirtualThreads() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(
                        ProcessHandle.current().info().command().orElse("java"),
                        "--add-opens",
                        "java.base/java.lang=ALL-UNNAMED",
                        "-XX:+UnlockExperimentalVMOptions",
                        "-XX:-VMContinuations",
                        "-cp",
                        System.getProperty("java.class.path"),
                        StartOneDeliveryThread.class.getName()))
                .redirectErrorStream(true)
                .start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(exited).as("the JVM ended").isTrue();
        assertThat(output).as("what the JVM wrote").contains("delivered");
        assertThat(process.exitValue()).as("exit code; it wrote: " + output).isZero();
    }

    /** Starts one delivery thread, as a socket's first drain does, and waits for it. */
    static final class StartOneDeliveryThread {
        public static void main(String[] args) throws InterruptedException {
            Thread thread = DeliveryThreads.builder()
                    .name("ws-send")
                    .start(() -> System.out.println("delivered on " + Thread.currentThread()));
            thread.join();
        }
    }
}
