package io.capstan.cli;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;

/**
 * What commands take from the outside world: how to reach a server, the clock deadlines are measured
 * on, and how to pause (only when a server omits {@code X-Capstan-Index}). Tests swap these for fakes.
 */
public record CliContext(Function<URI, Transport> transports, Clock clock, Pauser pauser) {

    /** The real thing: HTTP, the system clock, Thread.sleep. */
    public static CliContext system() {
        return new CliContext(HttpTransport::new, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
    }

    @FunctionalInterface
    public interface Pauser {
        void pause(Duration d) throws InterruptedException;
    }
}
