package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.canvasbatch.adapters.http.ApiHarness.Answer;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A hostile look at the preview the plugin shows from the analysis (reference §1.1): each group's name, verbatim, and
 * its {@code recommended_agent}, the agent every node of the group runs.
 */
class HostileAnalysisPreviewTest {

    private final ApiHarness api = new ApiHarness();

    @AfterEach
    void stop() {
        api.close();
    }

    private JsonObject analyze(String canvasPath, List<CanvasNode> nodes) {
        JsonArrayBuilder sent = Json.createArrayBuilder();
        for (CanvasNode node : nodes) {
            if (!node.isGroup()) {
                sent.add(Json.createObjectBuilder()
                        .add("id", node.id())
                        .add("type", "text")
                        .add("text", node.text())
                        .add("color", "1")
                        .add("x", node.x())
                        .add("y", node.y())
                        .add("width", node.width())
                        .add("height", node.height()));
            }
        }
        String body = Json.createObjectBuilder()
                .add("canvas_path", canvasPath)
                .add("nodes", sent)
                .add(
                        "options",
                        Json.createObjectBuilder()
                                .add("grouping_mode", "intelligent")
                                .add("max_groups", 6)
                                .add("auto_execute", false))
                .build()
                .toString();
        Answer answer = api.post("/canvas/intelligent-parallel", body);
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        return answer.json();
    }

    private static List<String> groupNames(JsonObject analysis) {
        return analysis.getJsonArray("groups").stream()
                .map(JsonValue::asJsonObject)
                .map(group -> group.getString("group_name"))
                .toList();
    }

    private static CanvasNode question(String id, String text, double x, double y) {
        return CanvasNode.text(id, text, "1", x, y, 250, 60);
    }

    private static CanvasNode canvasGroup(String id, String label, double y) {
        return new CanvasNode(id, "group", null, null, null, label, null, 0, y, 1200, 400);
    }

    /**
     * A shared or downloaded canvas can carry anything in a group's label. The plugin shows {@code group_name} as it
     * comes, so an escape sequence, a bell, a line separator or a right-to-left override reached the preview: "Group 1:
     * ‮sllec" read backwards, and a label cut at 80 characters inside an override left the rest of the line reversed.
     * (The command line's plan already shows such characters escaped.)
     */
    @Test
    void aCanvasGroupsLabelIsShownWithoutControlLineSeparatorOrTextDirectionCharacters() {
        String path = "Biology/labels.canvas";
        List<CanvasNode> nodes = List.of(
                canvasGroup("g1", "\u001b[2J\u001b]0;pwned\u0007Cells \u202Esllec\u202C", 0),
                canvasGroup("g2", "Organic\u2028chemistry\u0085" + "\u202E" + "x".repeat(100) + "\u202C", 1000),
                question("a", "What is a mitochondrion?", 50, 100),
                question("b", "What is a ribosome?", 350, 100),
                question("c", "What does the nucleus do?", 650, 100),
                question("d", "What is an alkane?", 50, 1100),
                question("e", "What is a benzene ring?", 350, 1100),
                question("f", "What is an ester?", 650, 1100));
        api.vault.withCanvas(new Canvas(path, nodes, List.of()));

        List<String> names = groupNames(analyze(path, nodes));

        assertThat(names).hasSize(2);
        assertThat(names)
                .allSatisfy(name -> assertThat(name.codePoints()
                                .filter(cp -> Character.getType(cp) == Character.CONTROL
                                        || Character.getType(cp) == Character.LINE_SEPARATOR
                                        || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR
                                        || Set.of(0x061C, 0x200E, 0x200F).contains(cp)
                                        || (cp >= 0x202A && cp <= 0x202E)
                                        || (cp >= 0x2066 && cp <= 0x2069))
                                .mapToObj(cp -> String.format("U+%04X", cp))
                                .toList())
                        .as("characters the plugin would show or obey in %s", name)
                        .isEmpty());
        assertThat(names.get(0)).startsWith("[2J").contains("Cells", "sllec");
        assertThat(names.get(1)).startsWith("Organic chemistry");
    }

