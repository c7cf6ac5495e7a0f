package io.capstan.model.manifest;

import java.util.Map;

/**
 * A valid manifest together with where each field was written, so later checks (for example the
 * application package's layout) can report problems at real lines.
 */
public record ParsedManifest(ApplicationTypeManifest manifest, String file, Map<String, SourcePosition> positions) {

    public ParsedManifest {
        positions = Map.copyOf(positions);
    }

    /** Where {@code field} (e.g. {@code servicePackages[0].name}) was written, else its nearest written parent. */
    public SourcePosition position(String field) {
        String f = field;
        while (!f.isEmpty()) {
            SourcePosition p = positions.get(f);
            if (p != null) {
                return p;
            }
            int cut = Math.max(f.lastIndexOf('.'), f.lastIndexOf('['));
            f = cut < 0 ? "" : f.substring(0, cut);
        }
        return SourcePosition.UNKNOWN;
    }

    /** A problem about {@code field}, placed where the field was written. */
    public ManifestProblem problem(String field, String message) {
        SourcePosition p = position(field);
        return new ManifestProblem(file, p.line(), p.column(), field, message);
    }
}
