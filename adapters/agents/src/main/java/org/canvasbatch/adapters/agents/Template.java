package org.canvasbatch.adapters.agents;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one template engine of the agents, for the prompts ({@link PromptTemplate}) and the offline notes
 * ({@link OfflineTemplates}): a small subset of Mustache.
 *
 * <h2>A template file</h2>
 *
 * A file is split into parts by marker lines such as {@code <!-- user -->}; which part names a file may use is up to
 * its kind (a prompt has {@code system} and {@code user}, an offline note {@code name} and {@code note}). Text before
 * the first marker is a comment for the people who edit the file and is never rendered.
 *
 * <h2>Tags inside a part</h2>
 *
 * <pre>
 * {{name}}               the value called name, inserted as it is: a value is never expanded again, so a learner's
 *                        "{{...}}" stays text
 * {{#name}} … {{/name}}  a section, kept when name has a value: a non-blank text, true, a number, a non-empty list or
 *                        a record of values; for a list it is repeated once per item
 * {{^name}} … {{/name}}  an inverted section, kept when name has no value (blank, false, an empty list, absent)
 * {{.}}                  inside a list section: the item itself
 * {{-index}}             inside a list section: the item's number, from 1
 * {{#-first}} {{#-last}} inside a list section: sections kept only for the first / last item ({{^-first}}, a
 *                        separator before every item but the first, joins a list: {{#terms}}{{^-first}}, {{/-first}}…)
 * {{>name}}              the partial called name: the text of another template of the same set, in place
 * </pre>
 *
 * Inside a section over a record, the record's values are found first, then those outside it. Names are checked when
 * the template is read: an unknown name, a list written as a plain value or an unbalanced section is an error that
 * names the template, not a silent gap in every note.
 *
 * <h2>Layout</h2>
 *
 * A line holding nothing but a section tag disappears with its line break, so a section can span whole lines and
 * leaves no trace when it is dropped. After the sections are resolved, a run of blank lines becomes one blank line and
 * the text is stripped; the values inserted are left exactly as they are.
 */
final class Template {

    /** The names a template set understands: plain values and lists (the lists may only be used as sections). */
    record Vocabulary(Set<String> values, Set<String> lists) {
        Vocabulary {
            values = Set.copyOf(values);
            lists = Set.copyOf(lists);
        }

        boolean knows(String name) {
            return values.contains(name) || lists.contains(name) || LOOP_NAMES.contains(name);
        }

        List<String> sorted() {
            List<String> all = new ArrayList<>(values);
            all.addAll(lists);
            return all.stream().sorted().toList();
        }
    }

    private static final Set<String> LOOP_NAMES = Set.of(".", "-first", "-last", "-index");
    private static final Pattern TAG = Pattern.compile("\\{\\{\\s*([#^/>]?)\\s*([A-Za-z0-9_.-]*)\\s*}}");
    // A section tag alone on its line takes its line break with it, so a removed section leaves no blank line.
    private static final Pattern STANDALONE_TAG =
            Pattern.compile("(?m)^[ \\t]*(\\{\\{[#^/][A-Za-z0-9_.-]+}})[ \\t]*\\n");
    private static final int MAX_PARTIAL_DEPTH = 8;
    // Stands for an inserted value while blank lines are tidied, so that a value's own text is never touched.
    private static final char VALUE_MARK = '\0';

    private final List<Node> nodes;

    private Template(List<Node> nodes) {
        this.nodes = nodes;
    }

    /**
     * Splits a template file into its parts.
     *
     * @param parts the marker names this kind of file may use, e.g. {@code user}, {@code system:zh}
     * @return each part's text, stripped, in file order; a file without any marker is one part named {@code ""}
     * @throws IllegalArgumentException when a part appears twice
     */
    static Map<String, String> split(String what, String text, Set<String> parts) {
        String normalised = text.replace("\r\n", "\n");
        Pattern marker = Pattern.compile("(?m)^[ \\t]*<!--\\s*("
                + String.join("|", parts.stream().map(Pattern::quote).toList()) + ")\\s*-->[ \\t]*(?:\\n|$)");
        Matcher found = marker.matcher(normalised);
        Map<String, String> split = new LinkedHashMap<>();
        String name = null;
        int start = 0;
        while (found.find()) {
            if (name != null) {
                put(what, split, name, normalised.substring(start, found.start()));
            }
            name = found.group(1);
            start = found.end();
        }
        put(what, split, name == null ? "" : name, normalised.substring(start));
        return split;
    }

    private static void put(String what, Map<String, String> split, String name, String text) {
        if (split.put(name, text.strip()) != null) {
            throw new IllegalArgumentException(what + " has two " + name + " parts");
        }
    }

    /**
     * @param where    names the template in error messages, e.g. {@code prompt template x.md (user part)}
     * @param partials the text of each partial by name, {@code null} for one that does not exist
     * @throws IllegalArgumentException naming {@code where} when a tag names what the vocabulary does not know, a
     *                                  section is unbalanced or a partial is missing or includes itself
     */
    static Template parse(String where, String text, Vocabulary vocabulary, Function<String, String> partials) {
        return new Template(build(where, expand(where, text, vocabulary, partials, 0), vocabulary));
    }

    private static String expand(
            String where, String text, Vocabulary vocabulary, Function<String, String> partials, int depth) {
        String normalised = text.replace("\r\n", "\n");
        if (normalised.indexOf(VALUE_MARK) >= 0) {
            throw new IllegalArgumentException(where + " contains a NUL character");
        }
        normalised = STANDALONE_TAG.matcher(normalised).replaceAll(match -> Matcher.quoteReplacement(match.group(1)));
        Matcher tag = TAG.matcher(normalised);
        StringBuilder expanded = new StringBuilder();
        while (tag.find()) {
            if (!tag.group(1).equals(">")) {
                continue;
            }
            String name = tag.group(2);
            String partial = partials.apply(name);
            if (partial == null) {
                throw new IllegalArgumentException(where + " includes {{>" + name + "}}, which does not exist");
            }
            if (depth >= MAX_PARTIAL_DEPTH) {
                throw new IllegalArgumentException(where + " includes partials more than " + MAX_PARTIAL_DEPTH
                        + " deep: does {{>" + name + "}} include itself?");
            }
            String inner = where + " → {{>" + name + "}}";
            String body = expand(inner, partial, vocabulary, partials, depth + 1);
            build(inner, body, vocabulary);
            tag.appendReplacement(expanded, Matcher.quoteReplacement(body));
        }
        tag.appendTail(expanded);
        return expanded.toString();
    }

    private static List<Node> build(String where, String text, Vocabulary vocabulary) {
        Deque<Section> open = new ArrayDeque<>();
        List<Node> root = new ArrayList<>();
        Matcher tag = TAG.matcher(text);
        int last = 0;
        while (tag.find()) {
            String kind = tag.group(1);
            String name = tag.group(2);
            if (!vocabulary.knows(name)) {
                throw new IllegalArgumentException(where + " uses an unknown placeholder {{" + kind + name + "}}; "
                        + "known placeholders: " + String.join(", ", vocabulary.sorted()));
            }
            if (!tag.group(0).equals("{{" + kind + name + "}}")) {
                throw new IllegalArgumentException(
                        where + " writes " + tag.group(0) + ": write it without spaces, {{" + kind + name + "}}");
            }
            List<Node> into = open.isEmpty() ? root : open.peek().children();
            if (tag.start() > last) {
                into.add(new Text(text.substring(last, tag.start())));
            }
            last = tag.end();
            switch (kind) {
                case "#", "^" -> {
                    Section section = new Section(name, kind.equals("^"), new ArrayList<>());
                    into.add(section);
                    open.push(section);
                }
                case "/" -> {
                    if (open.isEmpty() || !open.pop().name().equals(name)) {
                        throw new IllegalArgumentException(
                                where + " closes {{/" + name + "}} without a matching {{#" + name + "}}");
                    }
                }
                default -> {
                    if (vocabulary.lists().contains(name)) {
                        throw new IllegalArgumentException(where + " writes {{" + name + "}}, but " + name + " is a "
                                + "list: show its items with {{#" + name + "}}{{.}}{{/" + name + "}}");
                    }
                    into.add(new Value(name));
                }
            }
        }
        if (!open.isEmpty()) {
            String name = open.peek().name();
            throw new IllegalArgumentException(
                    where + " opens {{#" + name + "}} and never closes it with {{/" + name + "}}");
        }
        if (last < text.length()) {
            root.add(new Text(text.substring(last)));
        }
        return List.copyOf(root);
    }

    /**
     * @param values texts, numbers, booleans, lists and maps of further values, by name; a missing name has no value
     * @return the rendered text, stripped
     */
    String render(Map<String, ?> values) {
        StringBuilder layout = new StringBuilder();
        List<String> inserted = new ArrayList<>();
        Deque<Frame> context = new ArrayDeque<>();
        context.push(new Frame(values, -1, 0));
        render(nodes, context, layout, inserted);
        String tidy = collapseBlankLines(layout);
        StringBuilder text = new StringBuilder(tidy.length());
        int next = 0;
        for (int i = 0; i < tidy.length(); i++) {
            char c = tidy.charAt(i);
            if (c == VALUE_MARK) {
                text.append(inserted.get(next++));
            } else {
                text.append(c);
            }
        }
        return text.toString().strip();
    }

    /** Two or more blank (or only blank-space) lines in a row become one empty line. */
    private static String collapseBlankLines(CharSequence text) {
        StringBuilder tidy = new StringBuilder(text.length());
        int at = 0;
        while (at < text.length()) {
            char c = text.charAt(at++);
            tidy.append(c);
            if (c != '\n') {
                continue;
            }
            int blankLines = 0;
            int afterBlankLines = at;
            for (int line = at; ; ) {
                int end = line;
                while (end < text.length() && (text.charAt(end) == ' ' || text.charAt(end) == '\t')) {
                    end++;
                }
                if (end == text.length() || text.charAt(end) != '\n') {
                    break;
                }
                blankLines++;
                line = end + 1;
                afterBlankLines = line;
            }
            if (blankLines >= 2) {
                tidy.append('\n');
                at = afterBlankLines;
            }
        }
        return tidy.toString();
    }

    private static void render(List<Node> nodes, Deque<Frame> context, StringBuilder layout, List<String> inserted) {
        for (Node node : nodes) {
            switch (node) {
                case Text text -> layout.append(text.text());
                case Value value -> {
                    Object found = lookUp(value.name(), context);
                    layout.append(VALUE_MARK);
                    inserted.add(found == null ? "" : found.toString());
                }
                case Section section -> {
                    Object found = lookUp(section.name(), context);
                    if (section.inverted()) {
                        if (!hasValue(found)) {
                            render(section.children(), context, layout, inserted);
                        }
                    } else if (found instanceof List<?> items) {
                        for (int i = 0; i < items.size(); i++) {
                            context.push(new Frame(items.get(i), i, items.size()));
                            render(section.children(), context, layout, inserted);
                            context.pop();
                        }
                    } else if (hasValue(found)) {
                        context.push(new Frame(found, -1, 0));
                        render(section.children(), context, layout, inserted);
                        context.pop();
                    }
                }
            }
        }
    }

    private static Object lookUp(String name, Deque<Frame> context) {
        switch (name) {
            case "." -> {
                // Outside any section {{.}} would be the whole map of values: it means nothing there.
                return context.size() > 1 ? context.peek().value() : null;
            }
            case "-first", "-last", "-index" -> {
                for (Frame frame : context) {
                    if (frame.index() >= 0) {
                        return switch (name) {
                            case "-first" -> frame.index() == 0;
                            case "-last" -> frame.index() == frame.size() - 1;
                            default -> frame.index() + 1;
                        };
                    }
                }
                return null;
            }
            default -> {
                for (Frame frame : context) {
                    if (frame.value() instanceof Map<?, ?> map && map.containsKey(name)) {
                        return map.get(name);
                    }
                }
                return null;
            }
        }
    }

    private static boolean hasValue(Object value) {
        return switch (value) {
            case null -> false;
            case Boolean flag -> flag;
            case String text -> !text.isBlank();
            case Collection<?> items -> !items.isEmpty();
            default -> true;
        };
    }

    /** One level of the rendering context: the values' map, a section's record, or a list item and its position. */
    private record Frame(Object value, int index, int size) {}

    private sealed interface Node permits Text, Value, Section {}

    private record Text(String text) implements Node {}

    private record Value(String name) implements Node {}

    private record Section(String name, boolean inverted, List<Node> children) implements Node {}
}
