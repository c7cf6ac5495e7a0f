package io.capstan.gateway;

import io.capstan.model.ServiceName;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where a client asked to go, in Service Fabric's reverse-proxy convention:
 * {@code /App/Service/rest/of/path?PartitionKey=K&PartitionKind=..&ListenerName=..&TargetReplicaSelector=..&Timeout=..}.
 * {@code backendUri} is the path and query the replica sees: the prefix and the gateway's own parameters removed.
 */
public record Route(ServiceName service, String backendUri, String partitionKey, String partitionKind,
        String listenerName, ReplicaSelector selector, Duration timeout) {

    /** Which replica of a partition to send to; null in a route means the service kind's default. */
    public enum ReplicaSelector { PrimaryReplica, RandomSecondaryReplica, RandomInstance }

    private static final Set<String> OWN_PARAMETERS = Set.of("partitionkey", "partitionkind", "listenername",
            "targetreplicaselector", "timeout");

    /** Parses a request URI; an {@link IllegalArgumentException} says what is wrong and how to write it. */
    public static Route parse(String uri) {
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        String rawQuery = q < 0 ? "" : uri.substring(q + 1);
        String[] parts = rawPath.split("/", 4);
        if (parts.length < 3 || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new IllegalArgumentException("the path must start with /App/Service (for example /MyApp/MyService/api),"
                    + " got '" + rawPath + "'");
        }
        ServiceName service = new ServiceName(decode(parts[1]), decode(parts[2]));
        String rest = parts.length == 4 ? "/" + parts[3] : "/";
        String partitionKey = null;
        String partitionKind = null;
        String listener = null;
        ReplicaSelector selector = null;
        Duration timeout = null;
        List<String> kept = new ArrayList<>();
        for (String pair : rawQuery.isEmpty() ? new String[0] : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!OWN_PARAMETERS.contains(name.toLowerCase(Locale.ROOT))) {
                kept.add(pair);
                continue;
            }
            switch (name.toLowerCase(Locale.ROOT)) {
                case "partitionkey" -> partitionKey = value;
                case "partitionkind" -> partitionKind = kind(value);
                case "listenername" -> listener = value;
                case "targetreplicaselector" -> selector = selector(value);
                default -> timeout = timeout(value);
            }
        }
        String backendUri = kept.isEmpty() ? rest : rest + "?" + String.join("&", kept);
        return new Route(service, backendUri, partitionKey, partitionKind, listener, selector, timeout);
    }

    private static String kind(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "int64range" -> "Int64Range";
            case "named" -> "Named";
            case "singleton" -> "Singleton";
            default -> throw new IllegalArgumentException("PartitionKind: '" + value + "' is not Int64Range, Named or Singleton");
        };
    }

    private static ReplicaSelector selector(String value) {
        for (ReplicaSelector s : ReplicaSelector.values()) {
            if (s.name().equalsIgnoreCase(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("TargetReplicaSelector: '" + value
                + "' is not PrimaryReplica, RandomSecondaryReplica or RandomInstance");
    }

    /** Service Fabric's Timeout is in seconds; a duration ({@code 500ms}, {@code 2s}) is accepted too. */
    private static Duration timeout(String value) {
        try {
            Duration d = value.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(value))
                    : io.capstan.model.Durations.parse(value);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("it must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Timeout: '" + value + "' is not a number of seconds or a duration like 500ms ("
                    + e.getMessage() + ")");
        }
    }

    private static String decode(String s) {
        return QueryStringDecoder.decodeComponent(s, StandardCharsets.UTF_8);
    }
}
