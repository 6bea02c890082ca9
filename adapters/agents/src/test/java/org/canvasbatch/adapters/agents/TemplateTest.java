package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TemplateTest {

    private static final Template.Vocabulary NAMES =
            new Template.Vocabulary(Set.of("title", "subject", "given", "pair", "first", "second"), Set.of("terms"));

    private static String render(String template, Map<String, ?> values) {
        return Template.parse("test", template, NAMES, name -> null).render(values);
    }

    @Test
    void aListSectionRepeatsForEachItemAndKnowsItsPlace() {
        String template = """
                Terms: {{#terms}}{{^-first}}, {{/-first}}{{.}}{{/terms}}.
                {{#terms}}
                {{-index}}. {{.}}{{#-last}} (last){{/-last}}
                {{/terms}}
                """;

        assertThat(render(template, Map.of("terms", List.of("stack", "queue", "deque"))))
                .isEqualTo("Terms: stack, queue, deque.\n1. stack\n2. queue\n3. deque (last)");
        assertThat(render(template, Map.of("terms", List.of()))).isEqualTo("Terms: .");
        assertThat(render("[{{.}}{{-index}}]", Map.of("terms", List.of("x"))))
                .as("outside a list there is no item")
                .isEqualTo("[]");
    }

    @Test
    void anInvertedSectionShowsWhatToSayWhenThereIsNothing() {
        String template = "{{#terms}}- {{.}}\n{{/terms}}{{^terms}}No terms yet.{{/terms}}";

        assertThat(render(template, Map.of("terms", List.of()))).isEqualTo("No terms yet.");
        assertThat(render(template, Map.of("terms", List.of("heap")))).isEqualTo("- heap");
        assertThat(render("{{^given}}none{{/given}}", Map.of("given", false))).isEqualTo("none");
        assertThat(render("{{^given}}none{{/given}}", Map.of("given", " "))).isEqualTo("none");
        assertThat(render("{{^given}}none{{/given}}", Map.of("given", true))).isEmpty();
    }

    @Test
    void aSectionOverARecordSeesItsValuesFirstThenTheOuterOnes() {
        String template = "{{#pair}}{{first}} vs {{second}} on {{subject}}{{/pair}}{{^pair}}one thing{{/pair}}";

        assertThat(render(template, Map.of("pair", Map.of("first", "BFS", "second", "DFS"), "subject", "graphs")))
                .isEqualTo("BFS vs DFS on graphs");
        assertThat(render(template, Map.of("subject", "graphs"))).isEqualTo("one thing");
    }

    @Test
    void droppedSectionsLeaveNoBlankRunsButValuesAreInsertedExactlyAsTheyAre() {
        String template = """
                # {{title}}

                {{#given}}
                ## Given

                {{given}}
                {{/given}}

                ## Next

                {{subject}}
                """;

        assertThat(render(template, Map.of("title", "T", "subject", "a\n\n\n\nb {{title}}")))
                .isEqualTo("# T\n\n## Next\n\na\n\n\n\nb {{title}}");
    }

    @Test
    void aPartialIsTheOtherTemplatesTextInPlace() {
        Map<String, String> partials = Map.of("_header", "# {{title}}\n{{#given}}\n> {{given}}\n{{/given}}");
        Template template = Template.parse("note", "{{>_header}}\n\nBody about {{subject}}.\n", NAMES, partials::get);

        assertThat(template.render(Map.of("title", "Heaps", "subject", "heaps", "given", "mine")))
                .isEqualTo("# Heaps\n> mine\n\nBody about heaps.");
        assertThat(template.render(Map.of("title", "Heaps", "subject", "heaps")))
                .isEqualTo("# Heaps\n\nBody about heaps.");
    }

    @Test
    void mistakesAreReportedWithTheTemplateAndTheFix() {
        assertThatThrownBy(() -> render("{{titel}}", Map.of()))
                .hasMessageContaining("test uses an unknown placeholder {{titel}}")
                .hasMessageContaining("title");
        assertThatThrownBy(() -> render("{{terms}}", Map.of()))
                .hasMessageContaining("terms is a list: show its items with {{#terms}}{{.}}{{/terms}}");
        assertThatThrownBy(() -> render("{{#terms}}{{.}}", Map.of()))
                .hasMessageContaining("never closes it with {{/terms}}");
        assertThatThrownBy(() -> render("{{^given}}x{{/title}}", Map.of()))
                .hasMessageContaining("closes {{/title}} without a matching {{#title}}");
        assertThatThrownBy(() -> render("{{ title }}", Map.of()))
                .hasMessageContaining("write it without spaces, {{title}}");
        assertThatThrownBy(() -> render("{{>_footer}}", Map.of()))
                .hasMessageContaining("{{>_footer}}, which does not exist");
        assertThatThrownBy(
                        () -> Template.parse("loop", "{{>_a}}", NAMES, Map.of("_a", "{{>_b}}", "_b", "{{>_a}}")::get))
                .hasMessageContaining("include itself");
        assertThatThrownBy(() -> Template.parse("outer", "{{>_a}}", NAMES, Map.of("_a", "{{#given}}x")::get))
                .hasMessageContaining("outer → {{>_a}} opens {{#given}} and never closes it");
    }

    @Test
    void aFileIsSplitIntoItsPartsAndItsPreambleIsAComment() {
        Map<String, String> parts = Template.split(
                "file",
                "Edit me: a comment.\n<!-- name -->\nOral explanation\n<!-- note -->\n# {{title}}\n",
                Set.of("name", "note"));

        assertThat(parts).containsExactly(Map.entry("name", "Oral explanation"), Map.entry("note", "# {{title}}"));
        assertThat(Template.split("file", "just text\n", Set.of("note"))).containsExactly(Map.entry("", "just text"));
        assertThatThrownBy(() -> Template.split("file", "<!-- note -->\na\n<!-- note -->\nb", Set.of("note")))
                .hasMessageContaining("file has two note parts");
    }
}
