package io.capstan.model.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an application runs: a type version and parameter values. Its {@link #revision()} names the pair in
 * assignments and in agents' reports, so the server can tell that a node runs it even when only the
 * parameters changed.
 */
public record ApplicationVersion(String typeVersion, Map<String, String> parameters) {

    public ApplicationVersion {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }

    /** The type version and a short digest of the parameters in key order, e.g. {@code 2.0.0#3f9a0c1e}. */
    public String revision() {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(parameters).forEach((k, v) -> text.append(k.length()).append(':').append(k)
                .append(v.length()).append(':').append(v));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return typeVersion + "#" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
