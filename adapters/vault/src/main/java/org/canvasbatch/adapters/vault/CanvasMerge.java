package org.canvasbatch.adapters.vault;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.canvasbatch.adapters.vault.NotePlacement.Box;

/**
 * One canvas write-back as a pure function: the canvas as it is on disk now and the notes waiting to be linked give
 * the canvas to write. No file, no clock, no log: the same input gives the same output, which is what lets the
 * write-back merge again, as often as needed, whenever the canvas changed under it.
 *
 * <p>Per note it adds a {@code file} node (colour {@value #NOTE_COLOR}) below the source node, an edge from the source
 * labelled with the agent, and, when labels are on, a small text node beside the file node saying which agent wrote it
 * and when ("[oral-explanation] 生成于 2026-11-26 20:00", in English for a source node without Chinese). Everything
 * else is written back exactly as it was: every field, node and edge, known or not, in its order. Ids are derived from
 * (source node, agent), so a retry or a restart never adds anything twice; the only thing ever changed in place is the
 * text of this program's own label, when the note was written again, and only while that text is still one this
 * program writes ({@link #isLabelText}): a label the learner wrote in is the learner's, and is kept as they left it, as
 * an edited note is. A label's place, size and colour are never changed, whoever moved or coloured it: a label the
 * learner moved or recoloured but whose text they left gets its new time where they put it. A note of a pair whose file node links another
 * file (the note the learner edited, kept while the new one was written beside it) gets its own file node, edge and
 * label, with ids derived from (source node, agent, note path).
 */
final class CanvasMerge {

