package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during {@code run} with a durable data folder, then the same command again: the README promises that run
 * continues after an interruption, so the second run must finish the rest, not pay the model again for every note the
 * first one already wrote.
 */
class RunInterruptResumeTest {

    private static final String EXAM = "Exam Prep/期末复习-170.canvas";
    private static final int NODES = 145;
    private static final int CONCURRENCY = 6;

    @TempDir
    Path temp;

    private Path vault;
    private Path firstLog;

    @Test
    void runningTheSameCommandAfterCtrlCFinishesTheRestWithoutAskingTheModelAgainForWrittenNotes() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            List<String> args = runArguments(llm);
            stopWithCtrlC(args, llm);
            int callsAfterTheStop = llm.calls();
            // meanwhile the learner adds a question and rewords the others
            editQuestions(vault.resolve(EXAM));
            // a dry run first: it must say the real run resumes, not show a new plan, and leave the batch to resume
            ByteArrayOutputStream dryRun = new ByteArrayOutputStream();
            List<String> dry = new java.util.ArrayList<>(args);
            dry.add("--dry-run");
            Map<String, String> dataBefore = filesIn(temp.resolve("data"));
            assertThat(Main.run(dry, new PrintStream(dryRun, true, StandardCharsets.UTF_8), System.err))
                    .isZero();
            assertThat(dryRun.toString(StandardCharsets.UTF_8))
                    .containsPattern("Dry run: the real run resumes the interrupted batch of \\d{4}-\\d\\d-\\d\\d"
                            + " [^(]*\\(\\d+ of " + NODES + " node\\(s\\) already done\\)");
            assertThat(llm.calls()).as("the dry run asked the model nothing").isEqualTo(callsAfterTheStop);
            assertThat(filesIn(temp.resolve("data")))
                    .as("the dry run changed nothing in the data folder")
                    .isEqualTo(dataBefore);
            assertThat(dryRun.toString(StandardCharsets.UTF_8))
                    .contains("Note: 1 question node(s) of the canvas are not in this batch")
                    .containsPattern("; \\d+ question\\(s\\) still to do changed their text since");
            // the learner comes back a little later: that pause is not the batch's work. A sleep on purpose, not a
            // wait for a condition: the time passing is what is tested (the summary shows the batch's own time beside
            // this run's once they differ by over 2 s), and a busy machine only lengthens it
            Thread.sleep(3000);

            String second = runAgainToTheEnd(args);

