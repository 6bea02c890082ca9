package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PromptTemplatesTest {

    private final PromptTemplates templates = PromptTemplates.builtIn();

    static Stream<Arguments> everyAgentInBothLanguages() {
        return Arrays.stream(AgentId.values())
                .flatMap(agent -> Stream.of(Arguments.of(agent, "zh"), Arguments.of(agent, "en")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyAgentInBothLanguages")
    void everyAgentRendersTheNodeAndItsContextInTheNodesLanguage(AgentId agent, String language) {
        AgentRequest request = Requests.inLanguage(language, agent);

        Prompt prompt = templates.render(request);

        assertThat(prompt.system()).isNotBlank().doesNotContain("{{").doesNotContain("}}");
        assertThat(prompt.user())
                .contains("<question>\n" + request.nodeText() + "\n</question>")
                .contains(request.context().canvasName())
                .contains(request.context().groupName())
                .contains(request.context().learnerUnderstanding().getFirst())
                .contains("- " + request.context().relatedQuestions().getFirst().text())
                .doesNotContain("{{")
                .doesNotContain("}}")
                .doesNotContain("\n\n\n");
        if (language.equals("zh")) {
            assertThat(prompt.system()).contains("简体中文").contains("老师");
            assertThat(prompt.user()).contains("全文使用简体中文").contains("逆否命题、否命题、原命题");
        } else {
            assertThat(prompt.system())
                    .contains("Write the whole note in English")
                    .doesNotContainPattern("\\p{IsHan}");
            assertThat(prompt.user()).contains("in English.").contains("stack, queue, order");
        }
    }

    @Test
    void eachAgentHasItsOwnInstructions() {
        Set<String> systems = new HashSet<>();
        for (AgentId agent : AgentId.values()) {
            systems.add(templates.render(Requests.en(agent)).system());
            systems.add(templates.render(Requests.zh(agent)).system());
        }
        assertThat(systems).hasSize(AgentId.values().length * 2);
        assertThat(templates.render(Requests.en(AgentId.COMPARISON_TABLE)).system())
                .contains("Markdown table");
        assertThat(templates.render(Requests.zh(AgentId.FOUR_LEVEL_EXPLANATION)).system())
                .contains("第四层");
        assertThat(templates.render(Requests.en(AgentId.VERIFICATION_QUESTION)).system())
                .contains("> [!faq]-");
        assertThat(templates.render(Requests.zh(AgentId.SCORING_AGENT)).system())
                .contains("黄色节点");
    }

    @Test
    void aQuestionWithoutContextLeavesNoEmptySections() {
        Prompt en = templates.render(Requests.bare(AgentId.ORAL_EXPLANATION, "What is a hash table?"));
        Prompt zh = templates.render(Requests.bare(AgentId.ORAL_EXPLANATION, "什么是等价关系"));

        assertThat(en.user())
                .startsWith("The learner's question, a node on the canvas:\n<question>\nWhat is a hash table?")
                .doesNotContain(
                        "Canvas:",
                        "Topic group",
                        "Key terms",
                        "other questions",
                        "own understanding",
                        "<learner_understanding>",
                        "<node_content>",
                        "\n\n\n");
        assertThat(zh.user())
                .startsWith("学生的问题（白板上的一个节点）：\n<question>\n什么是等价关系")
                .doesNotContain("白板：", "主题分组", "分组关键词", "其他问题", "自己的理解", "\n\n\n");
    }

    @Test
    void theNodesOwnQuestionIsNotListedAmongTheRelatedOnes() {
        AgentRequest request = new AgentRequest(AgentId.ORAL_EXPLANATION, "n", "什么是逆否命题", null, Requests.ZH_CONTEXT);

        assertThat(templates.render(request).user()).doesNotContain("- 什么是逆否命题").contains("- 为什么命题逻辑中蕴含式前件为假时整体为真");
    }

    @Test
    void aFileNodeShowsItsContentBesideItsName() {
        AgentRequest request = new AgentRequest(
                AgentId.EXAMPLE_TEACHING, "f", "notes/鸽巢原理.md", "# 鸽巢原理\n\n如果把 n+1 个物体放进 n 个盒子，至少有一个盒子里有两个物体。", null);

        Prompt prompt = templates.render(request);

        assertThat(prompt.user())
                .contains("<question>\nnotes/鸽巢原理.md\n</question>")
                .contains("<node_content>\n# 鸽巢原理\n\n如果把 n+1 个物体放进 n 个盒子");
        assertThat(prompt.system()).contains("简体中文");
    }

    @Test
    void braceTextInANodeIsSentAsItIsNotExpanded() {
        Prompt prompt = templates.render(
                Requests.bare(AgentId.ORAL_EXPLANATION, "Why does {{group_name}} appear in my Mustache template?"));

        assertThat(prompt.user()).contains("Why does {{group_name}} appear in my Mustache template?");
    }

    @Test
    void languageFollowsTheQuestionsIdeographs() {
        assertThat(Language.detect("Kruskal算法和Prim算法的比较")).isEqualTo(Language.ZH);
        assertThat(Language.detect("BFS vs DFS: when to use which?")).isEqualTo(Language.EN);
        assertThat(Language.detect("Café — naïve façade")).isEqualTo(Language.EN);
        AgentRequest englishPathChineseFile =
                new AgentRequest(AgentId.ORAL_EXPLANATION, "f", "notes/pigeonhole.md", "鸽巢原理：n+1 个物体放进 n 个盒子", null);
        assertThat(Language.of(englishPathChineseFile)).isEqualTo(Language.ZH);
    }

    @Test
    void anOverrideFileReplacesOnlyItsAgent(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("oral-explanation.md"), """
                <!-- system -->
                You are Ms Frizzle. Answer in {{language}}.
                <!-- user -->
                Explain {{node_text}} to class {{canvas_name}}.
                {{#related_questions}}
                Also asked:
                {{related_questions}}
                {{/related_questions}}
                """);

        PromptTemplates overridden = PromptTemplates.withOverrides(dir);

        Prompt en = overridden.render(Requests.en(AgentId.ORAL_EXPLANATION));
        assertThat(en.system()).isEqualTo("You are Ms Frizzle. Answer in English.");
        assertThat(en.user())
                .isEqualTo("Explain " + Requests.EN_QUESTION + " to class Data Structures.\n"
                        + "Also asked:\n- What is a priority queue?\n- BFS vs DFS: when to use which?");
        Prompt zh = overridden.render(Requests.bare(AgentId.ORAL_EXPLANATION, "什么是等价关系"));
        assertThat(zh.system()).isEqualTo("You are Ms Frizzle. Answer in 简体中文.");
        assertThat(zh.user()).isEqualTo("Explain 什么是等价关系 to class .");
        assertThat(overridden.sourceOf(AgentId.ORAL_EXPLANATION))
                .isEqualTo(dir.resolve("oral-explanation.md").toString());
        assertThat(overridden.render(Requests.en(AgentId.COMPARISON_TABLE)))
                .isEqualTo(templates.render(Requests.en(AgentId.COMPARISON_TABLE)));
    }

    @Test
    void anOverrideWithoutPartMarkersIsAllUserPrompt(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("memory-anchor.md"), "Give me a mnemonic for {{node_text}}.\n");

        Prompt prompt = PromptTemplates.withOverrides(dir).render(Requests.bare(AgentId.MEMORY_ANCHOR, "heap costs"));

        assertThat(prompt.system()).isEmpty();
        assertThat(prompt.user()).isEqualTo("Give me a mnemonic for heap costs.");
    }

    @Test
    void aLanguageSpecificPartWinsForThatLanguage(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("oral-explanation.md"), """
                <!-- user -->
                Explain {{node_text}}.
                <!-- user:zh -->
                请讲解：{{node_text}}
                """);

        PromptTemplates overridden = PromptTemplates.withOverrides(dir);

        assertThat(overridden
                        .render(Requests.bare(AgentId.ORAL_EXPLANATION, "什么是树"))
                        .user())
                .isEqualTo("请讲解：什么是树");
        assertThat(overridden
                        .render(Requests.bare(AgentId.ORAL_EXPLANATION, "What is a tree"))
                        .user())
                .isEqualTo("Explain What is a tree.");
    }

    @Test
    void mistakesInAnOverrideAreReportedWithTheFileAndTheFix(@TempDir Path dir) throws IOException {
        Path unknown = Files.writeString(dir.resolve("oral-explanation.md"), "<!-- user -->\nExplain {{question}}");
        assertThatThrownBy(() -> PromptTemplates.withOverrides(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(unknown.toString())
                .hasMessageContaining("{{question}}")
                .hasMessageContaining("node_text");

        Files.writeString(unknown, "<!-- user -->\n{{#group_name}}Group {{group_name}}\nExplain {{node_text}}");
        assertThatThrownBy(() -> PromptTemplates.withOverrides(dir))
                .hasMessageContaining("never closes it with {{/group_name}}");

        Files.writeString(unknown, "<!-- system -->\nOnly a system part");
        assertThatThrownBy(() -> PromptTemplates.withOverrides(dir)).hasMessageContaining("has no user part");

        Files.delete(unknown);
        Path typo = Files.writeString(dir.resolve("oral_explanation.md"), "Explain {{node_text}}");
        assertThatThrownBy(() -> PromptTemplates.withOverrides(dir))
                .hasMessageContaining(typo.toString())
                .hasMessageContaining("oral-explanation, four-level-explanation");
    }

    @Test
    void aMissingOverrideDirectoryIsAnError(@TempDir Path dir) {
        assertThatThrownBy(() -> PromptTemplates.withOverrides(dir.resolve("nope")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void theBuiltInTemplatesRoundTripAsOverrides(@TempDir Path dir) throws IOException {
        for (AgentId agent : AgentId.values()) {
            try (var in = PromptTemplates.class.getResourceAsStream("prompts/" + agent.wireName() + ".md")) {
                Files.write(dir.resolve(agent.wireName() + ".md"), in.readAllBytes());
            }
        }
        PromptTemplates copied = PromptTemplates.withOverrides(dir);

        for (AgentId agent : List.of(AgentId.values())) {
            assertThat(copied.render(Requests.zh(agent))).isEqualTo(templates.render(Requests.zh(agent)));
        }
    }
}
