package io.capstan.model.manifest;

import java.util.ArrayList;
import java.util.List;

/**
 * An application package or manifest that cannot be used, with every problem found (never just the first).
 * It is bad input, so it is an {@link IllegalArgumentException}: an API maps it to 400.
 */
public class ManifestException extends IllegalArgumentException {

    private final List<ManifestProblem> problems;

    public ManifestException(List<ManifestProblem> problems) {
        super(describe(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ManifestException needs at least one problem");
        }
        List<ManifestProblem> sorted = new ArrayList<>(problems);
        sorted.sort(ManifestProblem.IN_FILE_ORDER);
        this.problems = List.copyOf(sorted);
    }

    public ManifestException(ManifestProblem problem) {
        this(List.of(problem));
    }

    /** The problems in file order (by file, line, column). */
    public List<ManifestProblem> problems() {
        return problems;
    }

    private static String describe(List<ManifestProblem> problems) {
        if (problems.size() == 1) {
            return problems.get(0).toString();
        }
        List<ManifestProblem> sorted = new ArrayList<>(problems);
        sorted.sort(ManifestProblem.IN_FILE_ORDER);
        StringBuilder sb = new StringBuilder(problems.size() + " problems in application package:");
        for (ManifestProblem p : sorted) {
            sb.append("\n  ").append(p);
        }
        return sb.toString();
    }
}
