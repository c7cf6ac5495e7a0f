package io.capstan.server.api;

import io.capstan.model.CapstanJson;
import io.capstan.model.wire.ApiError;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.json.JavalinJackson;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The REST API's HTTP server (Javalin on Jetty, virtual threads): routes plus uniform JSON errors. */
public final class ApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    /** An error body with the validation problems, when there are any. */
    public record ErrorBody(Detail error) {
        /** Code, message and the individual problems. */
        public record Detail(String code, String message, List<String> problems) {
        }
    }

    private final Javalin app;

    /**
     * @param maxRequestBytes the largest request body accepted (an application package upload is the largest);
     *                        a larger one is answered 413 naming the server option that sets it
     */
    public ApiServer(String host, int port, long maxRequestBytes, List<Consumer<RoutesConfig>> routeGroups) {
        this.app = Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.http.maxRequestSize = maxRequestBytes;
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.jsonMapper(new JavalinJackson(CapstanJson.newMapper(), true));
            routeGroups.forEach(g -> g.accept(config.routes));
            config.routes.exception(ApiException.class, (e, ctx) -> ctx.status(e.status()).json(new ErrorBody(
                    new ErrorBody.Detail(e.code(), e.getMessage(), e.problems().isEmpty() ? null : e.problems()))));
            config.routes.exception(IllegalArgumentException.class, (e, ctx) ->
                    ctx.status(400).json(ApiError.of("INVALID", e.getMessage())));
            // Javalin's own refusals (a body over the limit, a malformed request) get Capstan's error body too.
            config.routes.exception(io.javalin.http.HttpResponseException.class, (e, ctx) -> {
                int status = e.getStatus();
                String message = status == 413
                        ? "the request body is larger than this server accepts (" + maxRequestBytes + " bytes); "
                                + "raise it with `capstan server --max-request-size` (e.g. 8GiB) if it should be allowed"
                        : e.getMessage();
                ctx.status(status).json(ApiError.of(status == 413 ? "TOO_LARGE" : "INVALID", message));
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                ctx.status(500).json(ApiError.of("INTERNAL", e.toString()));
            });
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty()) {
                    ctx.json(ApiError.of("NOT_FOUND", "no such API path: " + ctx.method() + " " + ctx.path()
                            + "; see docs/API.md"));
                }
            });
            for (int status : new int[] {400, 405, 413, 414, 431, 500}) {
                config.routes.error(status, ctx -> {
                    if (ctx.result() == null || ctx.result().isEmpty() || !ctx.result().startsWith("{\"error\"")) {
                        ctx.json(ApiError.of(status == 413 ? "TOO_LARGE" : status == 500 ? "INTERNAL" : "INVALID",
                                "the request was refused (HTTP " + status + ") for " + ctx.method() + " " + ctx.path()
                                        + (status == 413 ? "; it is larger than this server accepts (" + maxRequestBytes
                                        + " bytes, `capstan server --max-request-size`)" : "")));
                    }
                });
            }
        });
    }

    /** Starts listening; returns the bound port (useful with port 0). */
    public int start() {
        app.start();
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
