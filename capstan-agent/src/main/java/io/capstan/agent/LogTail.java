package io.capstan.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The last lines of a code package log, for a crash loop's diagnosis: read from the end of {@code X.err}, and from
 * {@code X.err.1} too when a rotation just emptied the current file; at most {@code maxLines} lines and
 * {@code maxBytes} bytes, the first (cut) line dropped, invalid UTF-8 replaced.
 */
final class LogTail {

    static final int DEFAULT_LINES = 20;
    static final int DEFAULT_BYTES = 4096;

    private LogTail() {
    }

    /** The tail of {@code log} with the default limits (20 lines, 4 KiB), or null when there is nothing to show. */
    static String of(Path log) {
        return of(log, DEFAULT_LINES, DEFAULT_BYTES);
    }

    static String of(Path log, int maxLines, int maxBytes) {
        try {
            byte[] current = tail(log, maxBytes);
            byte[] bytes = current;
            boolean cut = Files.size(log) > current.length;
            if (!cut && current.length < maxBytes) {
                Path rotated = LogRotator.numbered(log, 1);
                byte[] older = tail(rotated, maxBytes - current.length);
                bytes = concat(older, current);
                cut = Files.exists(rotated) && Files.size(rotated) > older.length;
            }
            return lastLines(decode(bytes), maxLines, cut);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return "(cannot read " + log.getFileName() + ": " + e.getMessage() + ")";
        }
    }

    private static byte[] tail(Path file, int maxBytes) throws IOException {
        if (maxBytes <= 0 || !Files.exists(file)) {
            return new byte[0];
        }
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            long size = ch.size();
            int n = (int) Math.min(size, maxBytes);
            ch.position(size - n);
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // A copy-truncate rotation may shrink the file meanwhile: what was read is what there is.
            }
            return Arrays.copyOf(buf.array(), buf.position());
        }
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static String lastLines(String text, int maxLines, boolean cut) {
        List<String> lines = List.of(text.split("\n", -1));
        int from = cut && lines.size() > 1 ? 1 : 0; // the first line starts somewhere in the middle
        int to = lines.size();
        if (to > from && lines.get(to - 1).isEmpty()) {
            to--; // the final newline
        }
        from = Math.max(from, to - maxLines);
        String tail = String.join("\n", lines.subList(from, to));
        return tail.isBlank() ? null : tail;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
