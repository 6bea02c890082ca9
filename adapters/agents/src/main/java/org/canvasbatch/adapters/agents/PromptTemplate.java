package org.canvasbatch.adapters.agents;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * so an empty section disappears with its heading.
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
            "language",
            "agent_id");

    private static final Pattern MARKER =
            Pattern.compile("(?m)^[ \\t]*<!--\\s*(system|user)(?::(zh|en))?\\s*-->[ \\t]*(?:\\r?\\n|$)");
    private static final Pattern TAG = Pattern.compile("\\{\\{\\s*([#/]?)\\s*([A-Za-z0-9_-]*)\\s*}}");
    // A block tag alone on its line takes its line break with it, so a removed section leaves no blank line.
    private static final Pattern STANDALONE_TAG = Pattern.compile("(?m)^[ \\t]*(\\{\\{[#/][a-z_]+}})[ \\t]*\\r?\\n");
    private static final Pattern BLOCK = Pattern.compile("\\{\\{#([a-z_]+)}}(.*?)\\{\\{/\\1}}", Pattern.DOTALL);
    private static final Pattern VALUE = Pattern.compile("\\{\\{([a-z_]+)}}");
    private static final Pattern EXTRA_BLANK_LINES = Pattern.compile("\\n[ \\t]*\\n(?:[ \\t]*\\n)+");

    private final String source;
    private final Map<Part, String> parts;

    private PromptTemplate(String source, Map<Part, String> parts) {
        this.source = source;
        this.parts = parts;
    }

    /**
     * @param source where the text came from, for error messages
     * @throws IllegalArgumentException naming the source when the text has no user part, an unknown placeholder or an
     *                                  unbalanced section
     */
    static PromptTemplate parse(String source, String text) {
        String normalised = text.replace("\r\n", "\n");
        Map<Part, String> parts = new LinkedHashMap<>();
        Matcher marker = MARKER.matcher(normalised);
        List<int[]> bounds = new ArrayList<>();
        List<Part> found = new ArrayList<>();
        while (marker.find()) {
            Language language =
                    marker.group(2) == null ? null : marker.group(2).equals("zh") ? Language.ZH : Language.EN;
            found.add(new Part(marker.group(1).equals("system"), language));
            bounds.add(new int[] {marker.start(), marker.end()});
        }
        if (found.isEmpty()) {
            parts.put(new Part(false, null), normalised.strip());
        }
        for (int i = 0; i < found.size(); i++) {
            int end = i + 1 < found.size() ? bounds.get(i + 1)[0] : normalised.length();
            Part part = found.get(i);
            if (parts.containsKey(part)) {
                throw new IllegalArgumentException("prompt template " + source + " has two " + part + " parts");
            }
            parts.put(part, normalised.substring(bounds.get(i)[1], end).strip());
        }
        if (parts.keySet().stream().noneMatch(part -> !part.system())) {
            throw new IllegalArgumentException("prompt template " + source
                    + " has no user part: add a line <!-- user --> followed by the text that presents the node");
        }
        parts.forEach((part, body) -> check(source, part, body));
        return new PromptTemplate(source, Map.copyOf(parts));
    }

    private static void check(String source, Part part, String body) {
        Matcher tag = TAG.matcher(body);
        List<String> open = new ArrayList<>();
        while (tag.find()) {
            String kind = tag.group(1);
            String name = tag.group(2);
            if (!PLACEHOLDERS.contains(name)) {
                throw new IllegalArgumentException("prompt template " + source + " (" + part + ") uses an unknown "
                        + "placeholder {{" + kind + name + "}}; known placeholders: "
                        + String.join(", ", PLACEHOLDERS.stream().sorted().toList()));
            }
            if (!tag.group(0).equals("{{" + kind + name + "}}")) {
                throw new IllegalArgumentException("prompt template " + source + " (" + part + ") writes "
                        + tag.group(0) + ": write it without spaces, {{" + kind + name + "}}");
            }
            if (kind.equals("#")) {
                open.add(name);
            } else if (kind.equals("/")) {
                if (open.isEmpty() || !open.removeLast().equals(name)) {
                    throw new IllegalArgumentException("prompt template " + source + " (" + part + ") closes {{/" + name
                            + "}} without a matching {{#" + name + "}}");
                }
            }
        }
        if (!open.isEmpty()) {
            throw new IllegalArgumentException("prompt template " + source + " (" + part + ") opens {{#"
                    + open.getLast() + "}} and never closes it with {{/" + open.getLast() + "}}");
        }
    }

    String source() {
        return source;
    }

    Prompt render(Language language, Map<String, String> values) {
        return new Prompt(fill(partFor(true, language), values), fill(partFor(false, language), values));
    }

    private String partFor(boolean system, Language language) {
        Map<Language, String> byLanguage = new EnumMap<>(Language.class);
        for (Map.Entry<Part, String> entry : parts.entrySet()) {
            if (entry.getKey().system() == system && entry.getKey().language() != null) {
                byLanguage.put(entry.getKey().language(), entry.getValue());
            }
        }
        String exact = byLanguage.get(language);
        if (exact != null) {
            return exact;
        }
        String neutral = parts.get(new Part(system, null));
        if (neutral != null) {
            return neutral;
        }
        // A template written for one language still serves the other: {{language}} tells the model which to use.
        return byLanguage.values().stream().findFirst().orElse("");
    }

    private static String fill(String body, Map<String, String> values) {
        String text = STANDALONE_TAG.matcher(body).replaceAll(match -> Matcher.quoteReplacement(match.group(1)));
        String previous;
        do {
            previous = text;
            text = BLOCK.matcher(text)
                    .replaceAll(block -> Matcher.quoteReplacement(
                            values.getOrDefault(block.group(1), "").isBlank() ? "" : block.group(2)));
        } while (!text.equals(previous));
        text = EXTRA_BLANK_LINES.matcher(text).replaceAll("\n\n");
        // One pass over the template only: a value that itself contains {{…}} is inserted as it is, never expanded.
        return VALUE.matcher(text)
                .replaceAll(value -> Matcher.quoteReplacement(values.getOrDefault(value.group(1), "")))
                .strip();
    }

    private record Part(boolean system, Language language) {
        @Override
        public String toString() {
            return (system ? "system" : "user") + (language == null ? "" : ":" + language.code()) + " part";
        }
    }
}
