package org.canvasbatch.adapters.http;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.canvasbatch.adapters.http.ops.Operations;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The API documents as the server's jar holds them, read with SnakeYAML, with just enough of JSON Schema to hold a
 * real answer against them: {@code $ref} (also into the sibling document), {@code allOf}, {@code oneOf} (exactly one alternative fits), {@code type} (with
 * {@code null}), {@code const}, {@code enum}, {@code required}, {@code properties} and {@code items}. A documented field
 * is a required one: each must be present in the answer, with the documented type, all the way down.
 */
final class ApiDocuments {

    private final Map<String, Map<String, Object>> documents = new LinkedHashMap<>();

    ApiDocuments() {
        for (String name : Operations.DOCUMENT_NAMES) {
            documents.put(name, load(name));
        }
    }

    Map<String, Object> openApi() {
        return documents.get("openapi.yaml");
    }

    Map<String, Object> asyncApi() {
        return documents.get("asyncapi.yaml");
    }

    /** The path items of the OpenAPI document, each with its {@code $ref} followed. */
    Map<String, Map<String, Object>> paths() {
        Map<String, Map<String, Object>> paths = new LinkedHashMap<>();
        map(openApi().get("paths"))
                .forEach((path, item) ->
                        paths.put(path, map(resolve("openapi.yaml", item).node())));
        return paths;
    }

    /** The schema an operation documents for a status, or an error saying it documents none. */
    Located responseSchema(String path, String method, int status, String mediaType) {
        Map<String, Object> item = paths().get(path);
        if (item == null) {
            throw new AssertionError(path + " is not documented");
        }
        Map<String, Object> operation = map(item.get(method.toLowerCase()));
        if (operation == null) {
            throw new AssertionError(method + " " + path + " is not documented");
        }
        Object response = map(operation.get("responses")).get(String.valueOf(status));
        if (response == null) {
            throw new AssertionError(method + " " + path + " answered " + status + ", which it does not document");
        }
        Located resolved = resolve("openapi.yaml", response);
        Map<String, Object> content = map(map(resolved.node()).get("content"));
        Object media = content == null ? null : content.get(mediaType);
        if (media == null) {
            throw new AssertionError(method + " " + path + " " + status + " documents no " + mediaType + " body");
        }
        return new Located(resolved.document(), map(media).get("schema"));
    }

    /** Where a node came from, so that refs inside it resolve against the right document. */
    record Located(String document, Object node) {}

    Located resolve(String document, Object node) {
        Located here = new Located(document, node);
        for (int hops = 0; hops < 20; hops++) {
            if (!(here.node() instanceof Map<?, ?> m) || !(m.get("$ref") instanceof String ref)) {
                return here;
            }
            int hash = ref.indexOf('#');
            String target = hash <= 0 ? here.document() : ref.substring(0, hash);
            Object at = documents.get(target);
            if (at == null) {
                throw new AssertionError("a $ref points to an unknown document: " + ref);
            }
            String pointer = URLDecoder.decode(ref.substring(hash + 1), StandardCharsets.UTF_8);
            for (String token : pointer.split("/")) {
                if (token.isEmpty()) {
                    continue;
                }
                String key = token.replace("~1", "/").replace("~0", "~");
                at = map(at).get(key);
                if (at == null) {
                    throw new AssertionError("a $ref points to nothing: " + ref + " (in " + here.document() + ")");
                }
            }
            here = new Located(target, at);
        }
        throw new AssertionError("a $ref cycle at " + node);
    }

    /** What in {@code value} does not match {@code schema}; empty when everything documented is there. */
    List<String> problems(Located schema, JsonValue value) {
        List<String> problems = new ArrayList<>();
        check(schema, value, "$", problems);
        return problems;
    }

