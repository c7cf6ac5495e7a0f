package io.capstan.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Versions of a small application type for upgrade tests, written as package folders: a stateless web service
 * (SharedProcess, one instance per node, a Python HTTP server with readiness and liveness probes) and a stateful
 * store (ExclusiveProcess, 3 replicas, min 2, a shell host). Each version is the same type with another version
 * string and, per {@link Web}, another web package.
 */
final class UpgradeTestApp {

    static final String TYPE = "UpType";

    /** The web package of a version: a good one, one that exits at once, or one whose liveness probe fails. */
    enum Web { GOOD, EXITS, FAILS_LIVENESS }

    private UpgradeTestApp() {
    }

    /** The state of {@code domain} in an upgrade status answer ("" when it is not in the walk). */
    static String domainState(com.fasterxml.jackson.databind.JsonNode upgrade, String domain) {
        for (var d : upgrade.path("domains")) {
            if (d.path("name").asText().equals(domain)) {
                return d.path("state").asText();
            }
        }
        return "";
    }

    /** Writes version {@code version} under {@code root}; the web package's version is {@code webVersion}. */
    static Path write(Path root, String version, String webVersion, String greetingDefault, Web web) throws IOException {
        return write(root, version, webVersion, greetingDefault, web, "1.0.0", "color=blue");
    }

    /**
     * As {@link #write(Path, String, String, String, Web)}, with the store's config package Settings at
     * {@code settingsVersion} holding {@code settings.txt} = {@code settings}. The store reloads it on SIGHUP (its
     * {@code onConfigChange}) and appends what it read to {@code reloads.log} in its working directory.
     */
    static Path write(Path root, String version, String webVersion, String greetingDefault, Web web, String settingsVersion,
                      String settings) throws IOException {
        Path dir = root.resolve(TYPE + "-" + version);
        Path webCode = Files.createDirectories(dir.resolve("WebPackage/WebCode"));
        Files.writeString(webCode.resolve("web.py"), """
                import http.server, os, socketserver
                port = int(os.environ["CAPSTAN_ENDPOINT_WEB_PORT"])
                class Handler(http.server.BaseHTTPRequestHandler):
                    def do_GET(self):
                        body = os.environ.get("GREETING", "").encode()
                        self.send_response(200 if self.path in ("/", "/healthz") else 500)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    def log_message(self, *args):
                        pass
                socketserver.ThreadingTCPServer.allow_reuse_address = True
                socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler).serve_forever()
                """);
        Path storeCode = Files.createDirectories(dir.resolve("StorePackage/StoreCode"));
        Files.writeString(storeCode.resolve("store.sh"), """
                trap 'exit 0' TERM INT
                trap 'cat "$CAPSTAN_CONFIG_SETTINGS_DIR/settings.txt" >> reloads.log' HUP
                while :; do sleep 3600 & wait $!; done
                """);
        Path settingsDir = Files.createDirectories(dir.resolve("StorePackage/Settings"));
        Files.writeString(settingsDir.resolve("settings.txt"), settings + "\n");
        String process = switch (web) {
            case GOOD, FAILS_LIVENESS -> "{command: python3, args: [web.py], env: {GREETING: \"[Greeting]\", PYTHONUNBUFFERED: \"1\"}}";
            case EXITS -> "{command: /bin/sh, args: [-c, \"exit 3\"]}";
        };
        String livenessPath = web == Web.FAILS_LIVENESS ? "/broken" : "/healthz";
        Files.writeString(dir.resolve("capstan-app.yaml"), """
                applicationType: %s
                version: %s
                parameters:
                  Greeting: "%s"
                servicePackages:
                  - name: WebPackage
                    version: %s
                    serviceTypes:
                      - {name: WebType, kind: stateless, codePackage: WebCode}
                    codePackages:
                      - name: WebCode
                        version: %s
                        process: %s
                        resources: {cpu: 0.5, memoryMiB: 64}   # the cpu is a cgroup limit: Python needs room to start
                        drainTimeout: 0s
                        probes:
                          startup: {tcp: {endpoint: web}, period: 200ms, failureThreshold: 150}
                          readiness: {http: {endpoint: web, path: /healthz}, period: 200ms}
                          liveness: {http: {endpoint: web, path: %s}, period: 300ms, failureThreshold: 2}
                    endpoints:
                      - {name: web, protocol: http}
                  - name: StorePackage
                    version: 1.0.0
                    serviceTypes:
                      - {name: StoreType, kind: stateful, codePackage: StoreCode}
                    codePackages:
                      - name: StoreCode
                        version: 1.0.0
                        process: {command: /bin/sh, args: [store.sh]}
                        resources: {cpu: 0.01, memoryMiB: 16}
                        onConfigChange: {signal: HUP}
                    configPackages:
                      - {name: Settings, version: %s}
                defaultServices:
                  - {name: Web, serviceType: WebType, activation: SharedProcess, instanceCount: -1}
                  - {name: Store, serviceType: StoreType, activation: ExclusiveProcess, partitions: {scheme: Singleton},
                     targetReplicaSetSize: 3, minReplicaSetSize: 2}
                """.formatted(TYPE, version, greetingDefault, webVersion, webVersion, process, livenessPath, settingsVersion));
        return dir;
    }
}
