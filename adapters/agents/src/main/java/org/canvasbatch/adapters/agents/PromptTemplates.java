package org.canvasbatch.adapters.agents;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.domain.agent.AgentId;

/**
 * The prompt of every agent: the built-in templates ({@code prompts/<agent-id>.md} next to this class), each replaceable
 * by a file {@code <agent-id>.md} in a directory of the user's. The template format is described at the top
 * of every built-in template (and in {@link PromptTemplate}).
 */
public final class PromptTemplates {

    private static final String RESOURCE_DIR = "prompts/";

    private final Map<AgentId, PromptTemplate> templates;

    private PromptTemplates(Map<AgentId, PromptTemplate> templates) {
        this.templates = templates;
    }

    /** The templates shipped with canvas-batch. */
    public static PromptTemplates builtIn() {
        return BuiltIn.TEMPLATES;
    }

    /**
     * The built-in templates, each replaced by {@code <agent-id>.md} from {@code overrideDir} when that file exists.
     *
     * @param overrideDir a directory, or {@code null} for the built-in templates only
     * @throws IllegalArgumentException when the directory does not exist, holds a {@code .md} file named for no agent
     *                                  (a typo would otherwise be silently ignored), or a template is malformed
     */
    public static PromptTemplates withOverrides(Path overrideDir) {
        if (overrideDir == null) {
            return builtIn();
        }
        if (!Files.isDirectory(overrideDir)) {
            throw new IllegalArgumentException(
                    "the prompt template directory " + overrideDir + " does not exist or is " + "not a directory");
        }
        Map<AgentId, PromptTemplate> templates = new EnumMap<>(BuiltIn.TEMPLATES.templates);
        try (Stream<Path> files = Files.list(overrideDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".md"))
                    .sorted()
                    .toList()) {
                String name = file.getFileName().toString();
                String id = name.substring(0, name.length() - ".md".length());
                if (id.equalsIgnoreCase("README")) {
                    continue;
                }
                AgentId agent = AgentId.fromWireName(id)
                        .orElseThrow(() -> new IllegalArgumentException("the prompt template " + file
                                + " is named for no agent: name it <agent-id>.md with one of "
                                + Arrays.stream(AgentId.values())
                                        .map(AgentId::wireName)
                                        .collect(Collectors.joining(", "))));
                templates.put(agent, PromptTemplate.parse(file.toString(), Files.readString(file)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the prompt templates in " + overrideDir, e);
        }
        return new PromptTemplates(templates);
    }

    /** Where this agent's template came from: a file path for an override, a resource name for a built-in one. */
    public String sourceOf(AgentId agent) {
        return templates.get(agent).source();
    }

    /** The prompt for one node, in the node's language (Chinese for a question with CJK ideographs). */
    public Prompt render(AgentRequest request) {
        Objects.requireNonNull(request, "request");
        Language language = Language.of(request);
        return templates.get(request.agent()).render(language, values(request, language));
    }

    private static Map<String, String> values(AgentRequest request, Language language) {
        AgentRequest.NodeContext context = request.context();
        String nodeText = request.nodeText().isBlank()
                ? request.content().strip()
                : request.nodeText().strip();
        String content = request.content().strip();
        Map<String, String> values = new HashMap<>();
        values.put("node_text", nodeText);
        values.put("node_content", content);
        values.put("node_details", content.equals(nodeText) ? "" : content);
        values.put(
                "canvas_name",
                context.canvasName().isBlank()
                        ? canvasNameOf(context.canvasPath())
                        : context.canvasName().strip());
        values.put("canvas_path", context.canvasPath().strip());
        values.put("group_name", context.groupName().strip());
        values.put("group_terms", String.join(language.pick("、", ", "), nonBlank(context.groupTerms())));
        values.put(
                "related_questions",
                nonBlank(context.relatedQuestions().stream()
                                .map(AgentRequest.RelatedQuestion::text)
                                .toList())
                        .stream()
                        .filter(question -> !question.equals(nodeText))
                        .map(question -> "- " + question.replaceAll("\\s+", " "))
                        .collect(Collectors.joining("\n")));
        values.put("learner_understanding", String.join("\n\n", nonBlank(context.learnerUnderstanding())));
        values.put(
                "vault_passages",
                context.vaultPassages().stream()
                        .filter(passage -> !VaultLink.quote(passage).isEmpty())
                        .map(passage -> "- " + VaultLink.to(passage) + ": " + VaultLink.quote(passage))
                        .collect(Collectors.joining("\n")));
        values.put("language", language.displayName());
        values.put("agent_id", request.agent().wireName());
        return values;
    }

    static String canvasNameOf(String canvasPath) {
        String name = canvasPath.strip().replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        return name.endsWith(".canvas") ? name.substring(0, name.length() - ".canvas".length()) : name;
    }

    private static List<String> nonBlank(List<String> texts) {
        return texts.stream().filter(text -> !text.isBlank()).map(String::strip).toList();
    }

    private static final class BuiltIn {
        static final PromptTemplates TEMPLATES = load();

        private static PromptTemplates load() {
            Map<AgentId, PromptTemplate> templates = new EnumMap<>(AgentId.class);
            for (AgentId agent : AgentId.values()) {
                String resource = RESOURCE_DIR + agent.wireName() + ".md";
                try (InputStream in = PromptTemplates.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalStateException("built-in prompt template missing from the jar: " + resource);
                    }
                    templates.put(
                            agent,
                            PromptTemplate.parse(
                                    "built-in " + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    throw new UncheckedIOException("could not read the built-in prompt template " + resource, e);
                }
            }
            return new PromptTemplates(templates);
        }
    }
}
