package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfflineTemplatesTest {

    private final OfflineAgent builtIn = new OfflineAgent();

    private static String note(OfflineTemplates templates, AgentRequest request) throws Exception {
        return new OfflineAgent(templates).run(request).markdown();
    }

    @Test
    void anOverrideInTheOfflineFolderReplacesOnlyItsAgentAndLanguage(@TempDir Path dir) throws Exception {
        Path offline = Files.createDirectories(dir.resolve("offline"));
        Files.writeString(offline.resolve("oral-explanation.en.md"), """
                My own scaffold.
                <!-- name -->
                plain talk
                <!-- note -->
                # {{title}}

                Explain “{{subject}}” in {{agent_name}}{{#has_terms}}, with {{#terms}}{{^-first}} and {{/-first}}{{.}}{{/terms}}{{/has_terms}}.
                {{>_related}}
                """);

        OfflineTemplates templates = OfflineTemplates.withOverrides(dir);

        assertThat(note(templates, Requests.en(AgentId.ORAL_EXPLANATION)))
                .isEqualTo("# " + Requests.EN_QUESTION + "\n\nExplain “stack and queue” in plain talk, with stack and "
                        + "queue.\n## Related questions\n\nThe other questions you asked in the same group "
                        + "(links go to their own notes):\n\n"
                        + "- [[What is a priority queue (oral-explanation)|What is a priority queue?]]\n"
                        + "- [[BFS vs DFS when to use which (comparison-table)|BFS vs DFS: when to use which?]]\n");
        assertThat(note(templates, Requests.zh(AgentId.ORAL_EXPLANATION)))
                .isEqualTo(builtIn.run(Requests.zh(AgentId.ORAL_EXPLANATION)).markdown());
        assertThat(note(templates, Requests.en(AgentId.COMPARISON_TABLE)))
                .isEqualTo(builtIn.run(Requests.en(AgentId.COMPARISON_TABLE)).markdown());
    }

    @Test
    void anOverriddenPieceChangesEveryNoteThatIncludesIt(@TempDir Path dir) throws Exception {
        Path offline = Files.createDirectories(dir.resolve("offline"));
        Files.writeString(
                offline.resolve("_header.en.md"), "<!-- note -->\n# {{title}}\n\n_{{agent_name}}, offline_\n");

        OfflineTemplates templates = OfflineTemplates.withOverrides(dir);

        for (AgentId agent : AgentId.values()) {
            assertThat(note(templates, Requests.en(agent)))
                    .startsWith("# " + Requests.EN_QUESTION + "\n\n_")
                    .doesNotContain("OPENAI_API_KEY");
            assertThat(note(templates, Requests.zh(agent))).contains("OPENAI_API_KEY");
        }
        assertThat(note(templates, Requests.en(AgentId.MEMORY_ANCHOR))).contains("_memory anchor, offline_");
    }

    @Test
    void theBuiltInTemplatesRoundTripAsOverrides(@TempDir Path dir) throws Exception {
        Path offline = Files.createDirectories(dir.resolve("offline"));
        Files.writeString(offline.resolve("README.md"), "not a template");
        for (String name : Stream.concat(
                        Stream.of(AgentId.values()).map(AgentId::wireName),
                        Stream.of("_header", "_understanding", "_related", "_terms", "_verification-answer"))
                .toList()) {
            for (String language : new String[] {"zh", "en"}) {
                String file = name + "." + language + ".md";
                try (InputStream in = OfflineTemplates.class.getResourceAsStream("offline/" + file)) {
                    Files.write(offline.resolve(file), in.readAllBytes());
                }
            }
        }

        OfflineTemplates copied = OfflineTemplates.withOverrides(dir);

        for (AgentId agent : AgentId.values()) {
            assertThat(note(copied, Requests.zh(agent)))
                    .isEqualTo(builtIn.run(Requests.zh(agent)).markdown());
            assertThat(note(copied, Requests.en(agent)))
                    .isEqualTo(builtIn.run(Requests.en(agent)).markdown());
        }
    }

    @Test
    void aTemplateDirectoryWithoutAnOfflineFolderKeepsTheBuiltInNotes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("oral-explanation.md"), "<!-- user -->\nExplain {{node_text}}.");

        assertThat(note(OfflineTemplates.withOverrides(dir), Requests.zh(AgentId.ORAL_EXPLANATION)))
                .isEqualTo(builtIn.run(Requests.zh(AgentId.ORAL_EXPLANATION)).markdown());
    }

    @Test
    void theOfflineProviderReadsTheOfflineFolderOfTheTemplateDirectory(@TempDir Path dir) throws Exception {
        Path offline = Files.createDirectories(dir.resolve("offline"));
        Files.writeString(
                offline.resolve("scoring-agent.zh.md"),
                "<!-- name -->\n评分\n<!-- note -->\n# {{agent_name}}：{{title}}\n");

        AgentRunner runner = Agents.fromConfig(AgentConfig.offline().withTemplatesDir(dir), Map.of());

        assertThat(runner.run(Requests.zh(AgentId.SCORING_AGENT)).markdown())
                .isEqualTo("# 评分：" + Requests.ZH_QUESTION + "\n");
    }

    @Test
    void mistakesInAnOverrideAreReportedWithTheFileAndTheFix(@TempDir Path dir) throws IOException {
        Path offline = Files.createDirectories(dir.resolve("offline"));
        Path file = offline.resolve("memory-anchor.zh.md");

        Files.writeString(file, "<!-- name -->\n记忆\n<!-- note -->\n# {{question}}\n");
        assertThatThrownBy(() -> OfflineTemplates.withOverrides(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("unknown placeholder {{question}}")
                .hasMessageContaining("question_line");

        Files.writeString(file, "<!-- name -->\n记忆\n<!-- note -->\n关键词：{{terms}}\n");
        assertThatThrownBy(() -> OfflineTemplates.withOverrides(dir))
                .hasMessageContaining("show its items with {{#terms}}{{.}}{{/terms}}");

        Files.writeString(file, "# {{title}}\n");
        assertThatThrownBy(() -> OfflineTemplates.withOverrides(dir))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("<!-- name -->")
                .hasMessageContaining("<!-- note -->");

        Files.writeString(file, "<!-- name -->\n记忆\n<!-- note -->\n{{>_footer}}\n");
        assertThatThrownBy(() -> OfflineTemplates.withOverrides(dir))
                .hasMessageContaining("{{>_footer}}, which does not exist");

        Files.delete(file);
        Path typo = Files.writeString(offline.resolve("memory_anchor.zh.md"), "<!-- name -->\nx\n<!-- note -->\nx\n");
        assertThatThrownBy(() -> OfflineTemplates.withOverrides(dir))
                .hasMessageContaining(typo.toString())
                .hasMessageContaining("is named for no agent")
                .hasMessageContaining("oral-explanation, four-level-explanation");

        Files.delete(typo);
        Path language =
                Files.writeString(offline.resolve("memory-anchor.fr.md"), "<!-- name -->\nx\n<!-- note -->\nx\n");
        assertThatThrownBy(() -> OfflineTemplates.withOverrides(dir)).hasMessageContaining(language.toString());
    }

    @Test
    void everyValueTheNoteComputesIsKnownToTheTemplatesAndDocumented() throws IOException {
        Set<String> names = new TreeSet<>();
        for (AgentRequest request : new AgentRequest[] {
            Requests.zh(AgentId.SCORING_AGENT),
            Requests.en(AgentId.SCORING_AGENT),
            Requests.bare(AgentId.COMPARISON_TABLE, "Heaps"),
            Requests.bare(AgentId.COMPARISON_TABLE, ""),
            new AgentRequest(AgentId.EXAMPLE_TEACHING, "f", "鸽巢原理", "# 鸽巢原理\n\n…", Requests.ZH_CONTEXT)
        }) {
            collectNames(new OfflineNote(request).values("name"), names);
        }
        String readme;
        try (InputStream in = OfflineTemplates.class.getResourceAsStream("offline/README.md")) {
            readme = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(names)
                .allSatisfy(name ->
                        assertThat(OfflineNote.VOCABULARY.knows(name)).as(name).isTrue());
        assertThat(names)
                .filteredOn(name -> AgentId.fromWireName(name).isEmpty())
                .allSatisfy(name -> assertThat(readme).as(name).contains("`" + name + "`"));
        assertThat(Stream.of(Category.values())
                        .map(c -> "category-"
                                + c.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')))
                .allSatisfy(flag -> assertThat(names).contains(flag));
        assertThat(OfflineNote.VOCABULARY.lists())
                .allSatisfy(list -> assertThat(names).contains(list));
    }

    private static void collectNames(Object value, Set<String> names) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, inner) -> {
                names.add((String) key);
                collectNames(inner, names);
            });
        } else if (value instanceof Collection<?> items) {
            items.forEach(item -> collectNames(item, names));
        }
    }
}
