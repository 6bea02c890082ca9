package org.canvasbatch.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.agents.AgentConfig;
import org.canvasbatch.adapters.agents.Agents;
import org.canvasbatch.adapters.agents.PromptTemplates;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.domain.agent.AgentId;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one agent call costs canvas-batch itself, the model's own time excluded: prompt rendering, the request JSON,
 * one HTTP/1.1 round trip on a kept-alive loopback connection to a server that answers at once, and reading the answer.
 * Target: well under 2 ms per call. The server lives here (the test-scope fake LLM server is not on this classpath).
 *
 * <pre>
 * mvn -q -B -o -pl benchmarks -am package -DskipTests
 * java -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" org.openjdk.jmh.Main AgentHttpOverhead
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AgentHttpOverheadBenchmark {

    private static final String NOTE = "# 逆否命题和否命题的区别\\n\\n| 维度 | 逆否命题 | 否命题 |\\n| --- | --- | --- |\\n"
            + "| 定义 | 交换并否定条件与结论 | 只否定条件与结论 |\\n\\n逆否命题与原命题同真同假，否命题则不一定。";
    private static final byte[] OPENAI_ANSWER = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
                    + "\"model\":\"bench\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
                    + NOTE
                    + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":300,\"completion_tokens\":80,"
                    + "\"total_tokens\":380}}")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] ANTHROPIC_ANSWER = ("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                    + "\"model\":\"bench\",\"content\":[{\"type\":\"text\",\"text\":\"" + NOTE + "\"}],\"stop_reason\":"
                    + "\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":300,\"output_tokens\":80}}")
            .getBytes(StandardCharsets.UTF_8);

    private final AgentRequest request = new AgentRequest(
            AgentId.COMPARISON_TABLE,
            "04001656412a9",
            "逆否命题和否命题的区别是什么",
            null,
            new AgentRequest.NodeContext(
                    "数学/离散数学.canvas",
                    "离散数学",
                    "逆否命题、命题、否命题",
                    List.of("逆否命题", "否命题", "原命题"),
                    List.of(
                            new AgentRequest.RelatedQuestion("什么是逆否命题", AgentId.ORAL_EXPLANATION),
                            new AgentRequest.RelatedQuestion("为什么命题逻辑中蕴含式前件为假时整体为真", AgentId.CLARIFICATION_PATH)),
                    List.of("我理解为把条件和结论都否定再交换位置，和原命题同真同假？")));

    private HttpServer server;
    private ExecutorService executor;
    private AgentRunner openAi;
    private AgentRunner anthropic;
    private AgentRunner offline;

    @Setup(Level.Trial)
    public void startZeroLatencyServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                byte[] answer =
                        exchange.getRequestURI().getPath().endsWith("/messages") ? ANTHROPIC_ANSWER : OPENAI_ANSWER;
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        openAi = Agents.fromConfig(
                AgentConfig.offline()
                        .withProvider(AgentConfig.Provider.OPENAI)
                        .withBaseUrl(base + "/v1")
                        .withModel("bench")
                        .withApiKey("sk-bench"),
                Map.of());
        anthropic = Agents.fromConfig(
                AgentConfig.offline()
                        .withProvider(AgentConfig.Provider.ANTHROPIC)
                        .withBaseUrl(base)
                        .withModel("bench")
                        .withApiKey("sk-bench"),
                Map.of());
        offline = Agents.fromConfig(AgentConfig.offline(), Map.of());
    }

    @TearDown(Level.Trial)
    public void stopServer() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Benchmark
    public AgentAnswer openAiCompatibleCall() throws AgentFailure, InterruptedException {
        return openAi.run(request);
    }

    @Benchmark
    public AgentAnswer anthropicCall() throws AgentFailure, InterruptedException {
        return anthropic.run(request);
    }

    /** The part of a call that is not HTTP, for comparison. */
    @Benchmark
    public Object promptOnly() {
        return PromptTemplates.builtIn().render(request);
    }

    @Benchmark
    public AgentAnswer offlineNote() throws AgentFailure, InterruptedException {
        return offline.run(request);
    }
}
