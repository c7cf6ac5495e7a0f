package io.capstan.cli;

import io.capstan.model.ActivationMode;
import io.capstan.model.Durations;
import io.capstan.model.Names;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceName;
import io.capstan.model.health.HealthEntity;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters: a bad value becomes a usage error (exit 2) naming the option and the expected form. */
/** picocli converters for the domain's value types, shared by the CLI and the server/agent/dev commands. */
public final class Converters {

    private Converters() {
    }

    /** {@code App1/ServiceA} or {@code capstan:/App1/ServiceA}. */
    static final class Service implements ITypeConverter<ServiceName> {
        @Override
        public ServiceName convert(String value) {
            try {
                return ServiceName.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code App1} or {@code capstan:/App1}. */
    static final class Application implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return Names.applicationName(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A user-chosen name (application type, service type, node). */
    static final class Name implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String problem = Names.problem(value);
            if (problem != null) {
                throw new TypeConversionException("name " + problem);
            }
            return value;
        }
    }

    /** A health entity ({@code service:App1/ServiceA}, ...); {@code capstan:/App1[/ServiceA]} is short for app: / service:. */
    static final class Entity implements ITypeConverter<HealthEntity> {
        @Override
        public HealthEntity convert(String value) {
            try {
                if (value.startsWith(ServiceName.SCHEME)) {
                    return value.indexOf('/', ServiceName.SCHEME.length()) < 0
                            ? new HealthEntity.Application(Names.applicationName(value))
                            : new HealthEntity.Service(ServiceName.parse(value));
                }
                return HealthEntity.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage() + " (capstan:/APP and capstan:/APP/SVC work too)");
            }
        }
    }

    /** A whole percentage from 0 to 100. */
    static final class Percent implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int p = Integer.parseInt(value);
                if (p >= 0 && p <= 100) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("'" + value + "' must be a whole percentage from 0 to 100");
        }
    }

    /** A size in bytes: {@code 1048576}, {@code 512KiB}, {@code 256MiB}, {@code 2GiB} (KB, MB, GB mean the same). */
    public static final class ByteSize implements ITypeConverter<Long> {
        private static final java.util.regex.Pattern SIZE =
                java.util.regex.Pattern.compile("(\\d+)\\s*(|B|KB|KiB|K|MB|MiB|M|GB|GiB|G)", java.util.regex.Pattern.CASE_INSENSITIVE);

        @Override
        public Long convert(String value) {
            var m = SIZE.matcher(value.trim());
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a size; write it like 512MiB or 2GiB");
            }
            int shift = switch (m.group(2).toUpperCase(java.util.Locale.ROOT)) {
                case "KB", "KIB", "K" -> 10;
                case "MB", "MIB", "M" -> 20;
                case "GB", "GIB", "G" -> 30;
                default -> 0;
            };
            long size = Long.parseLong(m.group(1)) << shift;
            if (size <= 0) {
                throw new TypeConversionException("'" + value + "' must be a positive size");
            }
            return size;
        }
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h} or ISO-8601 {@code PT30S}; must be positive. */
    public static final class Timeout implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d;
            try {
                d = Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            if (d.isNegative() || d.isZero()) {
                throw new TypeConversionException("'" + value + "' must be a positive duration like 30s or 5m");
            }
            return d;
        }
    }

    static final class Partitioning implements ITypeConverter<PartitionScheme> {
        @Override
        public PartitionScheme convert(String value) {
            try {
                return Partitions.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code shared} / {@code exclusive} (or SharedProcess / ExclusiveProcess). */
    static final class Activation implements ITypeConverter<ActivationMode> {
        @Override
        public ActivationMode convert(String value) {
            try {
                return ActivationMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("unknown activation mode '" + value
                        + "': use shared or exclusive (SharedProcess / ExclusiveProcess)");
            }
        }
    }

    /** {@code http://host:port}; a bare {@code host:port} means http, a trailing slash is dropped. */
    static final class ServerUrl implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            return parseServer(value);
        }
    }

    static URI parseServer(String text) {
        String t = text == null ? "" : text.strip();
        if (!t.contains("://")) {
            t = "http://" + t;
        }
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            URI uri = new URI(t);
            boolean ok = ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null
                    && (uri.getPath() == null || uri.getPath().isEmpty())
                    && uri.getQuery() == null && uri.getFragment() == null;
            if (ok) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new TypeConversionException("'" + text + "' is not a server URL: write it like http://127.0.0.1:19080");
    }
}
