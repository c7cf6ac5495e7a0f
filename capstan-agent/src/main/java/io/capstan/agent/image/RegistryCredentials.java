package io.capstan.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The node's registry credentials, from a YAML (or JSON) file of {@code registry: {username, password}} or
 * {@code registry: {token}}, keyed by the registry as image references name it ({@code registry.example.com:5000}):
 * a user and password answer a registry's Basic challenge and log in at its token service for a Bearer challenge;
 * a token is sent as the Bearer token itself.
 */
public final class RegistryCredentials {

    /** One registry's credentials: a user and password, or a token. */
    public record Credential(String username, String password, String token) {

        /** {@code Basic base64(user:password)}, or empty for a token credential. */
        Optional<String> basic() {
            if (username == null) {
                return Optional.empty();
            }
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(
                    (username + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
    }

    public static final RegistryCredentials NONE = new RegistryCredentials(Map.of());

    private final Map<String, Credential> byRegistry;

    RegistryCredentials(Map<String, Credential> byRegistry) {
        this.byRegistry = Map.copyOf(byRegistry);
    }

    /**
     * Reads {@code file}; null gives none.
     *
     * @throws IOException naming the file and the entry when it cannot be read or an entry is incomplete
     */
    public static RegistryCredentials read(Path file) throws IOException {
        if (file == null) {
            return NONE;
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException("registry credentials " + file + ": " + e.getMessage(), e);
        }
        Map<String, Credential> out = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return NONE;
        }
        if (!root.isObject()) {
            throw new IOException("registry credentials " + file + ": expected a map of registry: {username, password} or {token}");
        }
        var fields = root.fields();
        while (fields.hasNext()) {
            var e = fields.next();
            JsonNode c = e.getValue();
            String user = text(c, "username");
            String password = text(c, "password");
            String token = text(c, "token");
            boolean basic = user != null && password != null;
            if (basic == (token != null)) {
                throw new IOException("registry credentials " + file + ": " + e.getKey()
                        + " needs either username and password, or token");
            }
            out.put(e.getKey(), new Credential(user, password, token));
        }
        return new RegistryCredentials(out);
    }

    /** The credentials for {@code registry} (host[:port]), if the node has any. */
    public Optional<Credential> forRegistry(String registry) {
        return Optional.ofNullable(byRegistry.get(registry));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
