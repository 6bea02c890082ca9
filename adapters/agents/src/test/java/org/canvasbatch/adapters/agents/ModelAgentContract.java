package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What every model-backed agent must do, run against the fake server over real HTTP, once per API. */
abstract class ModelAgentContract {

    static final Duration GENEROUS = Duration.ofSeconds(10);

    FakeLlmServer llm;

    @BeforeEach
    void startFakeServer() {
        llm = FakeLlmServer.start();
    }

    @AfterEach
    void stopFakeServer() {
        llm.close();
    }

    abstract AgentConfig.Provider provider();

    abstract String baseUrl();

    /** How the API under test labels the server in failure messages, e.g. "OpenAI-compatible server at http://…". */
    abstract String serverLabel();

    abstract AgentRunner agent(AgentConfig config, Clock clock);

    AgentConfig config() {
        return AgentConfig.offline()
                .withProvider(provider())
                .withBaseUrl(baseUrl())
                .withModel("test-model")
                .withApiKey("sk-test-key")
                .withTimeout(GENEROUS);
    }

    AgentRunner agent() {
        return agent(config(), Clock.systemUTC());
    }

    AgentFailure failureOf(AgentRunner agent, AgentRequest request) {
        AgentFailure failure = catchThrowableOfType(AgentFailure.class, () -> agent.run(request));
        assertThat(failure).as("the call should have failed").isNotNull();
        return failure;
    }

    @Test
    void aScriptedNoteComesBackAsTheAnswer() throws Exception {
        llm.enqueue(Reply.note("# 逆否命题\n\n逆否命题与原命题同真同假。"));

        AgentAnswer answer = agent().run(Requests.zh(AgentId.ORAL_EXPLANATION));

        assertThat(answer.markdown()).isEqualTo("# 逆否命题\n\n逆否命题与原命题同真同假。");
        assertThat(answer.model()).isEqualTo(provider().wireName() + ":test-model");
        assertThat(agent().model()).isEqualTo(provider().wireName() + ":test-model");
    }

    @Test
    void theDefaultAnswerIsANoteAboutTheNode() throws Exception {
        AgentAnswer answer = agent().run(Requests.en(AgentId.EXAMPLE_TEACHING));

        assertThat(answer.markdown()).startsWith("# " + Requests.EN_QUESTION).contains("fake model");
    }

