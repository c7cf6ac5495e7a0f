package io.capstan.model.manifest;

/** A place in a manifest file: 1-based line and column, or {@link #UNKNOWN} (0, 0) when there is no source text. */
public record SourcePosition(int line, int column) {

    public static final SourcePosition UNKNOWN = new SourcePosition(0, 0);

    @com.fasterxml.jackson.annotation.JsonIgnore // derived, not part of the record
    public boolean isKnown() {
        return line > 0;
    }
}
