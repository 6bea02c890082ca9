package org.canvasbatch.adapters.agents;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRequest.RelatedQuestion;
import org.canvasbatch.application.port.out.VaultPassage;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.routing.Routing;

/**
 * What an offline note says about one node, as values for its template: the question and what can be read out of it
 * without a model (its subject, key terms, the concepts it compares), the learner's own understanding, links to the
 * group's other questions, and the plan the core's routing of the question suggests. Every word of the note is in the
 * templates; {@code offline/README.md} lists these values.
 */
final class OfflineNote {

    private static final int MAX_TERMS = 6;
    private static final int MAX_RELATED = 12;
    private static final int TERMS_ASKED_ABOUT = 3;
    private static final int FIXED_DECOMPOSITION_PARTS = 4;
    private static final List<String> EXAMPLE_CUES =
            List.of("例如", "比如", "例子", "举例", "for example", "for instance", "e.g.", "such as");

    private static final Set<String> LISTS = Set.of(
            "understanding",
            "related",
            "terms",
            "first_terms",
            "columns",
            "marked_terms",
            "term_parts",
            "checklist",
            "unmentioned_terms",
            "vault_passages");

    /** Every name an offline template may use. */
    static final Template.Vocabulary VOCABULARY = new Template.Vocabulary(
            Stream.of(
                            Stream.of(
                                    "agent_name",
                                    "title",
                                    "canvas",
                                    "group",
                                    "question_quote",
                                    "content_quote",
                                    "question_line",
                                    "subject",
                                    "has_understanding",
                                    "has_related",
                                    "has_terms",
                                    "has_unmentioned_terms",
                                    "has_vault_passages",
                                    "quote",
                                    "source",
                                    "from_understanding",
                                    "from_canvas",
                                    "term_pair",
                                    "first",
                                    "second",
                                    "first_column",
                                    "second_column",
                                    "name",
                                    "cell",
                                    "confused_with",
                                    "letter",
                                    "mnemonic",
                                    "mnemonic_from_notes",
                                    "parts_step",
                                    "example_step",
                                    "question_step",
                                    "term",
                                    "number",
                                    "distinction",
                                    "named_in_question",
                                    "transfer",
                                    "link",
                                    "self_check",
                                    "coverage",
                                    "mentioned_count",
                                    "term_count",
                                    "mentioned",
                                    "example_given",
                                    "example_missing",
                                    "lead_agent",
                                    "second_agent",
                                    "check_agent",
                                    "assess_agent",
                                    "emoji",
                                    "id"),
                            Arrays.stream(AgentId.values()).map(AgentId::wireName),
                            Arrays.stream(Category.values()).map(OfflineNote::categoryFlag))
                    .flatMap(s -> s)
                    .collect(Collectors.toSet()),
            LISTS);

    private final AgentRequest request;
    private final Language lang;
    private final QuestionText question;
    private final String subject;
    private final List<String> compared;
    private final List<String> terms;
    private final List<String> mnemonicItems;
    private final boolean mnemonicFromNotes;
    private final List<String> contrast;
    private final List<String> own;
    private final List<String> understanding;
    private final List<RelatedQuestion> related;

    OfflineNote(AgentRequest request) {
        this.request = request;
        this.lang = Language.of(request);
        String text = request.nodeText().isBlank() ? request.content() : request.nodeText();
        this.question = new QuestionText(text, lang);
        this.subject = question.subject();
        this.compared = question.comparedItems();
        this.terms = keyTerms(request, question);
        this.understanding = request.context().learnerUnderstanding().stream()
                .filter(u -> !u.isBlank())
                .map(String::strip)
                .toList();
        this.related = request.context().relatedQuestions().stream()
                .map(r -> new RelatedQuestion(r.text().strip(), r.agent(), r.noteName()))
                .filter(r -> !NoteLink.shown(r.text()).isEmpty())
                .filter(r -> !r.text().equals(request.nodeText().strip()))
                .distinct()
                .limit(MAX_RELATED)
                .toList();
        this.own = question.ownTerms();
        List<String> listed = listedIn(own, request);
        this.mnemonicFromNotes = !listed.isEmpty();
        this.mnemonicItems = mnemonicFromNotes ? listed : own.isEmpty() ? terms : own;
        this.contrast = contrast(compared, question.line(), related, lang);
    }

    // "Phases of mitosis: prophase, metaphase, anaphase, telophase (PMAT)." — a head, a colon and what it lists
    private static final java.util.regex.Pattern LIST =
            java.util.regex.Pattern.compile("([^:：.。\\n]{2,80})[:：]\\s*([^.。;；(（\\n]+)");
    private static final java.util.regex.Pattern LIST_SEPARATORS =
            java.util.regex.Pattern.compile("\\s*(?:,|，|、|\\band\\b|和|及)\\s*");
    private static final int MAX_LISTED = 8;

