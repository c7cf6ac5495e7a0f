package io.capstan.agent;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Base of the tests that drive activations directly: a fresh {@link Fixture} per test, always cleaned up. */
abstract class FixtureTest {

    @TempDir
    Path tmp;
    Fixture f;

    @BeforeEach
    void createFixture() throws Exception {
        f = new Fixture(tmp);
    }

    @AfterEach
    void closeFixture() throws Exception {
        f.close();
    }
}
