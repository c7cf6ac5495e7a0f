package io.capstan.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.capstan.model.ServiceName;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.smile.databind.SmileMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The encoding of log entries and snapshots: a 4-byte header (magic and schema version) and the record in
 * Jackson's Smile, a compact binary JSON. Reading is strict: an entry of a newer schema, an unknown command
 * type or an unknown field means this server is older than the one that wrote it, and applying the entry as
 * far as it understands it would let the servers drift apart silently, so that is an {@link Incompatible}
 * error that must stop the server, never a skipped entry.
 */
public final class StateCodec {

    /** The schema this code writes and the newest it reads. */
    public static final int SCHEMA_VERSION = 1;

    private static final byte[] COMMAND_MAGIC = {'C', 'P', 'C'};
    private static final byte[] SNAPSHOT_MAGIC = {'C', 'P', 'S'};

    /**
     * Service names read so far, shared: a snapshot names a service once per replica, and parsing and validating a
     * million copies cost a tenth of a restart's read, and the copies a hundred MB of heap. Bounded: cleared when
     * full (names of deleted services would otherwise stay).
     */
    private final Map<String, ServiceName> serviceNames = new ConcurrentHashMap<>();
    private static final int SERVICE_NAMES_KEPT = 100_000;

    private final ObjectMapper smile = SmileMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new SimpleModule("capstan-shared-names").addDeserializer(ServiceName.class, new StdDeserializer<>(ServiceName.class) {
                @Override
                public ServiceName deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                    return sharedServiceName(p.getValueAsString());
                }
            }))
            .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_TARGET) // the caller fsyncs, then closes
            .enable(com.fasterxml.jackson.dataformat.smile.SmileGenerator.Feature.CHECK_SHARED_STRING_VALUES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private ServiceName sharedServiceName(String text) {
        ServiceName known = serviceNames.get(text);
        if (known != null) {
            return known;
        }
        ServiceName parsed = ServiceName.parse(text); // validates, as the record's own creator does
        if (serviceNames.size() >= SERVICE_NAMES_KEPT) {
            serviceNames.clear();
        }
        serviceNames.put(text, parsed);
        return parsed;
    }

    /** The bytes of a log entry carrying {@code command}. */
    public byte[] encode(ClusterCommand command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            header(out, COMMAND_MAGIC);
            smile.writerFor(ClusterCommand.class).writeValue(out, command);
        } catch (IOException e) {
            throw new IllegalArgumentException("the command cannot be encoded: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /**
     * Reads a log entry.
     *
     * @throws Incompatible the entry was written by a newer (or foreign) version: stop the server
     * @throws Malformed    a known command whose content does not make a valid record: reject it
     */
    public ClusterCommand decode(byte[] bytes) {
        int offset = checkHeader(bytes, COMMAND_MAGIC, "log entry");
        try {
            return smile.readValue(bytes, offset, bytes.length - offset, ClusterCommand.class);
        } catch (InvalidTypeIdException e) {
            throw new Incompatible("the log holds a command of type '" + e.getTypeId()
                    + "', which this version of Capstan does not know; run the same Capstan version on every server", e);
        } catch (UnrecognizedPropertyException e) {
            throw new Incompatible("the log holds a command with field '" + e.getPropertyName()
                    + "', which this version of Capstan does not know; run the same Capstan version on every server", e);
        } catch (IOException | RuntimeException e) {
            throw new Malformed("the command cannot be read: " + e.getMessage(), e);
        }
    }

    public void writeSnapshot(ClusterState.Persisted state, OutputStream out) throws IOException {
        header(out, SNAPSHOT_MAGIC);
        smile.writeValue(out, state);
    }

    public ClusterState.Persisted readSnapshot(InputStream in) throws IOException {
        byte[] head = in.readNBytes(4);
        checkHeader(head, SNAPSHOT_MAGIC, "snapshot");
        try {
            return smile.readValue(in, ClusterState.Persisted.class);
        } catch (UnrecognizedPropertyException | InvalidTypeIdException e) {
            throw new Incompatible("the snapshot was written by a newer version of Capstan: " + e.getOriginalMessage(), e);
        }
    }

    /** The snapshot bytes of a state (for comparing two states exactly). */
    public byte[] snapshotBytes(ClusterState.Persisted state) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeSnapshot(state, out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static void header(OutputStream out, byte[] magic) throws IOException {
        out.write(magic);
        out.write(SCHEMA_VERSION);
    }

    private static int checkHeader(byte[] bytes, byte[] magic, String what) {
        if (bytes.length < 4 || !Arrays.equals(bytes, 0, 3, magic, 0, 3)) {
            throw new Incompatible("this " + what + " was not written by this version of Capstan (no schema header); "
                    + "data directories of Capstan before schema " + SCHEMA_VERSION + " cannot be read: start on a new --data");
        }
        int version = bytes[3] & 0xff;
        if (version > SCHEMA_VERSION) {
            throw new Incompatible("this " + what + " has schema version " + version + ", newer than the " + SCHEMA_VERSION
                    + " this Capstan reads; upgrade this server to the version the others run");
        }
        return 4;
    }

    /** The data was written by a newer or foreign version: continuing would let servers drift apart. */
    public static final class Incompatible extends RuntimeException {
        public Incompatible(String message, Throwable cause) {
            super(message, cause);
        }

        Incompatible(String message) {
            super(message);
        }
    }

    /** A known command whose content is not a valid record. */
    public static final class Malformed extends RuntimeException {
        public Malformed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
