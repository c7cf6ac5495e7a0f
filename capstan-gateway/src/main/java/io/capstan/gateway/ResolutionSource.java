package io.capstan.gateway;

import io.capstan.model.ServiceName;
import io.capstan.model.wire.ServiceResolution;
import java.time.Duration;

/** Where resolutions come from: the naming service, asked with blocking queries. */
public interface ResolutionSource {

    /**
     * The service's resolution, once it differs from the one at {@code afterVersion} (or at once for 0), or the
     * unchanged one after {@code wait}. Throws {@link ServiceNotFound} when the service does not exist.
     */
    ServiceResolution resolve(ServiceName service, long afterVersion, Duration wait) throws java.io.IOException, InterruptedException;

    /** The named service does not exist (the naming service answered 404). */
    final class ServiceNotFound extends java.io.IOException {
        public ServiceNotFound(String message) {
            super(message);
        }
    }
}
