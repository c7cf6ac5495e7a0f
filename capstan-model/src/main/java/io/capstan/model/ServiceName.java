package io.capstan.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A service's full name, {@code capstan:/App1/ServiceA}; written short as {@code App1/ServiceA}. */
public record ServiceName(String application, String service) implements Comparable<ServiceName> {

    public static final String SCHEME = "capstan:/";

    public ServiceName {
        Names.requireValid("application", application);
        Names.requireValid("service", service);
    }

    /** Parses {@code capstan:/App1/ServiceA} or {@code App1/ServiceA}. */
    @JsonCreator
    public static ServiceName parse(String text) {
        String t = text.startsWith(SCHEME) ? text.substring(SCHEME.length()) : text;
        int slash = t.indexOf('/');
        if (slash <= 0 || slash == t.length() - 1 || t.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("service name '" + text
                    + "' must have the form App/Service (or capstan:/App/Service)");
        }
        return new ServiceName(t.substring(0, slash), t.substring(slash + 1));
    }

    /** The short form used in paths and tables: App1/ServiceA. */
    @JsonValue
    public String shortName() {
        return application + "/" + service;
    }

    public String uri() {
        return SCHEME + shortName();
    }

    @Override
    public String toString() {
        return uri();
    }

    @Override
    public int compareTo(ServiceName o) {
        // Field by field, not by shortName(): state indexes compare names millions of times, without allocating.
        int byApplication = application.compareTo(o.application);
        return byApplication != 0 ? byApplication : service.compareTo(o.service);
    }
}
