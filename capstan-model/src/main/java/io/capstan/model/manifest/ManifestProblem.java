package io.capstan.model.manifest;

import java.util.Comparator;

/**
 * One thing wrong with an application package: where it is ({@code file}, 1-based {@code line} and
 * {@code column}, both 0 when unknown), which field ({@code servicePackages[0].codePackages[1].process.command},
 * empty for the file as a whole) and what is wrong and how to fix it.
 */
public record ManifestProblem(String file, int line, int column, String field, String message) {

    /** File, then line, then column: the order a reader of the file meets the problems in. */
    public static final Comparator<ManifestProblem> IN_FILE_ORDER = Comparator
            .comparing((ManifestProblem p) -> p.file == null ? "" : p.file)
            .thenComparingInt(ManifestProblem::line)
            .thenComparingInt(ManifestProblem::column);

    public ManifestProblem {
        file = file == null ? "" : file;
        field = field == null ? "" : field;
    }

    /** {@code capstan-app.yaml:14:9: servicePackages[0].codePackages[0].process.command: is missing; ...}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line).append(':').append(column);
        }
        sb.append(": ");
        if (!field.isEmpty()) {
            sb.append(field).append(": ");
        }
        return sb.append(message).toString();
    }
}