    static final String NOTE_COLOR = "5";
    static final String LABEL_COLOR = "5";
    private static final DateTimeFormatter LABEL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);
    /**
     * What follows the agent in every text {@link #labelText} writes, whatever the language (both of them) and the
     * time: the whole text, nothing after it, so a line the learner added, a word they changed or a text they emptied
     * makes it theirs. ({@code yyyy} writes years past 9999 with a sign.)
     */
    private static final String AFTER_THE_AGENT = "] (?:生成于|generated) \\+?\\d{4,}-\\d{2}-\\d{2} \\d{2}:\\d{2}";

    private CanvasMerge() {}

    /**
     * A note to link into its canvas.
     *
     * @param notePath    vault-relative
     * @param generatedAt when the note was written (its front matter), or null when that could not be read
     */
    record Link(String sourceNodeId, String notePath, String agent, Instant generatedAt) {

        Link {
            Objects.requireNonNull(sourceNodeId, "sourceNodeId");
            Objects.requireNonNull(notePath, "notePath");
            Objects.requireNonNull(agent, "agent");
        }

        /** One link per source node and agent: a newer note of the same pair replaces the older one. */
        String key() {
            return sourceNodeId + "\u0000" + agent;
        }
    }

    /**
     * @param labelNodes whether each note gets its label node
     * @param zone       the time zone labels are written in (the learner's)
     * @param now        the label time of a note whose own time is unknown
     */
    record Settings(boolean labelNodes, ZoneId zone, Instant now) {}

    /**
     * @param canvas        what to write; the canvas given when nothing changed
     * @param linked        links that added a file node or an edge
     * @param labelled      links that only added or updated their label
     * @param alreadyLinked links the canvas already holds exactly as they would be written, or as the learner left
     *                      their label
     * @param sourceGone    links whose source node is no longer in the canvas: nothing is added for them
     * @param labelsKept    links (among the others) whose label would have been given a new time, but whose text the
     *                      learner changed: it is kept as they left it
     */
    record Result(
            JsonObject canvas,
            List<Link> linked,
            List<Link> labelled,
            List<Link> alreadyLinked,
            List<Link> sourceGone,
            List<Link> labelsKept) {

        boolean changed() {
            return !linked.isEmpty() || !labelled.isEmpty();
        }
    }

    static Result merge(JsonObject canvas, Collection<Link> links, Settings settings) {
        return new Merging(canvas, settings).merge(links);
    }

    /** Derived from what the link means, so the same note is recognised after a retry or a restart. */
    static String noteNodeId(String sourceNodeId, String agent) {
        return "cb-note-" + pairHash(sourceNodeId, agent);
    }

    static String edgeId(String sourceNodeId, String agent) {
        return "cb-edge-" + pairHash(sourceNodeId, agent);
    }

    static String labelNodeId(String sourceNodeId, String agent) {
        return "cb-label-" + pairHash(sourceNodeId, agent);
    }

    /** "[agent] 生成于 YYYY-MM-DD HH:mm" for a Chinese source node, "[agent] generated YYYY-MM-DD HH:mm" otherwise. */
    static String labelText(String agent, boolean chinese, Instant at, ZoneId zone) {
        return "[" + agent + "] " + (chinese ? "生成于 " : "generated ") + LABEL_TIME.format(at.atZone(zone));
    }

    /**
     * Whether {@code text} is one {@link #labelText} writes for {@code agent} (any language and time), not the
     * learner's: a label's id comes from its node and agent, so another agent's name in it is the learner's too.
     */
    static boolean isLabelText(String text, String agent) {
        return text != null && Pattern.matches("\\[" + Pattern.quote(agent) + AFTER_THE_AGENT, text);
    }

    private static String pairHash(String sourceNodeId, String agent) {
        return idHash(sourceNodeId + "\u0000" + agent);
    }

    private static String idHash(String key) {
        return ShortHash.of(key, 16);
    }

    private static String pairKey(Link link) {
        return link.sourceNodeId() + "\u0000" + link.agent();
    }

    private static final class Merging {

        private final JsonObject canvas;
        private final Settings settings;
        private final List<JsonValue> nodes;
        private final List<JsonValue> edges;
        private final Map<String, Integer> nodeIndex = new HashMap<>();
        private final Map<String, List<String>> fileNodesByPath = new HashMap<>();
        private final Set<String> edgeIds = new HashSet<>();
        private final Set<String> connections = new HashSet<>();
        private final NotePlacement placement = new NotePlacement();
        private final List<JsonValue> newNodes = new ArrayList<>();
        private final List<JsonValue> newEdges = new ArrayList<>();
        /** Nodes read from disk whose text this merge changes, by their position. */
        private final Map<Integer, JsonObject> replacedNodes = new HashMap<>();

        private final Result result;

        Merging(JsonObject canvas, Settings settings) {
            this.canvas = canvas;
            this.settings = settings;
            this.nodes = canvas.get("nodes") instanceof jakarta.json.JsonArray array ? array : List.of();
            this.edges = canvas.get("edges") instanceof jakarta.json.JsonArray array ? array : List.of();
            this.result = new Result(
                    canvas,
                    new ArrayList<>(),
                    new ArrayList<>(),
                    new ArrayList<>(),
                    new ArrayList<>(),
                    new ArrayList<>());
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i) instanceof JsonObject node && CanvasModel.string(node, "id") instanceof String id) {
                    nodeIndex.putIfAbsent(id, i);
                    if ("file".equals(CanvasModel.string(node, "type"))
                            && CanvasModel.string(node, "file") instanceof String file) {
                        fileNodesByPath
                                .computeIfAbsent(file, f -> new ArrayList<>())
                                .add(id);
                    }
                    placement.occupied(box(node), "group".equals(CanvasModel.string(node, "type")));
                }
            }
            for (JsonValue value : edges) {
                if (value instanceof JsonObject edge) {
                    if (CanvasModel.string(edge, "id") instanceof String id) {
                        edgeIds.add(id);
                    }
                    connections.add(
                            connection(CanvasModel.string(edge, "fromNode"), CanvasModel.string(edge, "toNode")));
                }
            }
        }

        Result merge(Collection<Link> links) {
            links.forEach(this::add);
            if (!result.changed()) {
                return result;
            }
            JsonObjectBuilder merged = CanvasFile.JSON.createObjectBuilder(canvas);
            if (!newNodes.isEmpty() || !replacedNodes.isEmpty()) {
                JsonArrayBuilder array = CanvasFile.JSON.createArrayBuilder();
                for (int i = 0; i < nodes.size(); i++) {
                    JsonObject replaced = replacedNodes.get(i);
                    array.add(replaced != null ? replaced : nodes.get(i));
                }
                newNodes.forEach(array::add);
                merged.add("nodes", array);
            }
            if (!newEdges.isEmpty()) {
                JsonArrayBuilder array = CanvasFile.JSON.createArrayBuilder();
                edges.forEach(array::add);
                newEdges.forEach(array::add);
                merged.add("edges", array);
            }
            return new Result(
                    merged.build(),
                    result.linked(),
                    result.labelled(),
                    result.alreadyLinked(),
                    result.sourceGone(),
                    result.labelsKept());
        }

        private void add(Link link) {
            JsonObject source = node(link.sourceNodeId());
            if (source == null) {
                result.sourceGone().add(link);
                return;
            }
            String pair = pairKey(link);
            if (node(noteNodeId(link.sourceNodeId(), link.agent())) instanceof JsonObject pairsNote
                    && CanvasModel.string(pairsNote, "file") instanceof String linkedFile
                    && !linkedFile.equals(link.notePath())) {
                // The learner's edited note keeps its node; the new note written beside it gets its own.
                pair = pair + "\u0000" + link.notePath();
            }
            String noteId = "cb-note-" + idHash(pair);
            String target = nodeIndex.containsKey(noteId) ? noteId : linkedFileNode(link);
            boolean linked = false;
            String labelId = "cb-label-" + idHash(pair);
            NotePlacement.Spot spot = null;
            if (target == null) {
                // the note and its label are placed together, as one card: the label never lands away from its note
                spot = placement.placeNote(box(source), settings.labelNodes() && node(labelId) == null);
                Box place = spot.note();
                newNode(CanvasFile.JSON
                        .createObjectBuilder()
                        .add("id", noteId)
                        .add("type", "file")
                        .add("file", link.notePath())
                        .add("x", Math.round(place.x()))
                        .add("y", Math.round(place.y()))
                        .add("width", Math.round(place.width()))
                        .add("height", Math.round(place.height()))
                        .add("color", NOTE_COLOR)
                        .build());
                target = noteId;
                linked = true;
            }
            String edgeId = "cb-edge-" + idHash(pair);
            if (!connections.contains(connection(link.sourceNodeId(), target)) && !edgeIds.contains(edgeId)) {
                newEdges.add(CanvasFile.JSON
                        .createObjectBuilder()
                        .add("id", edgeId)
                        .add("fromNode", link.sourceNodeId())
                        .add("fromSide", spot == null ? "bottom" : spot.fromSide())
                        .add("toNode", target)
                        .add("toSide", spot == null ? "top" : spot.toSide())
                        .add("label", link.agent())
                        .build());
                edgeIds.add(edgeId);
                connections.add(connection(link.sourceNodeId(), target));
                linked = true;
            }
            boolean labelled = settings.labelNodes()
                    && label(link, labelId, source, node(target), spot == null ? null : spot.label());
            if (linked) {
                result.linked().add(link);
            } else if (labelled) {
                result.labelled().add(link);
            } else {
                result.alreadyLinked().add(link);
            }
        }

        /**
         * Adds the link's label beside its file node (where {@code placed} says, when it was placed with a new note),
         * or brings its time up to date while its text is still one this program writes (a label the learner wrote
         * in is kept, text, place and all, and noted in {@link Result#labelsKept}); true when that changed it. Only
         * the text is ever changed: a label's place, size and colour stay as they are.
         */
        private boolean label(Link link, String id, JsonObject source, JsonObject fileNode, Box placed) {
            JsonObject current = node(id);
            if (current != null && link.generatedAt() == null) {
                return false;
            }
            Instant at = link.generatedAt() == null ? settings.now() : link.generatedAt();
            String text = labelText(link.agent(), chinese(source), at, settings.zone());
            if (current != null) {
                int existing = nodeIndex.get(id);
                String shown = CanvasModel.string(current, "text");
                if (text.equals(shown)) {
                    return false;
                }
                if (!isLabelText(shown, link.agent())) {
                    // the learner wrote in it (or emptied it, or made it another kind of node): theirs now
                    result.labelsKept().add(link);
                    return false;
                }
                JsonObject updated = CanvasFile.JSON
                        .createObjectBuilder(current)
                        .add("text", text)
                        .build();
                if (existing >= 0) {
                    replacedNodes.put(existing, updated);
                } else {
                    newNodes.replaceAll(n -> n == current ? updated : n);
                }
                return true;
            }
            Box place = placed != null ? placed : placement.placeBeside(box(fileNode), box(source));
            newNode(CanvasFile.JSON
                    .createObjectBuilder()
                    .add("id", id)
                    .add("type", "text")
                    .add("text", text)
                    .add("x", Math.round(place.x()))
                    .add("y", Math.round(place.y()))
                    .add("width", Math.round(place.width()))
                    .add("height", Math.round(place.height()))
                    .add("color", LABEL_COLOR)
                    .build());
            return true;
        }

        private void newNode(JsonObject node) {
            newNodes.add(node);
            nodeIndex.put(node.getString("id"), -newNodes.size());
        }

        /** The node with this id, whether it was on disk or is added by this merge. */
        private JsonObject node(String id) {
            Integer index = nodeIndex.get(id);
            if (index == null) {
                return null;
            }
            if (index < 0) {
                return (JsonObject) newNodes.get(-index - 1);
            }
            return replacedNodes.containsKey(index) ? replacedNodes.get(index) : (JsonObject) nodes.get(index);
        }

        /** A file node the user (or an older run) already made for this note and joined to the source. */
        private String linkedFileNode(Link link) {
            return fileNodesByPath.getOrDefault(link.notePath(), List.of()).stream()
                    .filter(id -> connections.contains(connection(link.sourceNodeId(), id)))
                    .findFirst()
                    .orElse(null);
        }

        /** The learner's language, read from the source node: its text, else its file, group label or link. */
        private static boolean chinese(JsonObject source) {
            for (String field : List.of("text", "file", "label", "url")) {
                String value = CanvasModel.string(source, field);
                if (value != null && !value.isBlank()) {
                    return value.codePoints()
                            .anyMatch(cp -> Character.isIdeographic(cp)
                                    && Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN);
                }
            }
            return false;
        }

        private static Box box(JsonObject node) {
            return new Box(
                    coordinate(CanvasModel.number(node, "x")),
                    coordinate(CanvasModel.number(node, "y")),
                    Math.max(0, coordinate(CanvasModel.number(node, "width"))),
                    Math.max(0, coordinate(CanvasModel.number(node, "height"))));
        }

        /**
         * A canvas's number as placement can use it: one beyond a double's range ({@code 1e400} reads as infinity) is
         * taken for 0, a huge one for {@value #FARTHEST}; else no place would have a finite distance and placing a
         * note would fail, or sums of coordinates would lose every pixel.
         */
        private static double coordinate(double value) {
            return Double.isFinite(value) ? Math.max(-FARTHEST, Math.min(FARTHEST, value)) : 0;
        }

        private static final double FARTHEST = 1e12;

        private static String connection(String from, String to) {
            return from + "\u0000" + to;
        }
    }
}
