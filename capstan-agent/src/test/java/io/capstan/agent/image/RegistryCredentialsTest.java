package io.capstan.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's credentials file: user and password, or a token, per registry; anything else is refused by name. */
class RegistryCredentialsTest {

    @TempDir
    Path tmp;

    @Test
    void readsUserPasswordAndTokenEntries() throws IOException {
        Path f = tmp.resolve("registries.yaml");
        Files.writeString(f, "\"registry.example.com:5000\": {username: ci, password: pw}\nghcr.io: {token: abc}\n");
        RegistryCredentials c = RegistryCredentials.read(f);
        assertThat(c.forRegistry("registry.example.com:5000").orElseThrow().basic()).contains("Basic Y2k6cHc=");
        assertThat(c.forRegistry("ghcr.io").orElseThrow().token()).isEqualTo("abc");
        assertThat(c.forRegistry("docker.io")).isEmpty();
    }

    @Test
    void anIncompleteEntryIsRefusedNamingTheFileAndRegistry() throws IOException {
        Path f = tmp.resolve("registries.yaml");
        Files.writeString(f, "quay.io: {username: ci}\n");
        assertThatThrownBy(() -> RegistryCredentials.read(f)).isInstanceOf(IOException.class)
                .hasMessage("registry credentials " + f + ": quay.io needs either username and password, or token");
    }
}
