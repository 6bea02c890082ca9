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
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.canvasbatch.domain.agent.AgentId;

/**
 * The templates of the offline notes: {@code offline/<agent-id>.<zh|en>.md} next to this class, one per agent and
 * language, and the pieces they share, {@code offline/_<name>.<zh|en>.md}, included with {@code {{>_name}}}. Any of
 * them is replaced by a file of the same name in {@code <templates-dir>/offline/}, and a new shared piece may be added
 * there. The format and the values are described in {@code offline/README.md}; the engine is {@link Template}.
 */
final class OfflineTemplates {

    /** One agent's note in one language: its display name (the {@code name} part) and the note itself. */
    record NoteTemplate(String name, Template note) {}

    static final String DIRECTORY = "offline";
    private static final String RESOURCE_DIR = DIRECTORY + "/";
    private static final List<String> BUILT_IN_PARTIALS =
            List.of("_header", "_understanding", "_in-your-vault", "_related", "_terms", "_verification-answer");
    private static final Pattern FILE_NAME = Pattern.compile("(.+)\\.(zh|en)\\.md");
    private static final Set<String> AGENT_PARTS = Set.of("name", "note");
    private static final Set<String> PARTIAL_PARTS = Set.of("note");

    private final Map<AgentId, Map<Language, NoteTemplate>> templates;

    private OfflineTemplates(Map<AgentId, Map<Language, NoteTemplate>> templates) {
        this.templates = templates;
    }

    /** The templates shipped with canvas-batch. */
    static OfflineTemplates builtIn() {
        return BuiltIn.TEMPLATES;
    }

    /**
     * The built-in templates, each replaced by the file of the same name in {@code templatesDir/offline/} when there is
     * one.
     *
     * @param templatesDir the user's template directory (the prompts' {@code --templates-dir}), or {@code null}; it
     *                     need not have an {@code offline} folder
     * @throws IllegalArgumentException when a file there is named for no agent or shared piece, or a template is
     *                                  malformed (an unknown value, an unbalanced section, a missing part)
     */
    static OfflineTemplates withOverrides(Path templatesDir) {
        if (templatesDir == null) {
            return builtIn();
        }
        Path dir = templatesDir.resolve(DIRECTORY);
        if (!Files.isDirectory(dir)) {
            return builtIn();
        }
        Map<String, Source> files = new HashMap<>(BuiltIn.SOURCES);
        try (Stream<Path> listed = Files.list(dir)) {
            for (Path file : listed.filter(f -> f.getFileName().toString().endsWith(".md"))
                    .sorted()
                    .toList()) {
                String name = file.getFileName().toString();
                if (name.equalsIgnoreCase("README.md")) {
                    continue;
                }
                Matcher parts = FILE_NAME.matcher(name);
                if (!parts.matches()
                        || !(parts.group(1).startsWith("_")
                                || AgentId.fromWireName(parts.group(1)).isPresent())) {
                    throw new IllegalArgumentException("the offline template " + file + " is named for no agent: name "
                            + "it <agent-id>.zh.md or <agent-id>.en.md with one of "
                            + Arrays.stream(AgentId.values())
                                    .map(AgentId::wireName)
                                    .collect(Collectors.joining(", "))
                            + ", or _<name>.zh.md / _<name>.en.md for a piece included with {{>_name}}");
                }
                files.put(name, new Source(file.toString(), Files.readString(file)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the offline templates in " + dir, e);
        }
        return parse(files);
    }

    NoteTemplate of(AgentId agent, Language language) {
        return templates.get(agent).get(language);
    }

    /** @param files by file name ({@code oral-explanation.zh.md}, {@code _header.en.md}) */
    private static OfflineTemplates parse(Map<String, Source> files) {
        Map<AgentId, Map<Language, NoteTemplate>> templates = new EnumMap<>(AgentId.class);
        for (AgentId agent : AgentId.values()) {
            Map<Language, NoteTemplate> byLanguage = new EnumMap<>(Language.class);
            for (Language language : Language.values()) {
                Source source = files.get(fileName(agent.wireName(), language));
                String what = "offline template " + source.where();
                Map<String, String> parts = Template.split(what, source.text(), AGENT_PARTS);
                if (!parts.containsKey("name") || !parts.containsKey("note")) {
                    throw new IllegalArgumentException(what + " needs two parts: a line <!-- name --> followed by the "
                            + "agent's name as the note names it, and a line <!-- note --> followed by the note");
                }
                Template note = Template.parse(what, parts.get("note"), OfflineNote.VOCABULARY, partial -> {
                    Source piece = files.get(fileName(partial, language));
                    return piece == null || !partial.startsWith("_") ? null : partialText(piece);
                });
                byLanguage.put(language, new NoteTemplate(parts.get("name").replaceAll("\\s+", " "), note));
            }
            templates.put(agent, byLanguage);
        }
        return new OfflineTemplates(templates);
    }

    private static String partialText(Source piece) {
        String what = "offline template " + piece.where();
        Map<String, String> parts = Template.split(what, piece.text(), PARTIAL_PARTS);
        String note = parts.get("note");
        if (note == null) {
            throw new IllegalArgumentException(what + " needs a line <!-- note --> followed by the text it adds");
        }
        return note;
    }

    private static String fileName(String name, Language language) {
        return name + "." + language.code() + ".md";
    }

    private record Source(String where, String text) {}

    private static final class BuiltIn {
        static final Map<String, Source> SOURCES = load();
        static final OfflineTemplates TEMPLATES = parse(SOURCES);

        private static Map<String, Source> load() {
            Map<String, Source> sources = new HashMap<>();
            List<String> names = Stream.concat(
                            Arrays.stream(AgentId.values()).map(AgentId::wireName), BUILT_IN_PARTIALS.stream())
                    .toList();
            for (String name : names) {
                for (Language language : Language.values()) {
                    String file = fileName(name, language);
                    String resource = RESOURCE_DIR + file;
                    try (InputStream in = OfflineTemplates.class.getResourceAsStream(resource)) {
                        if (in == null) {
                            throw new IllegalStateException(
                                    "built-in offline template missing from the jar: " + resource);
                        }
                        sources.put(
                                file,
                                new Source(
                                        "built-in " + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                    } catch (IOException e) {
                        throw new UncheckedIOException("could not read the built-in offline template " + resource, e);
                    }
                }
            }
            return Map.copyOf(sources);
        }
    }
}
