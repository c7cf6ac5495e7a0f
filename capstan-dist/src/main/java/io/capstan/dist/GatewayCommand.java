package io.capstan.dist;

import io.capstan.cli.Converters;
import io.capstan.gateway.Gateway;
import io.capstan.gateway.GatewayConfig;
import io.capstan.model.LoadBalancing;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code capstan gateway}: the naming-aware reverse proxy in front of the cluster's services. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Reverse-proxy http://HOST:PORT/App/Service/path?PartitionKey=K to a live endpoint of that service.")
public final class GatewayCommand implements Callable<Integer> {

    @Option(names = "--servers", required = true, split = ",", description = "Server API URLs, comma-separated.")
    String[] servers;

    @Option(names = "--port", defaultValue = "19081", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--address", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--load-balancing", defaultValue = "least-requests",
            description = "round-robin or least-requests, for services whose manifest says no loadBalancing (default: ${DEFAULT-VALUE}).")
    String loadBalancing;

    @Option(names = "--service-load-balancing", paramLabel = "APP/SVC=POLICY",
            description = "The load balancing of one service, over its manifest's, e.g. Shop/Cart=round-robin; repeatable.")
    Map<String, String> perService;

    @Option(names = "--timeout", converter = Converters.Timeout.class, defaultValue = "60s",
            description = "Time to a response head when a request gives no Timeout (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--watch-idle", converter = Converters.Timeout.class, defaultValue = "10m",
            description = "Stop watching a service after this long without a request (default: ${DEFAULT-VALUE}).")
    Duration watchIdle;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A file holding an ACL token (role read) for a cluster run with --acl.")
    java.nio.file.Path tokenFile;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        java.util.List<URI> urls = Arrays.stream(servers).map(String::trim).map(URI::create).toList();
        Gateway gateway = new Gateway(config(urls, address, port, loadBalancing, perService, timeout, watchIdle),
                new io.capstan.gateway.NamingClient(urls, SecretFiles.read(spec, "--token-file", tokenFile)));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "capstan-gateway-shutdown"));
        int bound = gateway.start();
        System.out.println("Capstan gateway listening on http://" + address + ":" + bound);
        System.out.flush();
        stopped.await();
        return 0;
    }

    static GatewayConfig config(java.util.List<URI> servers, String address, int port, String loadBalancing,
            Map<String, String> perService, Duration timeout, Duration watchIdle) {
        Map<String, LoadBalancing> services = new LinkedHashMap<>();
        if (perService != null) {
            perService.forEach((svc, policy) -> services.put(io.capstan.model.ServiceName.parse(svc).shortName(),
                    LoadBalancing.parse(policy)));
        }
        GatewayConfig d = GatewayConfig.defaults(servers, port);
        return new GatewayConfig(servers, address, port, LoadBalancing.parse(loadBalancing), services, timeout,
                d.retry(), d.breaker(), 0, watchIdle);
    }
}
