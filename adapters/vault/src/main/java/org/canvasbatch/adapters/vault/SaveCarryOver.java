package org.canvasbatch.adapters.vault;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A save that went into the file a write-back replaced, carried into the canvas as another save has left it since.
 *
 * <p>The editor saved in place into the file just replaced, then, before the write-back could put that save back,
 * reloaded the canvas (without the save) and saved again. The later save is what the editor has now, so it is kept;
 * and every node and edge the lost save added, changed or removed (compared with the canvas the write-back had read)
 * is applied to it too, unless the later save itself changed that node or edge from what the write-back wrote; the
 * same for the canvas's other top-level fields. Nodes and edges are told apart by their ids; one without an id is
 * left as the later save has it. When nobody saved after the write-back, the later save is what it wrote.
 *
 * <p>Only a later save made from what the write-back wrote is carried into. One made from the save itself (the editor
 * kept it in memory, or loaded it once it was put back) already has it, and what it lacks of it the learner undid
 * since: a node the save added and the learner deleted again stays deleted. Such a save is told by what it holds: a
 * node, edge or field the lost save added or changed as the lost save has it, where the write-back wrote otherwise;
 * or none of what the write-back itself changed in the canvas it read (the links it added), when it changed anything.
 *
 * <p>An edge is never left joining a node that is not there: a node the lost save removed takes with it the edges
 * the later save still draws to it (the write-back's own edge to its note, say), as the editor removes a node's edges
 * with it, and an edge the lost save added to a node the later save removed is not carried. A canvas with an edge to
 * no node is one a batch refuses to read. An edge the later save itself left that way is kept as it is.
 */
final class SaveCarryOver {

    private static final List<String> LISTS = List.of("nodes", "edges");

    private SaveCarryOver() {}

    /**
     * @param read    the canvas the write-back merged into
     * @param lost    what the editor saved into the replaced file
     * @param written what the write-back wrote
     * @param now     the canvas as the editor saved it again
     */
    static JsonObject carry(JsonObject read, JsonObject lost, JsonObject written, JsonObject now) {
        Map<String, JsonValue> readFlat = flat(read);
        Map<String, JsonValue> writtenFlat = flat(written);
        Map<String, JsonValue> nowFlat = flat(now);
        if (holdsTheSave(readFlat, flat(lost), writtenFlat, nowFlat) || !madeFrom(readFlat, writtenFlat, nowFlat)) {
            return now;
        }
        var result = CanvasFile.JSON.createObjectBuilder(now);
        Set<String> fields = new LinkedHashSet<>(read.keySet());
        fields.addAll(lost.keySet());
        fields.removeAll(LISTS);
        for (String field : fields) {
            if (!Objects.equals(read.get(field), lost.get(field))
                    && Objects.equals(written.get(field), now.get(field))) {
                if (lost.containsKey(field)) {
                    result.add(field, lost.get(field));
                } else {
                    result.remove(field);
                }
            }
        }
        for (String list : LISTS) {
            Map<String, JsonValue> before = byId(read, list);
            Map<String, JsonValue> saved = byId(lost, list);
            Map<String, JsonValue> ours = byId(written, list);
            Map<String, JsonValue> current = byId(now, list);
            Set<String> ids = new LinkedHashSet<>(before.keySet());
            ids.addAll(saved.keySet());
            Map<String, JsonValue> apply = new LinkedHashMap<>();
            for (String id : ids) {
                boolean savedChangedIt = !Objects.equals(before.get(id), saved.get(id));
                boolean laterSaveLeftIt = Objects.equals(ours.get(id), current.get(id));
                if (savedChangedIt && laterSaveLeftIt) {
                    apply.put(id, saved.get(id));
                }
            }
            if (apply.isEmpty()) {
                continue;
            }
            JsonArrayBuilder entries = CanvasFile.JSON.createArrayBuilder();
            List<JsonValue> kept = new ArrayList<>();
            if (now.get(list) instanceof JsonArray array) {
                for (JsonValue entry : array) {
                    String id = idOf(entry);
                    if (id == null || !apply.containsKey(id)) {
                        kept.add(entry);
                    } else if (apply.get(id) != null) {
                        kept.add(apply.remove(id));
                    } else {
                        apply.remove(id);
                    }
                }
            }
            kept.forEach(entries::add);
            apply.values().stream().filter(Objects::nonNull).forEach(entries::add);
            result.add(list, entries);
        }
        return withoutEdgesToNowhere(result.build(), now);
    }

    /**
     * Whether {@code canvas} holds something of the lost save (added or changed by it, as it has it, where the
     * write-back wrote otherwise): the save was carried into it, or it was made from the save.
     */
    static boolean holds(JsonObject read, JsonObject lost, JsonObject written, JsonObject canvas) {
        return holdsTheSave(flat(read), flat(lost), flat(written), flat(canvas));
    }

    /**
     * Whether the later save holds something the lost save added or changed, as the lost save has it, where the
     * write-back wrote otherwise: it was made from the lost save.
     */
    private static boolean holdsTheSave(
            Map<String, JsonValue> before,
            Map<String, JsonValue> saved,
            Map<String, JsonValue> ours,
            Map<String, JsonValue> current) {
        for (Map.Entry<String, JsonValue> entry : saved.entrySet()) {
            JsonValue value = entry.getValue();
            String key = entry.getKey();
            if (!value.equals(before.get(key)) && !value.equals(ours.get(key)) && value.equals(current.get(key))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the later save may have been made from what the write-back wrote: it holds something the write-back
     * changed in the canvas it read as the write-back wrote it, or the write-back changed nothing there.
     */
    private static boolean madeFrom(
            Map<String, JsonValue> before, Map<String, JsonValue> ours, Map<String, JsonValue> current) {
        Set<String> keys = new LinkedHashSet<>(before.keySet());
        keys.addAll(ours.keySet());
        boolean changed = false;
        for (String key : keys) {
            if (!Objects.equals(before.get(key), ours.get(key))) {
                changed = true;
                if (Objects.equals(ours.get(key), current.get(key))) {
                    return true;
                }
            }
        }
        return !changed;
    }

    /** Every top-level field but the lists, and every node and edge by its id, each under a key of its own. */
    private static Map<String, JsonValue> flat(JsonObject canvas) {
        Map<String, JsonValue> flat = new LinkedHashMap<>();
        canvas.forEach((field, value) -> {
            if (!LISTS.contains(field)) {
                flat.put("field\u0000" + field, value);
            }
        });
        for (String list : LISTS) {
            byId(canvas, list).forEach((id, entry) -> flat.put(list + "\u0000" + id, entry));
        }
        return flat;
    }

    /** The carried canvas without the edges the carry-over left joining a node that is not in it. */
    private static JsonObject withoutEdgesToNowhere(JsonObject carried, JsonObject now) {
        if (!(carried.get("edges") instanceof JsonArray edges)) {
            return carried;
        }
        Set<String> nodes = byId(carried, "nodes").keySet();
        Set<String> nodesBefore = byId(now, "nodes").keySet();
        Set<JsonValue> edgesBefore = now.get("edges") instanceof JsonArray array ? Set.copyOf(array) : Set.of();
        JsonArrayBuilder kept = CanvasFile.JSON.createArrayBuilder();
        boolean dropped = false;
        for (JsonValue edge : edges) {
            boolean toNowhere = false;
            if (edge instanceof JsonObject object) {
                for (String end : List.of("fromNode", "toNode")) {
                    if (object.get(end) instanceof JsonString node
                            && !nodes.contains(node.getString())
                            && (nodesBefore.contains(node.getString()) || !edgesBefore.contains(edge))) {
                        toNowhere = true;
                    }
                }
            }
            if (toNowhere) {
                dropped = true;
            } else {
                kept.add(edge);
            }
        }
        return dropped
                ? CanvasFile.JSON
                        .createObjectBuilder(carried)
                        .add("edges", kept)
                        .build()
                : carried;
    }

    private static Map<String, JsonValue> byId(JsonObject canvas, String list) {
        Map<String, JsonValue> entries = new LinkedHashMap<>();
        if (canvas.get(list) instanceof JsonArray array) {
            for (JsonValue entry : array) {
                String id = idOf(entry);
                if (id != null) {
                    entries.putIfAbsent(id, entry);
                }
            }
        }
        return entries;
    }

    private static String idOf(JsonValue entry) {
        return entry instanceof JsonObject object && object.get("id") instanceof JsonString id ? id.getString() : null;
    }
}
