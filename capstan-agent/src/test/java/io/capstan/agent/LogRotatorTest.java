package io.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRotatorTest {

    @TempDir
    Path dir;

    @Test
    void copiesThenTruncatesKeepingTheNewestRotations() throws Exception {
        LogRotator rotator = new LogRotator(new LogRotation(10, 2, Duration.ofSeconds(1)));
        Path log = dir.resolve("Code.out");
        // An appending writer, as a code package's stdout is: it must keep writing after each truncation.
        try (FileOutputStream out = new FileOutputStream(log.toFile(), true)) {
            for (String round : new String[] {"first-round", "second-round", "third-round"}) {
                out.write(round.getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertThat(rotator.rotateIfNeeded(log)).isTrue();
                assertThat(Files.size(log)).isZero();
            }
            out.write("tail".getBytes(StandardCharsets.UTF_8));
        }
        // After the truncation an O_APPEND writer continues at the start, with no hole of zeros.
        assertThat(Files.readString(log)).isEqualTo("tail");
        assertThat(Files.readString(LogRotator.numbered(log, 1))).isEqualTo("third-round");
        assertThat(Files.readString(LogRotator.numbered(log, 2))).isEqualTo("second-round");
        assertThat(LogRotator.numbered(log, 3)).doesNotExist();
    }

    @Test
    void leavesSmallFilesAndOtherFilesAlone() throws Exception {
        LogRotator rotator = new LogRotator(new LogRotation(100, 3, Duration.ofSeconds(1)));
        Files.writeString(dir.resolve("Code.err"), "short");
        Files.writeString(dir.resolve("notes.txt"), "x".repeat(500));
        rotator.rotateAll(dir);
        assertThat(Files.readString(dir.resolve("Code.err"))).isEqualTo("short");
        assertThat(dir.resolve("notes.txt.1")).doesNotExist();
        assertThat(dir.resolve("Code.err.1")).doesNotExist();
    }
}