    /**
     * What the learner's own writing lists under the question's own terms ("Phases of mitosis: prophase, metaphase,
     * anaphase, telophase"), for a mnemonic of exactly those items; empty when nothing of theirs lists them.
     */
    private static List<String> listedIn(List<String> own, AgentRequest request) {
        if (own.isEmpty()) {
            return List.of();
        }
        List<String> texts = new ArrayList<>();
        texts.add(request.content() == null ? "" : request.content());
        texts.addAll(request.context().learnerUnderstanding());
        request.context().vaultPassages().forEach(passage -> texts.add(passage.excerpt()));
        for (String text : texts) {
            java.util.regex.Matcher list = LIST.matcher(text == null ? "" : text);
            while (list.find()) {
                String head = list.group(1).toLowerCase(Locale.ROOT);
                if (!own.stream().allMatch(term -> names(head, term))) {
                    continue;
                }
                List<String> items = Arrays.stream(
                                LIST_SEPARATORS.split(list.group(2).strip()))
                        .map(String::strip)
                        .filter(item -> !item.isEmpty())
                        .toList();
                boolean shortItems = items.stream()
                        .allMatch(
                                item -> item.split("\\s+").length <= 3 && item.codePointCount(0, item.length()) <= 30);
                if (items.size() >= 2 && items.size() <= MAX_LISTED && shortItems) {
                    return items;
                }
            }
        }
        return List.of();
    }

    /** Words that join a term's own ("phases of mitosis"): a heading may name the term without them ("Mitosis phases"). */
    private static final Set<String> JOINING_WORDS = Set.of("of", "the", "a", "an", "in", "on", "for", "and");

    /** Whether a list's heading, lower-cased, names every word of {@code term}, in any order. */
    private static boolean names(String head, String term) {
        return Arrays.stream(term.toLowerCase(Locale.ROOT).split("\\s+"))
                .filter(word -> !word.isEmpty() && !JOINING_WORDS.contains(word))
                .allMatch(head::contains);
    }

    /**
     * Two things to keep apart: those the question compares, else those a neighbouring question compares when the
     * question names one of them ("mitosis" beside "the difference between mitosis and meiosis"); never two words the
     * group merely shares.
     */
    private static List<String> contrast(
            List<String> compared, String line, List<RelatedQuestion> related, Language lang) {
        if (compared.size() >= 2) {
            return compared;
        }
        String asked = line.toLowerCase(Locale.ROOT);
        for (RelatedQuestion neighbour : related) {
            List<String> items = new QuestionText(neighbour.text(), Language.detect(neighbour.text())).comparedItems();
            for (String item : items) {
                if (items.size() >= 2 && asked.contains(item.toLowerCase(Locale.ROOT))) {
                    String other = items.stream()
                            .filter(i -> !i.equals(item))
                            .findFirst()
                            .orElseThrow();
                    return List.of(item, other);
                }
            }
        }
        return List.of();
    }

    /**
     * The question's own terms first; the group's terms only where the question names them ("Cell energy" names cells
     * and energy, not mitosis), unless the question names nothing of its own, when the group's words are all there is.
     */
    private static List<String> keyTerms(AgentRequest request, QuestionText question) {
        List<String> terms = new ArrayList<>();
        for (String term : question.ownTerms()) {
            if (indexIgnoringCase(terms, term) < 0 && terms.size() < MAX_TERMS) {
                terms.add(term);
            }
        }
        boolean namesNothing = terms.isEmpty();
        String asked = question.line().toLowerCase(Locale.ROOT);
        for (String raw : request.context().groupTerms()) {
            String term = raw.strip();
            if (term.isEmpty() || terms.size() >= MAX_TERMS) {
                continue;
            }
            // the grouping lower-cases its terms: the question's "Dijkstra" stands for the group's "dijkstra", and
            // its "cell membrane" already says the group's "cells"
            String stem = stem(term);
            boolean said =
                    terms.stream().anyMatch(own -> own.toLowerCase(Locale.ROOT).contains(stem));
            if (!said && (namesNothing || asked.contains(stem))) {
                terms.add(term);
            }
        }
        return List.copyOf(terms);
    }

    /** "cells" → "cell", so that a question's "cell membrane" names the group's "cells"; Chinese as it is. */
    private static String stem(String term) {
        String lower = term.toLowerCase(Locale.ROOT);
        if (lower.length() > 4 && lower.endsWith("s") && !lower.endsWith("ss") && !lower.endsWith("is")) {
            return lower.substring(0, lower.length() - 1);
        }
        return lower;
    }

    private static int indexIgnoringCase(List<String> terms, String term) {
        for (int i = 0; i < terms.size(); i++) {
            if (terms.get(i).equalsIgnoreCase(term)) {
                return i;
            }
        }
        return -1;
    }