    private void check(Located located, JsonValue value, String where, List<String> problems) {
        Located resolved = resolve(located.document(), located.node());
        Map<String, Object> schema = map(resolved.node());
        if (schema == null) {
            return;
        }
        String doc = resolved.document();
        if (schema.get("allOf") instanceof List<?> parts) {
            parts.forEach(part -> check(new Located(doc, part), value, where, problems));
        }
        if (schema.get("oneOf") instanceof List<?> alternatives) {
            List<List<String>> misfits = new ArrayList<>();
            for (Object alternative : alternatives) {
                List<String> own = new ArrayList<>();
                check(new Located(doc, alternative), value, where, own);
                misfits.add(own);
            }
            long fitting = misfits.stream().filter(List::isEmpty).count();
            if (fitting != 1) {
                problems.add(where + " fits " + fitting + " of its " + alternatives.size() + " alternatives, not one"
                        + (fitting == 0 ? ": " + misfits : ""));
            }
        }
        Object type = schema.get("type");
        if (type != null && !typeMatches(type, value)) {
            problems.add(where + " should be " + type + " but is " + describe(value));
            return;
        }
        if (schema.containsKey("const") && !matchesLiteral(schema.get("const"), value)) {
            problems.add(where + " should be " + schema.get("const") + " but is " + value);
        }
        if (schema.get("enum") instanceof List<?> allowed
                && value.getValueType() != JsonValue.ValueType.NULL
                && allowed.stream().noneMatch(a -> matchesLiteral(a, value))) {
            problems.add(where + " is " + value + ", not one of " + allowed);
        }
        if (value instanceof JsonObject object) {
            if (schema.get("required") instanceof List<?> required) {
                for (Object field : required) {
                    if (!object.containsKey(String.valueOf(field))) {
                        problems.add(where + "." + field + " is documented but missing");
                    }
                }
            }
            Map<String, Object> properties = map(schema.get("properties"));
            if (properties != null) {
                properties.forEach((name, sub) -> {
                    if (object.containsKey(name)) {
                        check(new Located(doc, sub), object.get(name), where + "." + name, problems);
                    }
                });
            }
        }
        if (value instanceof JsonArray array && schema.get("items") != null) {
            for (int i = 0; i < array.size(); i++) {
                check(new Located(doc, schema.get("items")), array.get(i), where + "[" + i + "]", problems);
            }
        }
    }

    private static boolean typeMatches(Object type, JsonValue value) {
        if (type instanceof List<?> types) {
            return types.stream().anyMatch(t -> typeMatches(t, value));
        }
        return switch (String.valueOf(type)) {
            case "object" -> value.getValueType() == JsonValue.ValueType.OBJECT;
            case "array" -> value.getValueType() == JsonValue.ValueType.ARRAY;
            case "string" -> value.getValueType() == JsonValue.ValueType.STRING;
            case "integer" -> value instanceof JsonNumber n && n.isIntegral();
            case "number" -> value instanceof JsonNumber;
            case "boolean" -> value == JsonValue.TRUE || value == JsonValue.FALSE;
            case "null" -> value == JsonValue.NULL;
            default -> throw new AssertionError("unknown schema type " + type);
        };
    }

    private static boolean matchesLiteral(Object literal, JsonValue value) {
        return switch (value) {
            case JsonString s -> s.getString().equals(String.valueOf(literal));
            case JsonNumber n -> literal instanceof Number l && n.doubleValue() == l.doubleValue();
            default ->
                value == JsonValue.TRUE
                        ? Boolean.TRUE.equals(literal)
                        : value == JsonValue.FALSE && Boolean.FALSE.equals(literal);
        };
    }

    private static String describe(JsonValue value) {
        String text = value.toString();
        return value.getValueType().name().toLowerCase() + " "
                + (text.length() > 60 ? text.substring(0, 60) + "…" : text);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        return node instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    private static Map<String, Object> load(String name) {
        try (InputStream in = ApiDocuments.class.getClassLoader().getResourceAsStream(Operations.DOCUMENTS + name)) {
            if (in == null) {
                throw new AssertionError(name + " is not in the jar's resources");
            }
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            return map(yaml.load(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
