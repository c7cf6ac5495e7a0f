package io.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {

    @TempDir
    Path tmp;

    private static String lines(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "line " + i).collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void theLastTwentyLines() throws Exception {
        Path log = tmp.resolve("Code.err");
        Files.writeString(log, lines(0, 50));
        assertThat(LogTail.of(log)).isEqualTo(lines(30, 50).strip());
        Files.writeString(log, "only\n");
        assertThat(LogTail.of(log)).isEqualTo("only");
    }

    @Test
    void atMostTheByteLimitWithoutACutLine() throws Exception {
        Path log = tmp.resolve("Code.err");
        Files.writeString(log, "x".repeat(5000) + "\nshort one\nlast\n");
        assertThat(LogTail.of(log)).isEqualTo("short one\nlast");
        Files.writeString(log, "y".repeat(10_000));
        assertThat(LogTail.of(log, 20, 100)).isEqualTo("y".repeat(100)); // the end of one long line is still worth showing
    }

    @Test
    void aJustRotatedLogIsContinuedFromItsPredecessor() throws Exception {
        Path log = tmp.resolve("Code.err");
        Files.writeString(LogRotator.numbered(log, 1), lines(0, 30));
        Files.writeString(log, lines(30, 35));
        assertThat(LogTail.of(log)).isEqualTo(lines(15, 35).strip());
        Files.writeString(log, "");
        assertThat(LogTail.of(log)).isEqualTo(lines(10, 30).strip());
    }

    @Test
    void nothingToShow() throws Exception {
        assertThat(LogTail.of(tmp.resolve("missing.err"))).isNull();
        Path empty = Files.writeString(tmp.resolve("Empty.err"), "\n\n");
        assertThat(LogTail.of(empty)).isNull();
    }

    @Test
    void invalidUtf8IsReplaced() throws Exception {
        Path log = tmp.resolve("Code.err");
        Files.write(log, new byte[] {'a', (byte) 0xff, 'b', '\n'});
        assertThat(LogTail.of(log)).isEqualTo("a\uFFFDb");
    }
}