            assertThat(second)
                    .as("this run's time first, the batch's since it began beside it")
                    .containsPattern("in \\d+:\\d\\d \\(\\d+:\\d\\d since the batch began\\): \\d+ succeeded")
                    .as("first run:%n%s", Files.readString(firstLog))
                    .contains("Resuming the interrupted batch")
                    .as("when the batch started, to the second: no nanoseconds, no ISO 'T' and 'Z'")
                    .containsPattern(
                            "Resuming the interrupted batch of \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [^\\d.]")
                    .as("what the resumed batch runs with, whatever options are given again")
                    .contains("with its first run's settings (concurrency " + CONCURRENCY + ",")
                    .as("what it leaves out")
                    .contains("Note: 1 question node(s) of the canvas are not in this batch (added or coloured since it"
                            + " began, or left out when it was started): run the same command again once it is done");
            var times = java.util.regex.Pattern.compile(
                            "in (\\d+):(\\d\\d) \\((\\d+):(\\d\\d) since the batch began\\)")
                    .matcher(second);
            assertThat(times.find()).isTrue();
            assertThat(Integer.parseInt(times.group(3)) * 60 + Integer.parseInt(times.group(4)))
                    .as("the batch began before this run, with the stopped run's time and the pause since: %s", second)
                    .isGreaterThanOrEqualTo(
                            Integer.parseInt(times.group(1)) * 60 + Integer.parseInt(times.group(2)) + 3);
            var doneSaid = java.util.regex.Pattern.compile("(\\d+) of " + NODES + " node\\(s\\) already done");
            var dryDone = doneSaid.matcher(dryRun.toString(StandardCharsets.UTF_8));
            var realDone = doneSaid.matcher(second);
            assertThat(dryDone.find() && realDone.find()).isTrue();
            assertThat(dryDone.group(1))
                    .as("the dry run promised what the run then did")
                    .isEqualTo(realDone.group(1));
            assertEveryNodeOnceAndTheModelAskedAgainOnlyForWhatWasInFlight(llm, second);
        }
    }

    /**
     * A second tester's case: the start keeps a record whose checksum fails but which still reads (and every record
     * after it), while the dry run stopped reading there and promised fewer nodes done than the real run had; nor did
     * it say the journal was damaged, which the real run repairs and warns of.
     */
    @Test
    void aDryRunOnADamagedJournalCountsWhatTheRealRunKeepsAndSaysItIsDamaged() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            List<String> args = runArguments(llm);
            stopWithCtrlC(args, llm);
            breakTheChecksumOfTheMiddleRecord();
            ByteArrayOutputStream dryRun = new ByteArrayOutputStream();
            List<String> dry = new java.util.ArrayList<>(args);
            dry.add("--dry-run");
            assertThat(Main.run(dry, new PrintStream(dryRun, true, StandardCharsets.UTF_8), System.err))
                    .isZero();

            String second = runAgainToTheEnd(args);

            assertThat(dryRun.toString(StandardCharsets.UTF_8))
                    .contains("Note: the journal of that batch is damaged (unreadable from byte ")
                    .contains("1 record(s) failed a checksum but still read");
            var doneSaid = java.util.regex.Pattern.compile("(\\d+) of " + NODES + " node\\(s\\) already done");
            var dryDone = doneSaid.matcher(dryRun.toString(StandardCharsets.UTF_8));
            var realDone = doneSaid.matcher(second);
            assertThat(dryDone.find() && realDone.find())
                    .as("%s%n%s", dryRun, second)
                    .isTrue();
            assertThat(dryDone.group(1))
                    .as("the dry run promised what the run then did")
                    .isEqualTo(realDone.group(1));
        }
    }

    /**
     * A tester's case: a journal damaged beyond reading (here its format field) is set aside by the real run, which
     * then starts the batch anew and asks the model again for what was done; the dry run said nothing of it.
     */
    @Test
    void aDryRunSaysWhenAJournalCannotBeReadAtAll() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            List<String> args = runArguments(llm);
            stopWithCtrlC(args, llm);
            Path journal;
            try (Stream<Path> files = Files.list(temp.resolve("data").resolve("sessions"))) {
                journal = files.filter(f -> f.getFileName().toString().endsWith(".journal"))
                        .findFirst()
                        .orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(journal);
            bytes[7] ^= 0x40; // the format, after the four bytes of the magic
            Files.write(journal, bytes);
            ByteArrayOutputStream dryRun = new ByteArrayOutputStream();
            List<String> dry = new java.util.ArrayList<>(args);
            dry.add("--dry-run");

            assertThat(Main.run(dry, new PrintStream(dryRun, true, StandardCharsets.UTF_8), System.err))
                    .isZero();

            assertThat(dryRun.toString(StandardCharsets.UTF_8))
                    .contains("Note: 1 batch journal(s) in the data folder cannot be read at all; the real run sets"
                            + " them aside with a warning and cannot resume them")
                    .contains("Dry run: nothing was written.");
        }
    }

    /** Flips one bit of the stored checksum of the batch journal's middle record; its bytes still read. */
    private void breakTheChecksumOfTheMiddleRecord() throws Exception {
        Path journal;
        try (Stream<Path> files = Files.list(temp.resolve("data").resolve("sessions"))) {
            journal = files.filter(f -> f.getFileName().toString().endsWith(".journal"))
                    .findFirst()
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(journal);
        var buffer = java.nio.ByteBuffer.wrap(bytes);
        List<Integer> records = new java.util.ArrayList<>();
        // a journal is an 8-byte header, then records of a length, a checksum and the payload
        for (int at = 8; at + 8 <= bytes.length; at += 8 + buffer.getInt(at)) {
            records.add(at);
        }
        bytes[records.get(records.size() / 2) + 4] ^= 0x01;
        Files.write(journal, bytes);
    }

    /** Started with a model and run again without one, the batch goes on with the offline agent, and says so. */
    @Test
    void runAgainWithoutTheModelItStartedWithSaysTheRestWillBeWrittenOffline() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            List<String> args = runArguments(llm);
            stopWithCtrlC(args, llm);
            sessionsOfAServerOnTheSameDataFolder(List.of());
            assertThat(Files.readString(temp.resolve("serve.log")))
                    .as("a server without the model says so of the batch it found")
                    .containsPattern("WARNING +unfinished batch \\S+: \\d+ note\\(s\\) of this batch were written by"
                            + " [^;]*fake-model[^;]*; the rest will be written by the offline agent");

            String second = runAgainToTheEnd(args.subList(0, args.indexOf("--model-provider")));

            assertThat(second)
                    .as("first run:%n%s", Files.readString(firstLog))
                    .containsPattern("Note: \\d+ note\\(s\\) of this batch were written by [^;]*fake-model[^;]*; the"
                            + " rest will be written by the offline agent");
        }
    }

    /**
     * The data folder is the server's too ({@code ~/.canvas-batch/data} by default), and a server resumes every running
     * batch it finds there: a batch the learner stopped in the terminal would be run to its end by the next
     * {@code serve}, model calls and all, without being asked. It is paused instead, visibly (the dashboard lists it,
     * with why), until the same command runs it again.
     */
    @Test
    void aServerStartedOnTheDataFolderLeavesTheStoppedBatchPausedAndTheSameCommandStillFinishesIt() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            List<String> args = runArguments(llm);
            stopWithCtrlC(args, llm);
            int callsAfterTheStop = llm.calls();

            JsonObject listed = sessionsOfAServerOnTheSameDataFolder(llm);

            assertThat(listed.getJsonArray("sessions"))
                    .singleElement()
                    .satisfies(session -> assertThat(session.asJsonObject().getString("state"))
                            .as("%s", listed)
                            .isEqualTo("paused"));
            assertThat(llm.calls()).as("the server asked the model nothing").isEqualTo(callsAfterTheStop);
            String second = runAgainToTheEnd(args);
            assertEveryNodeOnceAndTheModelAskedAgainOnlyForWhatWasInFlight(llm, second);
        }
    }

    /** Every file under {@code folder} with a digest of its bytes. */
    private static Map<String, String> filesIn(Path folder) throws Exception {
        Map<String, String> files = new java.util.TreeMap<>();
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                byte[] digest =
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path));
                files.put(
                        folder.relativize(path).toString(),
                        java.util.HexFormat.of().formatHex(digest));
            }
        }
        return files;
    }

    /** Adds a red question to the canvas and changes the text of every red or purple one. */
    private static void editQuestions(Path canvas) throws Exception {
        JsonObject stored;
        try (var reader = jakarta.json.Json.createReader(Files.newBufferedReader(canvas))) {
            stored = reader.readObject();
        }
        var nodes = jakarta.json.Json.createArrayBuilder();
        for (var value : stored.getJsonArray("nodes")) {
            JsonObject node = value.asJsonObject();
            boolean question = List.of("1", "6").contains(node.getString("color", ""))
                    && "text".equals(node.getString("type", ""));
            nodes.add(
                    question
                            ? jakarta.json.Json.createObjectBuilder(node)
                                    .add("text", node.getString("text") + "（改）")
                                    .build()
                            : node);
        }
        nodes.add(jakarta.json.Json.createObjectBuilder()
                .add("id", "added-after-the-stop")
                .add("type", "text")
                .add("text", "什么是新加的问题")
                .add("x", -2000)
                .add("y", -2000)
                .add("width", 300)
                .add("height", 100)
                .add("color", "1"));
        Files.writeString(
                canvas,
                jakarta.json.Json.createObjectBuilder(stored)
                        .add("nodes", nodes)
                        .build()
                        .toString());
    }

    private List<String> runArguments(FakeLlmServer llm) throws Exception {
        vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        llm.defaultReply(Reply.delayed(Duration.ofMillis(200), Reply.echo()));
        return List.of(
                "run",
                EXAM,
                "--vault",
                vault.toString(),
                "--data",
                temp.resolve("data").toString(),
                "--plain",
                "--concurrency",
                String.valueOf(CONCURRENCY),
                "--model-provider",
                "openai",
                "--base-url",
                llm.openAiBaseUrl(),
                "--model",
                "fake-model");
    }

    /** Runs the command in a process of its own and sends it SIGINT once the model has answered 40 calls. */
    private void stopWithCtrlC(List<String> args, FakeLlmServer llm) throws Exception {
        List<String> command = MainProcess.command(args);
        firstLog = temp.resolve("first.log");
        Process first = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(firstLog.toFile())
                .start();
        assertThat(llm.awaitCalls(40, Duration.ofSeconds(60))).isTrue();
        new ProcessBuilder("kill", "-INT", String.valueOf(first.pid())).start().waitFor();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(llm.calls()).as(Files.readString(firstLog)).isLessThan(NODES);
    }

    private String runAgainToTheEnd(List<String> args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String second = out.toString(StandardCharsets.UTF_8);
        assertThat(exit)
                .as("%s%nfirst run:%n%s", second, Files.readString(firstLog))
                .isZero();
        return second;
    }

    private void assertEveryNodeOnceAndTheModelAskedAgainOnlyForWhatWasInFlight(FakeLlmServer llm, String second)
            throws Exception {
        assertThat(llm.calls())
                .as(
                        "only the nodes in flight at Ctrl-C are asked twice; first run:%n%s%nsecond run:%n%s",
                        Files.readString(firstLog), second)
                .isLessThanOrEqualTo(NODES + 2 * CONCURRENCY);
        try (Stream<Path> notes = Files.list(vault.resolve("Exam Prep/期末复习-170-notes"))) {
            assertThat(notes.map(note -> note.getFileName().toString())
                            .filter(name -> name.endsWith(".md") && !name.startsWith(".")))
                    .as("one note per node, none duplicated as '(regenerated)'")
                    .hasSize(NODES);
        }
    }

    /** What {@code GET /canvas/intelligent-parallel} lists on a {@code serve} of the same vault and data folder. */
    private JsonObject sessionsOfAServerOnTheSameDataFolder(FakeLlmServer llm) throws Exception {
        return sessionsOfAServerOnTheSameDataFolder(
                List.of("--model-provider", "openai", "--base-url", llm.openAiBaseUrl(), "--model", "fake-model"));
    }

    private JsonObject sessionsOfAServerOnTheSameDataFolder(List<String> model) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> arguments = new java.util.ArrayList<>(List.of(
                "--port",
                String.valueOf(port),
                "--vault",
                vault.toString(),
                "--data",
                temp.resolve("data").toString()));
        arguments.addAll(model);
        Process server = ServeProcess.start(temp.resolve("serve.log"), Duration.ofSeconds(60), arguments);
        try {
            HttpResponse<String> list = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + port + "/canvas/intelligent-parallel"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
            return Json.createReader(new StringReader(list.body())).readObject();
        } finally {
            // stopped as a learner stops it, so that it lets go of the data folder for the next run
            server.destroy();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
