package io.capstan.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.cli.CapstanCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --container-runtime}: only runc or crun, and one asked for by name must be installed. */
class ContainerRuntimeOptionTest {

    @TempDir
    Path tmp;

    @Test
    void aMissingRuntimeIsAUsageErrorNamingThePackage() {
        String missing = tmp.resolve("crun").toString();
        for (String role : new String[] {"agent", "dev"}) {
            Result r = run(role, "--container-runtime", missing);
            assertThat(r.exit()).as(role).isEqualTo(2);
            assertThat(r.err()).as(role).contains("--container-runtime: " + missing + " was not found on this machine")
                    .contains("apt-get install crun").contains("--container-runtime runc");
        }
    }

    @Test
    void anUnknownRuntimeIsRefused() {
        Result r = run("agent", "--container-runtime", "docker");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown container runtime 'docker': use runc or crun");
    }

    private Result run(String role, String... options) {
        CommandLine cli = CapstanCli.commandLine();
        cli.addSubcommand("dev", new DevCommand());
        cli.addSubcommand("agent", new AgentCommand());
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        String[] common = role.equals("agent")
                ? new String[] {"agent", "--servers", "http://127.0.0.1:1", "--name", "n1", "--data", tmp.resolve("a").toString()}
                : new String[] {"dev", "--data", tmp.resolve("d").toString(), "--api-port", "1", "--raft-port", "2"};
        String[] args = new String[common.length + options.length];
        System.arraycopy(common, 0, args, 0, common.length);
        System.arraycopy(options, 0, args, common.length, options.length);
        return new Result(cli.execute(args), err.toString());
    }

    private record Result(int exit, String err) {
    }
}