    @Test
    void theRequestCarriesTheRenderedPromptAndTheSettings() throws Exception {
        agent(config().withTemperature(0.2).withMaxTokens(777), Clock.systemUTC())
                .run(Requests.zh(AgentId.COMPARISON_TABLE));

        FakeLlmServer.Call call = llm.lastCall();
        Prompt expected = PromptTemplates.builtIn().render(Requests.zh(AgentId.COMPARISON_TABLE));
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.header("content-type")).startsWith("application/json");
        assertThat(call.json().getString("model")).isEqualTo("test-model");
        assertThat(call.json().getJsonNumber("max_tokens").intValue()).isEqualTo(777);
        assertThat(call.json().getJsonNumber("temperature").doubleValue()).isEqualTo(0.2);
        assertThat(call.prompt())
                .contains(expected.system())
                .contains(expected.user())
                .contains("简体中文");
    }

    @Test
    void aWrongApiKeyIsAPermanentFailureWithTheServersReason() {
        llm.requireApiKey("sk-the-right-one");

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.isTransient()).isFalse();
        assertThat(failure.errorType()).isEqualTo("http_401");
        assertThat(failure.getMessage())
                .contains(serverLabel() + " answered 401: ")
                .containsIgnoringCase("key")
                .contains("--api-key")
                .contains(provider().apiKeyVariable());
    }

    @ParameterizedTest(name = "{0} -> transient={1}, {2}")
    @CsvSource({
        "400,false,http_400",
        "403,false,http_403",
        "404,false,http_404",
        "413,false,http_413",
        "422,false,http_422",
        "408,true,timeout",
        "429,true,rate_limited",
        "500,true,http_500",
        "502,true,http_502",
        "503,true,http_503",
        "529,true,http_529"
    })
    void everyErrorStatusMapsToTheRightKindOfFailure(int status, boolean transientFailure, String errorType) {
        llm.enqueue(Reply.error(status, "the server's own words for " + status));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.isTransient()).isEqualTo(transientFailure);
        assertThat(failure.errorType()).isEqualTo(errorType);
        assertThat(failure.getMessage())
                .contains(serverLabel() + " answered " + status + ": the server's own words for " + status);
        assertThat(failure.retryAfter()).isEmpty();
    }

    @Test
    void rateLimitingHonoursRetryAfterInSeconds() {
        llm.enqueue(Reply.rateLimited("7"));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.errorType()).isEqualTo("rate_limited");
        assertThat(failure.retryAfter()).contains(Duration.ofSeconds(7));
    }

    @Test
    void rateLimitingHonoursRetryAfterAsAnHttpDate() {
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        String inTwoMinutes =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(120).atZone(ZoneOffset.UTC));
        llm.enqueue(Reply.rateLimited(inTwoMinutes));

        AgentFailure failure =
                failureOf(agent(config(), Clock.fixed(now, ZoneOffset.UTC)), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.retryAfter()).contains(Duration.ofSeconds(120));
    }

    @Test
    void anOverloadedServersRetryAfterIsKeptToo() {
        llm.enqueue(Reply.error(503, "Service Unavailable", Map.of("Retry-After", "3")));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.retryAfter()).contains(Duration.ofSeconds(3));
    }

    @Test
    void aServerThatDoesNotAnswerInTimeIsATransientTimeout() {
        llm.defaultReply(Reply.hang());
        AgentRunner impatient = agent(config().withTimeout(Duration.ofMillis(300)), Clock.systemUTC());

        long start = System.nanoTime();
        AgentFailure failure = failureOf(impatient, Requests.en(AgentId.ORAL_EXPLANATION));
        Duration waited = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.errorType()).isEqualTo("timeout");
        assertThat(failure.getMessage()).contains("did not answer within 0.3 s");
        // behaviour, not speed: the call gives up on its own, long before the server would ever answer
        assertThat(waited).isLessThan(GENEROUS);
    }

    @Test
    void anInterruptAbandonsAHangingCallAtOnce() throws Exception {
        llm.defaultReply(Reply.hang());
        AgentRunner agent = agent(config().withTimeout(Duration.ofMinutes(5)), Clock.systemUTC());
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                agent.run(Requests.en(AgentId.ORAL_EXPLANATION));
                outcome.complete(null);
            } catch (Throwable thrown) {
                outcome.complete(thrown);
            }
        });
        assertThat(llm.awaitCalls(1, GENEROUS))
                .as("the call reached the server")
                .isTrue();

        caller.interrupt();

        assertThat(outcome.get(GENEROUS.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    }

    @Test
    void anAlreadyInterruptedCallerDoesNotStartACall() {
        Thread.currentThread().interrupt();
        try {
            Throwable thrown = catchThrowableOfType(
                    InterruptedException.class, () -> agent().run(Requests.en(AgentId.ORAL_EXPLANATION)));
            assertThat(thrown).isNotNull();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aServerThatIsNotRunningIsATransientConnectionFailure() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AgentRunner agent =
                agent(config().withBaseUrl(baseUrl().replace(":" + llm.port(), ":" + closedPort)), Clock.systemUTC());

        AgentFailure failure = failureOf(agent, Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.errorType()).isEqualTo("connection");
        assertThat(failure.getMessage()).contains("could not connect").contains(":" + closedPort);
    }

    @Test
    void aBodyThatIsNotJsonIsAPermanentBadResponse() {
        llm.enqueue(Reply.garbage());

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.isTransient()).isFalse();
        assertThat(failure.errorType()).isEqualTo("bad_response");
        assertThat(failure.getMessage())
                .contains(serverLabel())
                .contains("not JSON")
                .contains("chatcmpl-broken");
    }

    @Test
    void anAnswerThatNeverEndsIsRefusedOnceItPassesTheLimitNotReadIntoMemory() {
        llm.enqueue(Reply.endless());

        assertThatThrownBy(() -> agent().run(Requests.en(AgentId.ORAL_EXPLANATION)))
                .isInstanceOfSatisfying(AgentFailure.class, failure -> {
                    assertThat(failure.isTransient()).isFalse();
                    assertThat(failure.errorType()).isEqualTo("bad_response");
                    assertThat(failure.getMessage()).contains("more than 8 MiB").contains("not read");
                });
        assertThat(llm.endlessBytesSent())
                .as("the client stopped reading soon after the limit")
                .isLessThan(ModelServer.MAX_ANSWER_BYTES + 64L * 1024 * 1024);
    }

    @Test
    void anAnswerNestedTooDeeplyIsABadResponseNotAnInternalError() {
        // the JSON reader gives up at 1 000 levels with a RuntimeException that is not a JsonException: it reached the
        // node as "Internal error: java.lang.RuntimeException: Input is too deeply nested", with a stack trace in the
        // log
        llm.enqueue(Reply.raw(200, "application/json", "[".repeat(100_000), Map.of()));

        assertThatThrownBy(() -> agent().run(Requests.en(AgentId.ORAL_EXPLANATION)))
                .isInstanceOfSatisfying(AgentFailure.class, failure -> {
                    assertThat(failure.isTransient()).isFalse();
                    assertThat(failure.errorType()).isEqualTo("bad_response");
                    assertThat(failure.getMessage()).contains(serverLabel());
                });
    }

    @Test
    void aNumberBeyondAnyRangeInTheAnswerIsABadResponseNotAnInternalError() {
        // "1e99999999999" anywhere in the answer threw a NumberFormatException out of the agent: "Internal error: …"
        llm.enqueue(Reply.raw(200, "application/json", "{\"usage\":{\"total_tokens\":1e99999999999}}", Map.of()));

        assertThatThrownBy(() -> agent().run(Requests.en(AgentId.ORAL_EXPLANATION)))
                .isInstanceOfSatisfying(AgentFailure.class, failure -> {
                    assertThat(failure.isTransient()).isFalse();
                    assertThat(failure.errorType()).isEqualTo("bad_response");
                });
    }

    @Test
    void anAnswerDrippedByteByByteIsGivenUpAtTheModelTimeout() {
        // the HTTP client's timeout ends at the answer's head: a body sent one byte a second held the call until the
        // node timeout interrupted it, past --model-timeout
        llm.enqueue(Reply.drip("{\"choices\":[]}".repeat(20), Duration.ofMillis(200)));
        AgentRunner impatient = agent(config().withTimeout(Duration.ofSeconds(1)), Clock.systemUTC());

        long start = System.nanoTime();
        AgentFailure failure = failureOf(impatient, Requests.en(AgentId.ORAL_EXPLANATION));
        Duration waited = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.errorType()).isEqualTo("timeout");
        assertThat(failure.getMessage()).contains("did not answer within 1 s");
        // the whole body would take 56 s
        assertThat(waited).isLessThan(GENEROUS);
    }

    @Test
    void anAbsurdRetryAfterIsNotTakenAtItsWord() {
        // Retry-After: 99999999999 (3 000 years) became a wait whose nanoseconds overflow: the executor threw
        // "ArithmeticException: long overflow" (SEVERE, stack trace) and the node sat until the batch timeout
        llm.enqueue(Reply.rateLimited("99999999999"));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.retryAfter())
                .hasValueSatisfying(wait -> assertThat(wait).isLessThanOrEqualTo(Duration.ofHours(1)));
    }

    @Test
    void anEmptyBodyIsAPermanentBadResponse() {
        llm.enqueue(Reply.raw(200, "application/json", "", Map.of()));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.errorType()).isEqualTo("bad_response");
        assertThat(failure.getMessage()).contains("empty body");
    }

    @Test
    void anEmptyNoteIsAPermanentBadResponse() {
        llm.enqueue(Reply.emptyContent());

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.isTransient()).isFalse();
        assertThat(failure.errorType()).isEqualTo("bad_response");
        assertThat(failure.getMessage()).contains("empty note");
    }

    @Test
    void anHtmlErrorPageFromAProxyIsQuotedShortly() {
        llm.enqueue(Reply.raw(
                502,
                "text/html",
                "<html><body><h1>502 Bad Gateway</h1>" + "x".repeat(2000) + "</body></html>",
                Map.of()));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.getMessage())
                .contains("answered 502: <html><body><h1>502 Bad Gateway")
                .hasSizeLessThan(500);
    }

    @Test
    void aReasoningModelsThinkingAndAWholeNoteFenceAreRemoved() throws Exception {
        llm.enqueue(Reply.note("<think>\nThe user wants a note.\n</think>\n\n```markdown\n# Stacks\n\nLIFO.\n```\n"));

        AgentAnswer answer = agent().run(Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(answer.markdown()).isEqualTo("# Stacks\n\nLIFO.");
    }

    /**
     * The note gets the vault's own front matter: a block the model wrote despite the prompt ends up below it, where
     * Obsidian shows a horizontal rule and its last line as a heading ("tags: [cs, data-structures]").
     */
    @Test
    void aFrontMatterBlockTheModelWroteDespiteThePromptIsNotLeftInTheNote() throws Exception {
        llm.enqueue(Reply.note("---\ntitle: \"Stacks\"\ntags: [cs, data-structures]\naliases:\n  - LIFO\n---\n\n"
                + "# Stacks\n\nLIFO."));
        llm.enqueue(Reply.note("```markdown\n---\ntags: [cs]\n---\n# Stacks\n\nLIFO.\n```"));
        llm.enqueue(Reply.note("---\n\nA stack is LIFO: last in, first out.\n\n---\n\nMore."));
        AgentRunner agent = agent();

        assertThat(agent.run(Requests.en(AgentId.ORAL_EXPLANATION)).markdown()).isEqualTo("# Stacks\n\nLIFO.");
        assertThat(agent.run(Requests.en(AgentId.ORAL_EXPLANATION)).markdown()).isEqualTo("# Stacks\n\nLIFO.");
        assertThat(agent.run(Requests.en(AgentId.ORAL_EXPLANATION)).markdown())
                .as("a rule and prose are the note's own")
                .isEqualTo("---\n\nA stack is LIFO: last in, first out.\n\n---\n\nMore.");
    }

    @Test
    void manySequentialCallsShareOneKeptAliveConnection() throws Exception {
        AgentRunner agent = agent();
        for (int i = 0; i < 40; i++) {
            assertThat(agent.run(Requests.bare(AgentId.ORAL_EXPLANATION, "question " + i))
                            .markdown())
                    .contains("question " + i);
        }

        assertThat(llm.calls()).isEqualTo(40);
        assertThat(llm.connectionsOpened()).isEqualTo(1);
    }

    @Test
    void oneAgentServesParallelCallsWithoutSerialisingThem() throws Exception {
        llm.defaultReply(Reply.hang());
        AgentRunner agent = agent();
        int parallel = 12;
        List<CompletableFuture<Throwable>> outcomes = new ArrayList<>();
        for (int i = 0; i < parallel; i++) {
            AgentRequest request = Requests.bare(AgentId.ORAL_EXPLANATION, "parallel question " + i);
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            outcomes.add(outcome);
            Thread.ofVirtual().start(() -> {
                try {
                    agent.run(request);
                    outcome.complete(null);
                } catch (Throwable thrown) {
                    outcome.complete(thrown);
                }
            });
        }

        // all of them are at the server at once, none answered yet
        assertThat(llm.awaitCalls(parallel, GENEROUS)).isTrue();
        llm.close();

        for (CompletableFuture<Throwable> outcome : outcomes) {
            assertThat(outcome.get(GENEROUS.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOfSatisfying(
                            AgentFailure.class,
                            failure -> assertThat(failure.errorType()).isEqualTo("connection"));
        }
    }

    @Test
    void preparingOpensTheConnectionsThatTheFirstCallsThenUseAndAsksTheModelNothing() throws Exception {
        llm.defaultReply(Reply.delayed(Duration.ofMillis(300), Reply.echo()));
        AgentRunner agent = agent();

        agent.prepare(3).get(GENEROUS.toSeconds(), TimeUnit.SECONDS);

        assertThat(llm.connectionsOpened())
                .as("connections open before any call")
                .isEqualTo(3);
        assertThat(llm.calls()).as("the rehearsed calls are never sent").isZero();
        assertThat(llm.modelListings())
                .as("each connection opened by asking for the model list, with the API key")
                .hasSize(3)
                .allSatisfy(listing -> assertThat(apiKeyOf(listing)).isEqualTo("sk-test-key"));

        List<CompletableFuture<AgentAnswer>> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            AgentRequest request = Requests.bare(AgentId.ORAL_EXPLANATION, "first round question " + i);
            CompletableFuture<AgentAnswer> answer = new CompletableFuture<>();
            answers.add(answer);
            Thread.ofVirtual().start(() -> {
                try {
                    answer.complete(agent.run(request));
                } catch (Throwable thrown) {
                    answer.completeExceptionally(thrown);
                }
            });
        }
        for (int i = 0; i < 3; i++) {
            assertThat(answers.get(i)
                            .get(GENEROUS.toSeconds(), TimeUnit.SECONDS)
                            .markdown())
                    .contains("first round question " + i);
        }
        assertThat(llm.calls()).isEqualTo(3);
        assertThat(llm.connectionsOpened())
                .as("the three calls at once went over the connections opened ahead")
                .isEqualTo(3);
    }

    @Test
    void preparingAgainAtOnceAsksTheServerNothingMore() throws Exception {
        AgentRunner agent = agent();

        agent.prepare(3).get(GENEROUS.toSeconds(), TimeUnit.SECONDS);
        agent.prepare(3).get(GENEROUS.toSeconds(), TimeUnit.SECONDS);
        agent.prepare(2).get(GENEROUS.toSeconds(), TimeUnit.SECONDS);

        assertThat(llm.modelListings())
                .as("analyses in a row open the connections once, not once each")
                .hasSize(3);
    }

    /** A server whose model list never ends kept a core busy reading it for as long as the server ran (37 GB in 45 s). */
    @Test
    void aModelListThatNeverEndsIsHungUpOnOnceItIsLongerThanAnyRealOne() throws Exception {
        llm.listModelsEndlessly();

        agent().prepare(2).get(GENEROUS.toSeconds(), TimeUnit.SECONDS);

        assertThat(llm.awaitHangUpOnAnEndlessAnswer(GENEROUS))
                .as("the warm-up stops reading (%d MiB sent so far)", llm.endlessBytesSent() >> 20)
                .isTrue();
        assertThat(llm.endlessBytesSent()).isLessThan(2 * (ModelServer.MAX_LISTING_BYTES + 64L * 1024 * 1024));
    }

    @Test
    void preparingForAServerThatIsDownNeitherFailsNorHangs() throws Exception {
        llm.close();

        agent().prepare(2).get(GENEROUS.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void noAgentIsBuiltWithAKeyThatCannotBeAHeaderAndItsErrorNeverQuotesTheKey() {
        // an environment variable holding two keys on two lines: no HTTP header can carry it, and the JDK's error
        // for such a header quotes it whole, so it would reach logs, the journal and the wire on every call
        assertThatThrownBy(() -> agent(config().withApiKey("sk-first\nsk-second"), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exactly one key")
                .hasMessageNotContaining("sk-first")
                .hasMessageNotContaining("sk-second");
        assertThat(llm.modelListings()).as("nothing sent with a broken key").isEmpty();
        assertThat(llm.calls()).isZero();
    }

    // ---- the check at start: one sentence when the calls will fail, nothing when they can work ----------------------

    private String check(AgentRunner agent, Duration within) throws Exception {
        assertThat(agent).isInstanceOf(ModelServerCheck.class);
        return ((ModelServerCheck) agent)
                .checkServer(within)
                .get(GENEROUS.toSeconds(), TimeUnit.SECONDS)
                .orElse("");
    }

    private String check(AgentRunner agent) throws Exception {
        return check(agent, ModelServerCheck.TIMEOUT);
    }

    @Test
    void aServerThatListsItsModelsIsNotWarnedAboutAndItsListingIsTheFirstConnectionOpenedAhead() throws Exception {
        AgentRunner agent = agent();

        assertThat(check(agent)).isEmpty();
        agent.prepare(1).get(GENEROUS.toSeconds(), TimeUnit.SECONDS);

        assertThat(llm.modelListings())
                .as("the check, with the key, and no second listing for the warm-up right after it")
                .hasSize(1)
                .allSatisfy(listing -> assertThat(apiKeyOf(listing)).isEqualTo("sk-test-key"));
        assertThat(agent.run(Requests.bare(AgentId.ORAL_EXPLANATION, "after the check"))
                        .markdown())
                .contains("after the check");
        assertThat(llm.connectionsOpened())
                .as("the first call went over the check's connection")
                .isEqualTo(1);
        assertThat(llm.calls()).as("the model was asked nothing but the call").isEqualTo(1);
    }

    /**
     * A 404 for the list is a server that is there, or a base URL missing its path (Ollama's without /v1), whose every
     * call fails with 404 too: said as the possibility it is.
     */
    @Test
    void aServerWithoutAModelListMayHaveTheWrongBaseUrlAndIsToldSo() throws Exception {
        llm.listModelsWith(Reply.error(404, "Unknown request URL: GET /models"));

        assertThat(check(agent()))
                .startsWith("The " + serverLabel() + " has no model list (HTTP 404 for its models); if batches fail"
                        + " with HTTP 404 too, check --base-url")
                .doesNotContain("Unknown request URL");
    }

    @ParameterizedTest
    @CsvSource({"405", "400"})
    void aServerWithoutAModelListIsStillThereAndNotWarnedAbout(int status) throws Exception {
        llm.listModelsWith(Reply.error(status, "Unknown request URL: GET /models"));

        assertThat(check(agent())).isEmpty();
    }

    @Test
    void aServerThatIsDownIsSaidToBeNotAnsweringInOneSentence() throws Exception {
        AgentRunner agent = agent();
        llm.close();

        assertThat(check(agent))
                .isEqualTo("The " + serverLabel()
                        + " is not answering (connection refused); batches will fail until it does.");
    }

    @Test
    void aRefusedKeyIsSaidWithoutTheKeyOrWhatTheServerSaidAboutIt() throws Exception {
        llm.listModelsWith(Reply.error(401, "Incorrect API key provided: sk-test-key. Find yours at …"));

        assertThat(check(agent()))
                .isEqualTo("The " + serverLabel() + " refused the API key (HTTP 401); batches will fail until the key"
                        + " is right: check --api-key or " + provider().apiKeyVariable() + ".")
                .doesNotContain("sk-test-key", "Incorrect");

        llm.listModelsWith(null).requireApiKey("sk-another-key");
        assertThat(check(agent())).startsWith("The " + serverLabel() + " refused the API key (HTTP 401)");
    }

    @Test
    void aServerThatWantsAKeyWhereNoneIsSetIsSaidSo() throws Exception {
        llm.requireApiKey("sk-needed");

        assertThat(check(agent(config().withApiKey(null), Clock.systemUTC())))
                .isEqualTo("The " + serverLabel() + " asks for an API key (HTTP 401) and none is set; batches will"
                        + " fail until one is given with --api-key or "
                        + provider().apiKeyVariable() + ".");
    }

    @ParameterizedTest
    @CsvSource({
        "503, ' answered with a server error (HTTP 503); batches may fail until it recovers.'",
        "429, ' is refusing requests for now (HTTP 429: too many requests, or no quota left);"
                + " batches may fail until it takes them again.'",
        "403, ' refused the API key (HTTP 403)'",
    })
    void anErrorOfTheServerIsSaidByItsStatus(int status, String said) throws Exception {
        llm.listModelsWith(Reply.error(status, "something the server says"));

        assertThat(check(agent())).startsWith("The " + serverLabel() + said).doesNotContain("something");
    }

    @Test
    void aRedirectIsSaidNotFollowed() throws Exception {
        llm.listModelsWith(Reply.raw(301, "text/html", "moved", Map.of("Location", "https://elsewhere.example/v1")));

        assertThat(check(agent()))
                .isEqualTo("The " + serverLabel() + " answered with a redirect (HTTP 301), which canvas-batch does"
                        + " not follow; batches will fail: check --base-url.")
                .doesNotContain("elsewhere");
    }

    @Test
    void aServerThatAcceptsButNeverAnswersIsGivenUpOnWithinTheChecksTime() throws Exception {
        llm.listModelsWith(Reply.hang());
        AgentRunner agent = agent();

        long started = System.nanoTime();
        String said = check(agent, Duration.ofMillis(500));

        assertThat(said)
                .isEqualTo("The " + serverLabel()
                        + " is not answering (no answer within 0.5 s); batches will fail until it does.");
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("given up on at its time, not the call's")
                .isLessThan(GENEROUS);
    }

    /** A hostile server's bytes (a page of megabytes, terminal escapes) never reach the sentence. */
    @Test
    void aHostileServersLongBodyIsNeverEchoed() throws Exception {
        String page = "<h1>\u001b[2J\u001b]0;pwned\u0007" + "A".repeat(200_000) + "\u202e</h1>";
        llm.listModelsWith(Reply.raw(500, "text/html", page, Map.of()));

        String said = check(agent());

        assertThat(said)
                .isEqualTo("The " + serverLabel()
                        + " answered with a server error (HTTP 500); batches may fail until it recovers.")
                .doesNotContain("AAAA", "\u001b", "pwned", "\u202e");
    }

    /** A port that answers with something other than HTTP (another service, a hostile one): its bytes are not quoted. */
    @Test
    void aServerThatDoesNotSpeakHttpIsSaidSoAndItsBytesAreNotQuoted() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!other.isClosed()) {
                    try (java.net.Socket client = other.accept()) {
                        client.getOutputStream()
                                .write(("SSH-2.0-OpenSSH_9.6 \u001b[31mpwned" + "B".repeat(10_000) + "\r\n\r\n")
                                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        client.getOutputStream().flush();
                        Thread.sleep(200);
                    } catch (IOException | InterruptedException closed) {
                        return;
                    }
                }
            });
            String base = "http://127.0.0.1:" + other.getLocalPort()
                    + (provider() == AgentConfig.Provider.OPENAI ? "/v1" : "");

            String said = check(agent(config().withBaseUrl(base), Clock.systemUTC()));

            assertThat(said)
                    .isEqualTo("The " + serverLabel().replace(baseUrl(), base) + " answered with something that is not"
                            + " HTTP; batches will fail until --base-url names a model server.")
                    .doesNotContain("SSH-2.0", "\u001b", "pwned", "BBBB");
        }
    }

    private static String apiKeyOf(FakeLlmServer.Call call) {
        String bearer = call.header("authorization");
        return bearer != null ? bearer.substring("Bearer ".length()) : call.header("x-api-key");
    }

    @Test
    void eachNodeCanBeScriptedAndCountedByItsText() throws Exception {
        llm.whenPromptContains("什么是等价关系", Reply.error(500, "boom"), Reply.note("# 等价关系\n\n自反、对称、传递。"));
        AgentRunner agent = agent();

        AgentFailure first = failureOf(agent, Requests.bare(AgentId.ORAL_EXPLANATION, "什么是等价关系"));
        AgentAnswer other = agent.run(Requests.bare(AgentId.ORAL_EXPLANATION, "什么是二部图"));
        AgentAnswer second = agent.run(Requests.bare(AgentId.ORAL_EXPLANATION, "什么是等价关系"));

        assertThat(first.isTransient()).isTrue();
        assertThat(other.markdown()).contains("什么是二部图");
        assertThat(second.markdown()).isEqualTo("# 等价关系\n\n自反、对称、传递。");
        assertThat(llm.callsWithPrompt("什么是等价关系")).isEqualTo(2);
        assertThat(llm.callsWithPrompt("什么是二部图")).isEqualTo(1);
    }
}