    /**
     * Thai and Hindi write their vowels as combining marks. Words were cut at every mark, so a Hindi canvas's groups
     * were named after stray syllables ("म, इट, क") that appear in none of its questions.
     */
    @Test
    void questionsInScriptsWithCombiningVowelsAreNamedByWholeWords() {
        String path = "Biology/hindi.canvas";
        List<String> texts = List.of(
                "माइटोकॉन्ड्रिया ऊर्जा कैसे बनाता है",
                "राइबोसोम प्रोटीन कैसे बनाता है",
                "माइटोकॉन्ड्रिया में श्वसन",
                "राइबोसोम और प्रोटीन संश्लेषण",
                "ไมโทคอนเดรีย ผลิต พลังงาน",
                "ไรโบโซม สร้าง โปรตีน");
        List<CanvasNode> nodes = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            nodes.add(question("n" + i, texts.get(i), 0, i * 100));
        }
        api.vault.withCanvas(new Canvas(path, nodes, List.of()));
        Set<String> wholeWords =
                texts.stream().flatMap(t -> Arrays.stream(t.split(" "))).collect(Collectors.toSet());

        List<String> names = groupNames(analyze(path, nodes));

        assertThat(names)
                .flatMap(name -> Arrays.asList(name.split(", |、")))
                .as("every word of every group name is a word of the canvas")
                .isSubsetOf(wholeWords);
    }

    /**
     * The preview's agent for a question asked alone: its group's {@code recommended_agent}. "How are A and B
     * different?" and "differences of" are how English learners ask for a comparison, and a typographic apostrophe
     * (what macOS and iOS type by default) made "Why doesn’t …" a plain explanation where "Why doesn't …" is a
     * clarification path.
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "How are mitosis and meiosis different?|comparison-table",
                "Similarities and differences of DNA and RNA|comparison-table",
                "Key differences: prokaryotic vs eukaryotic cells in a long sentence about organelles|comparison-table",
                "Why doesn’t the determinant change under transpose?|clarification-path",
                "Why can’t a matrix with a zero row be inverted?|clarification-path",
                "How do I remember the phases of mitosis? Any mnemonic that won’t fade?|memory-anchor"
            })
    void aQuestionGetsTheAgentItsPhrasingAsksFor(String text, String agent) {
        String path = "Biology/one.canvas";
        List<CanvasNode> nodes = List.of(question("q", text, 0, 0));
        api.vault.withCanvas(new Canvas(path, nodes, List.of()));

        JsonObject group = analyze(path, nodes).getJsonArray("groups").getJsonObject(0);

        assertThat(group.getString("recommended_agent")).as(text).isEqualTo(agent);
    }

    /**
     * The plugin takes a node as red when its colour is "1", "red" or "#ff0000", and as purple for "6", "purple" or
     * "#a855f7" (reference §4): Obsidian's colour picker writes a custom colour as hex. A caller that sends no nodes
     * (the command line's {@code run}, older callers) got only the "1" and "6" nodes: the others were left out of the
     * batch without a word, questions the plugin would have answered.
     */
    @Test
    void withoutNodesTheDefaultColoursAreRedAndPurpleAsThePluginSpellsThem() {
        String path = "Biology/colours.canvas";
        String[] colours = {"1", "#FF0000", "red", "6", "purple", "#a855f7", "3", "#ffff00", "2"};
        List<CanvasNode> nodes = new ArrayList<>();
        for (int i = 0; i < colours.length; i++) {
            nodes.add(CanvasNode.text("c" + i, "What is organelle " + i + "?", colours[i], 0, i * 100, 250, 60));
        }
        api.vault.withCanvas(new Canvas(path, nodes, List.of()));

        Answer answer = api.post("/canvas/intelligent-parallel", "{\"canvas_path\":\"" + path + "\"}");

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.json().getJsonArray("groups").stream()
                        .flatMap(g -> g.asJsonObject().getJsonArray("nodes").stream())
                        .map(n -> n.asJsonObject().getString("id"))
                        .toList())
                .containsExactlyInAnyOrder("c0", "c1", "c2", "c3", "c4", "c5");
    }
}
