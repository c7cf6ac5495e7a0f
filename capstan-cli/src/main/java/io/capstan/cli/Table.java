package io.capstan.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table for people: a header row, then one line per row, columns left-aligned and
 * separated by two spaces, no trailing spaces. A null or empty cell prints as {@code -}.
 */
public final class Table {

    static final String GAP = "  ";

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = List.of(headers);
    }

    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(Table::cell).toList());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public int size() {
        return rows.size();
    }

    /** The table, every line ending with a newline. */
    public String render() {
        int[] widths = new int[headers.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = headers.get(c).length();
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, headers, widths);
        for (List<String> row : rows) {
            line(sb, row, widths);
        }
        return sb.toString();
    }

    /** Label/value lines, labels padded to one width: {@code Leader:    s1}. */
    public static String keyValues(List<String[]> pairs) {
        int width = 0;
        for (String[] p : pairs) {
            width = Math.max(width, p[0].length() + 1);
        }
        StringBuilder sb = new StringBuilder();
        for (String[] p : pairs) {
            String label = p[0] + ":";
            sb.append(label).append(" ".repeat(width - label.length())).append(GAP).append(cell(p[1])).append('\n');
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            line.append(cell);
            if (c < cells.size() - 1) {
                line.append(" ".repeat(widths[c] - cell.length())).append(GAP);
            }
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }

    /** A cell cut to {@code max} characters with an ellipsis: long texts (stderr tails) belong to {@code -o json}. */
    static String abbreviated(String value, int max) {
        String s = cell(value);
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    static String cell(Object value) {
        if (value == null) {
            return "-";
        }
        String s = value.toString().replace('\n', ' ').replace('\t', ' ');
        return s.isEmpty() ? "-" : s;
    }
}
