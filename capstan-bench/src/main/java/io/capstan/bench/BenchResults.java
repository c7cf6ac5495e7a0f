package io.capstan.bench;

import io.capstan.model.CapstanJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a benchmark's results as pretty-printed JSON (under bench-results/ by default). */
final class BenchResults {

    private BenchResults() {
    }

    static void write(Path out, Object results) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        CapstanJson.newMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), results);
        System.out.println("wrote " + out);
    }
}
