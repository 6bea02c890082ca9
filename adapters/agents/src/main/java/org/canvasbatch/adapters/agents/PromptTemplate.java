package org.canvasbatch.adapters.agents;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One agent's prompt template, parsed. The format, for people who write their own:
 *
 * <pre>
 * &lt;!-- system --&gt;      the system part, for any language
 * &lt;!-- user --&gt;        the user part, for any language
 * &lt;!-- system:zh --&gt;   a part only for Chinese nodes (also :en); it wins over the part without a language
 * </pre>
 *
 * Text before the first marker is a comment and is not sent. A file without markers is all user part. Inside a part,
 * {@code {{name}}} is replaced by a value, and {@code {{#name}} … {{/name}}} is kept only when {@code name} has a value,
 * so an empty section disappears with its heading ({@link Template}, the engine, has the details).
 */
final class PromptTemplate {

    static final Set<String> PLACEHOLDERS = Set.of(
            "node_text",
            "node_content",
            "node_details",
            "canvas_name",
            "canvas_path",
            "group_name",
            "group_terms",
            "related_questions",
            "learner_understanding",
            "vault_passages",
            "language",
            "agent_id");

    private static final Template.Vocabulary VOCABULARY = new Template.Vocabulary(PLACEHOLDERS, Set.of());
    private static final Set<String> PART_NAMES =
            Set.of("system", "user", "system:zh", "system:en", "user:zh", "user:en");

    private final String source;
    private final Map<Part, Template> parts;

    private PromptTemplate(String source, Map<Part, Template> parts) {
        this.source = source;
        this.parts = parts;
    }

    /**
     * @param source where the text came from, for error messages
     * @throws IllegalArgumentException naming the source when the text has no user part, an unknown placeholder or an
     *                                  unbalanced section
     */
    static PromptTemplate parse(String source, String text) {
        Map<String, String> split = Template.split("prompt template " + source, text, PART_NAMES);
        Map<Part, Template> parts = new LinkedHashMap<>();
        split.forEach((name, body) -> {
            Part part = Part.named(name);
            parts.put(
                    part,
                    Template.parse("prompt template " + source + " (" + part + ")", body, VOCABULARY, partial -> null));
        });
        if (parts.keySet().stream().noneMatch(part -> !part.system())) {
            throw new IllegalArgumentException("prompt template " + source
                    + " has no user part: add a line <!-- user --> followed by the text that presents the node");
        }
        return new PromptTemplate(source, Map.copyOf(parts));
    }

    String source() {
        return source;
    }

    Prompt render(Language language, Map<String, String> values) {
        return new Prompt(render(true, language, values), render(false, language, values));
    }

    private String render(boolean system, Language language, Map<String, String> values) {
        Template part = partFor(system, language);
        return part == null ? "" : part.render(values);
    }

    private Template partFor(boolean system, Language language) {
        Map<Language, Template> byLanguage = new EnumMap<>(Language.class);
        for (Map.Entry<Part, Template> entry : parts.entrySet()) {
            if (entry.getKey().system() == system && entry.getKey().language() != null) {
                byLanguage.put(entry.getKey().language(), entry.getValue());
            }
        }
        Template exact = byLanguage.get(language);
        if (exact != null) {
            return exact;
        }
        Template neutral = parts.get(new Part(system, null));
        if (neutral != null) {
            return neutral;
        }
        // A template written for one language still serves the other: {{language}} tells the model which to use.
        return byLanguage.values().stream().findFirst().orElse(null);
    }

    private record Part(boolean system, Language language) {
        /** {@code system}, {@code user:zh} …; a file without markers is all user part. */
        static Part named(String name) {
            String[] kind = name.split(":", 2);
            Language language = kind.length == 1 ? null : kind[1].equals("zh") ? Language.ZH : Language.EN;
            return new Part(kind[0].equals("system"), language);
        }

        @Override
        public String toString() {
            return (system ? "system" : "user") + (language == null ? "" : ":" + language.code()) + " part";
        }
    }
}
