package io.capstan.model.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.Mark;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document read with Jackson's streaming parser into a small tree in which every node and every
 * mapping key remembers where it starts in the text, so problems can name real lines and columns.
 */
final class YamlTree {

    /** Plain empty values ({@code key:}) are null, as YAML means them (the builder's default differs from the constructor's). */
    private static final YAMLFactory FACTORY = YAMLFactory.builder().enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build();

    private YamlTree() {
    }

    sealed interface Node permits YMap, YList, YScalar {
        SourcePosition pos();

        /** What the node is, as a user would say it: "a mapping", "a list", "the number 3". */
        String describe();
    }

    record Entry(String key, SourcePosition keyPos, Node value) {
    }

    record YMap(SourcePosition pos, Map<String, Entry> entries) implements Node {
        Entry get(String key) {
            return entries.get(key);
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record YList(SourcePosition pos, List<Node> items) implements Node {
        @Override
        public String describe() {
            return "a list";
        }
    }

    /**
     * A scalar: {@code text} is the value as written (for numbers and booleans too), null for YAML null;
     * {@code number} is a BigInteger for integers, a Double for floats (NaN when unreadable), else null.
     */
    record YScalar(SourcePosition pos, JsonToken token, String text, Number number) implements Node {
        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }

        boolean isNumber() {
            return token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT;
        }

        @Override
        public String describe() {
            return switch (token) {
                case VALUE_NULL -> "empty";
                case VALUE_TRUE, VALUE_FALSE -> "the boolean " + text;
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + text;
                default -> "the text '" + text + "'";
            };
        }
    }

    /** The parsed document (null when the text holds no document) and the problems met while reading it. */
    record Result(Node root, List<ManifestProblem> problems) {
    }

    static Result parse(String text, String file) {
        List<ManifestProblem> problems = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return new Result(null, problems);
            }
            Node root = read(p, file, "", problems);
            if (p.nextToken() != null) {
                SourcePosition pos = position(p);
                problems.add(new ManifestProblem(file, pos.line(), pos.column(), "",
                        "holds a second YAML document; a manifest is one document, so remove this '---' part"));
            }
            return new Result(root, problems);
        } catch (MarkedYAMLException e) {
            problems.add(syntaxProblem(file, e));
            return new Result(null, problems);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            problems.add(new ManifestProblem(file, loc == null ? 0 : loc.getLineNr(), loc == null ? 0 : loc.getColumnNr(),
                    "", "is not valid YAML: " + e.getOriginalMessage()));
            return new Result(null, problems);
        } catch (IOException e) {
            problems.add(new ManifestProblem(file, 0, 0, "", "cannot be read: " + e.getMessage()));
            return new Result(null, problems);
        }
    }

    private static ManifestProblem syntaxProblem(String file, MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        StringBuilder msg = new StringBuilder("is not valid YAML: ");
        if (e.getContext() != null) {
            msg.append(e.getContext());
            Mark ctx = e.getContextMark();
            if (ctx != null && mark != null && ctx.getLine() != mark.getLine()) {
                msg.append(" (started on line ").append(ctx.getLine() + 1).append(')');
            }
            msg.append(", ");
        }
        msg.append(e.getProblem() == null ? e.getOriginalMessage() : e.getProblem());
        msg.append("; check the indentation (spaces only, no tabs) and that quotes and brackets are closed");
        return new ManifestProblem(file, mark == null ? 0 : mark.getLine() + 1, mark == null ? 0 : mark.getColumn() + 1,
                "", msg.toString());
    }

    private static SourcePosition position(JsonParser p) {
        JsonLocation loc = p.currentTokenLocation();
        return new SourcePosition(loc.getLineNr(), loc.getColumnNr());
    }

    /** Reads the value at the current token (a start token or a scalar), leaving the parser on its last token. */
    private static Node read(JsonParser p, String file, String path, List<ManifestProblem> problems) throws IOException {
        SourcePosition pos = position(p);
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Entry> entries = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    SourcePosition keyPos = position(p);
                    String childPath = ManifestParser.child(path, key);
                    p.nextToken();
                    Node value = read(p, file, childPath, problems);
                    Entry previous = entries.get(key);
                    if (previous != null) {
                        problems.add(new ManifestProblem(file, keyPos.line(), keyPos.column(), childPath,
                                "is given twice (first on line " + previous.keyPos().line() + "); keep only one"));
                    } else {
                        entries.put(key, new Entry(key, keyPos, value));
                    }
                }
                return new YMap(pos, entries);
            }
            case START_ARRAY -> {
                List<Node> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(p, file, path + "[" + items.size() + "]", problems));
                }
                return new YList(pos, items);
            }
            default -> {
                if (p instanceof YAMLParser yp && yp.isCurrentAlias()) {
                    problems.add(new ManifestProblem(file, pos.line(), pos.column(), path,
                            "uses the YAML alias *" + p.getText() + ", which manifests do not support; write the value out"));
                    return new YScalar(pos, JsonToken.VALUE_NULL, null, null);
                }
                String text = t == JsonToken.VALUE_NULL ? null : p.getText();
                Number number = null;
                if (t == JsonToken.VALUE_NUMBER_INT) {
                    try {
                        number = p.getBigIntegerValue();
                    } catch (IOException | NumberFormatException e) {
                        number = null;
                    }
                } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                    try {
                        number = p.getDoubleValue();
                    } catch (IOException | NumberFormatException e) {
                        number = Double.NaN;
                    }
                }
                return new YScalar(pos, t, text, number);
            }
        }
    }
}
