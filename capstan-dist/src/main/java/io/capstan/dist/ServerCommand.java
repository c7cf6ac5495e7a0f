package io.capstan.dist;

import io.capstan.cli.Converters;
import io.capstan.server.CapstanServer;
import io.capstan.server.ServerConfig;
import io.capstan.state.ratis.RaftMembership;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code capstan server}: one control-plane member (one, three or five of them form the Raft group). */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run a control-plane server. Without --peers it is a one-server group.")
public final class ServerCommand implements Callable<Integer> {

    @Option(names = "--name", defaultValue = "s1", description = "This server's id in the Raft group (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--raft-address", defaultValue = "127.0.0.1:19082", description = "host:port for Raft (default: ${DEFAULT-VALUE}).")
    String raftAddress;

    @Option(names = "--peers", description = "Every member as id=host:port, comma-separated, including this one.")
    String peers;

    @Option(names = "--join", description = "This server is new to a running group (the other --peers): start with no"
            + " configuration of its own and wait until a member adds it with `capstan cluster members add`.")
    boolean join;

    @Option(names = "--api-port", defaultValue = "19080", description = "REST API port (default: ${DEFAULT-VALUE}).")
    int apiPort;

    @Option(names = "--api-host", defaultValue = "127.0.0.1", description = "REST API address (default: ${DEFAULT-VALUE}).")
    String apiHost;

    @Option(names = "--data", description = "Data directory (default: ~/.capstan/server-<name>).")
    Path data;

    @Option(names = "--node-down-after", converter = Converters.Timeout.class, defaultValue = "3s",
            description = "Mark a node Down after this long without a heartbeat (default: ${DEFAULT-VALUE}).")
    Duration nodeDownAfter;

    @Option(names = "--max-request-size", converter = Converters.ByteSize.class, defaultValue = "4GiB",
            description = "Largest request body accepted, e.g. an application package (default: ${DEFAULT-VALUE}).")
    long maxRequestBytes;

    @Option(names = "--no-event-log", description = "Do not print cluster events (and the audit trail) as JSON lines on standard output.")
    boolean noEventLog;

    @Option(names = "--acl", description = "Require an ACL token (X-Capstan-Token) on every API call; create the first"
            + " with `capstan acl bootstrap`.")
    boolean acl;

    @Option(names = "--cluster-secret-file", paramLabel = "FILE", description = "With --acl and several servers: a file"
            + " holding a secret, the same on every server, with which servers copy packages to each other.")
    Path clusterSecretFile;

    @Option(names = "--insecure", description = "Allow an --api-host or Raft address reachable from the network although"
            + " Capstan has no TLS yet (and, without --acl, no authentication); printed as a warning on every start.")
    boolean insecure;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path dir = (data != null ? data : Path.of(System.getProperty("user.home"), ".capstan", "server-" + name)).toAbsolutePath();
        Map<String, String> members = peers == null ? Map.of(name, raftAddress) : RaftMembership.parsePeers(peers);
        RaftMembership founding = new RaftMembership(name, members, dir.resolve("raft"), RaftMembership.DEFAULT_SNAPSHOT_THRESHOLD);
        RaftMembership raft = join ? founding.joiningTheGroup() : founding;
        List<String> exposed = NetworkExposure.exposed(List.of(apiHost,
                java.net.URI.create("tcp://" + raft.raftAddress()).getHost()));
        String refusal = NetworkExposure.refusal(exposed, insecure, acl);
        if (refusal != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), refusal);
        }
        if (!exposed.isEmpty()) {
            System.err.println(NetworkExposure.warning(exposed, acl));
        }
        ServerConfig.AccessSettings access = new ServerConfig.AccessSettings(acl,
                SecretFiles.read(spec, "--cluster-secret-file", clusterSecretFile));
        CapstanServer server = new CapstanServer(new ServerConfig(raft, apiHost, apiPort, dir, null, nodeDownAfter, !noEventLog,
                maxRequestBytes, access));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "capstan-server-shutdown"));
        server.start();
        System.out.println("Capstan server " + name + " ready; API: " + server.apiUrl() + ", Raft: " + raft.raftAddress()
                + (acl ? "; ACLs on (create the first token with `capstan acl bootstrap`)" : ""));
        System.out.flush();
        stopped.await();
        return 0;
    }
}