    String markdown(OfflineTemplates templates) {
        OfflineTemplates.NoteTemplate template = templates.of(request.agent(), lang);
        return template.note().render(values(template.name())) + "\n";
    }

    /** @param agentName the agent's name in the note's language, from its template */
    Map<String, Object> values(String agentName) {
        Map<String, Object> values = new HashMap<>();
        frame(values, agentName);
        values.put("question_line", question.line());
        values.put("subject", subject);
        list(
                values,
                "understanding",
                understanding.stream().map(OfflineNote::quote).toList());
        list(values, "related", related.stream().map(NoteLink::to).toList());
        vaultPassages(values);
        list(values, "terms", terms);
        List<String> firstTerms = terms.subList(0, Math.min(TERMS_ASKED_ABOUT, terms.size()));
        values.put("first_terms", firstTerms);
        if (contrast.size() >= 2) {
            values.put("term_pair", Map.of("first", contrast.get(0), "second", contrast.get(1)));
        }
        comparison(values);
        memoryAnchor(values);
        decompositions(values, firstTerms);
        verification(values);
        scoring(values);
        orchestration(values);
        return values;
    }

    private void frame(Map<String, Object> values, String agentName) {
        values.put("agent_name", agentName);
        values.put("title", (question.line().isEmpty() ? agentName : question.line()).replaceAll("\\s+", " "));
        AgentRequest.NodeContext context = request.context();
        if (!context.canvasPath().isBlank()) {
            String name = context.canvasName().isBlank()
                    ? PromptTemplates.canvasNameOf(context.canvasPath())
                    : context.canvasName().strip();
            values.put("canvas", "[[" + context.canvasPath().strip() + "|" + name + "]]");
        } else {
            values.put("canvas", context.canvasName().strip());
        }
        values.put("group", context.groupName().strip());
        String text = request.nodeText().strip();
        String content = request.content().strip();
        values.put("question_quote", quote(text.isEmpty() ? content : text));
        if (!text.isEmpty() && !content.isEmpty() && !content.equals(text)) {
            values.put("content_quote", quote(content));
        }
    }

    /** What the learner wrote about the question elsewhere in the vault: each quote with a link to its place. */
    private void vaultPassages(Map<String, Object> values) {
        List<Map<String, Object>> passages = request.context().vaultPassages().stream()
                .filter(passage -> !VaultLink.quote(passage).isEmpty())
                .map(passage -> Map.<String, Object>of(
                        "quote",
                        VaultLink.quote(passage),
                        "source",
                        VaultLink.to(passage),
                        "from_understanding",
                        passage.origin() == VaultPassage.Origin.UNDERSTANDING,
                        "from_canvas",
                        passage.origin() != VaultPassage.Origin.NOTE))
                .toList();
        values.put("vault_passages", passages);
        values.put("has_vault_passages", !passages.isEmpty());
    }

    /** The table's columns: the compared concepts, else the key terms, else stand-ins the template names. */
    private void comparison(Map<String, Object> values) {
        List<String> items = compared;
        if (items.size() < 2) {
            items = terms.subList(0, Math.min(2, terms.size()));
        }
        List<Map<String, Object>> columns = new ArrayList<>();
        items.forEach(item -> columns.add(column(item, false, "")));
        if (columns.size() == 1) {
            columns.add(column("", true, ""));
        } else if (columns.isEmpty()) {
            columns.add(column("", false, "A"));
            columns.add(column("", false, "B"));
        }
        values.put("columns", columns);
        values.put("first_column", columns.get(0));
        values.put("second_column", columns.get(1));
    }

    private static Map<String, Object> column(String name, boolean confusedWith, String letter) {
        return Map.of(
                "name",
                name,
                "cell",
                name.replace("|", "\\|").replaceAll("\\s+", " "),
                "confused_with",
                confusedWith,
                "letter",
                letter);
    }

    /** 逆否命题、否命题、原命题 → 逆·否·原; hash table, collision, load factor → HCL. */
    private void memoryAnchor(Map<String, Object> values) {
        if (mnemonicItems.isEmpty()) {
            return;
        }
        values.put("mnemonic_from_notes", mnemonicFromNotes);
        List<String> initials = mnemonicItems.stream()
                .map(term -> term.substring(0, term.offsetByCodePoints(0, 1)))
                .toList();
        values.put(
                "mnemonic",
                lang == Language.ZH
                        ? String.join("·", initials)
                        : String.join("", initials).toUpperCase(Locale.ROOT));
        values.put(
                "marked_terms",
                mnemonicItems.stream()
                        .map(term -> {
                            int end = term.offsetByCodePoints(0, 1);
                            String initial = term.substring(0, end);
                            return "**" + (lang == Language.ZH ? initial : initial.toUpperCase(Locale.ROOT)) + "**"
                                    + term.substring(end);
                        })
                        .toList());
    }

    /** The numbers of the sub-questions that follow the questions about the first key terms. */
    private static void decompositions(Map<String, Object> values, List<String> firstTerms) {
        int next = firstTerms.size() + 1;
        values.put("parts_step", next);
        values.put("example_step", next + 1);
        values.put("question_step", next + 2);
        List<Map<String, Object>> termParts = new ArrayList<>();
        for (int i = 0; i < firstTerms.size(); i++) {
            termParts.add(Map.of("term", firstTerms.get(i), "number", FIXED_DECOMPOSITION_PARTS + i + 1));
        }
        values.put("term_parts", termParts);
    }

    /** The optional questions after the three fixed ones, each with its number. */
    private void verification(Map<String, Object> values) {
        int count = 3;
        if (contrast.size() >= 2 || own.size() >= 2) {
            // what the question or a neighbour sets apart, else how two things the question itself names relate
            List<String> pair = contrast.size() >= 2 ? contrast : own;
            values.put(
                    "distinction",
                    Map.of(
                            "first",
                            pair.get(0),
                            "second",
                            pair.get(1),
                            "named_in_question",
                            contrast.size() >= 2,
                            "number",
                            ++count));
        }
        if (!related.isEmpty()) {
            values.put("transfer", Map.of("link", NoteLink.to(related.get(0)), "number", ++count));
        }
        if (!understanding.isEmpty()) {
            values.put("self_check", Map.of("number", ++count));
        }
    }

    /** What can be counted in the learner's own understanding without judging it. */
    private void scoring(Map<String, Object> values) {
        String all = String.join("\n", understanding).toLowerCase(Locale.ROOT);
        List<String> mentioned = terms.stream()
                .filter(term -> all.contains(term.toLowerCase(Locale.ROOT)))
                .toList();
        if (!terms.isEmpty() && !understanding.isEmpty()) {
            values.put(
                    "coverage",
                    Map.of(
                            "mentioned_count",
                            mentioned.size(),
                            "term_count",
                            terms.size(),
                            "checklist",
                            terms.stream()
                                    .map(term -> Map.of("term", term, "mentioned", mentioned.contains(term)))
                                    .toList()));
        }
        boolean hasExample = EXAMPLE_CUES.stream().anyMatch(all::contains);
        values.put("example_given", !understanding.isEmpty() && hasExample);
        values.put("example_missing", !understanding.isEmpty() && !hasExample);
        list(
                values,
                "unmentioned_terms",
                understanding.isEmpty()
                        ? List.of()
                        : terms.stream()
                                .filter(term -> !mentioned.contains(term))
                                .toList());
    }

    /**
     * The study plan: first the agent the core routed the question to, then a second angle that suits its kind, then
     * questions and an assessment. The routing comes with the request; it is not worked out again here.
     */
    private void orchestration(Map<String, Object> values) {
        Routing routing = request.routing();
        for (Category category : Category.values()) {
            values.put(categoryFlag(category), category == routing.category());
        }
        values.put("lead_agent", planned(routing.agent()));
        values.put(
                "second_agent",
                planned(
                        switch (routing.category()) {
                            case COMPARISON, UNDERSTANDING -> AgentId.EXAMPLE_TEACHING;
                            case DEEP_ANALYSIS, DEFINITION -> AgentId.FOUR_LEVEL_EXPLANATION;
                            case MEMORY, EXAMPLE -> AgentId.ORAL_EXPLANATION;
                            case GENERAL -> AgentId.BASIC_DECOMPOSITION;
                        }));
        values.put("check_agent", planned(AgentId.VERIFICATION_QUESTION));
        values.put("assess_agent", planned(AgentId.SCORING_AGENT));
    }

    /** One row of the plan, with a flag per agent so that the template can say why this one. */
    private static Map<String, Object> planned(AgentId agent) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("emoji", AgentEmoji.of(agent));
        row.put("id", agent.wireName());
        for (AgentId any : AgentId.values()) {
            row.put(any.wireName(), any == agent);
        }
        return row;
    }

    /** {@code category-comparison}, {@code category-deep-analysis} … {@code category-general}. */
    private static String categoryFlag(Category category) {
        return "category-" + category.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A list and, for a section shown once when the list has items, {@code has_<name>}. */
    private static void list(Map<String, Object> values, String name, List<String> items) {
        values.put(name, items);
        values.put("has_" + name, !items.isEmpty());
    }

    /** A Markdown quote of every line of the text, so that a multi-line text stays inside it. */
    private static String quote(String text) {
        return Arrays.stream(text.strip().split("\\R", -1))
                .map(line -> line.isBlank() ? ">" : "> " + line)
                .collect(Collectors.joining("\n"));
    }
}
