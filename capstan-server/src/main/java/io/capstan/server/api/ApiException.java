package io.capstan.server.api;

import java.util.List;

/** A request the API refuses: the HTTP status, a machine-readable code, and a message naming the field and fix. */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final List<String> problems;

    public ApiException(int status, String code, String message, List<String> problems) {
        super(message);
        this.status = status;
        this.code = code;
        this.problems = problems == null ? List.of() : List.copyOf(problems);
    }

    public ApiException(int status, String code, String message) {
        this(status, code, message, List.of());
    }

    public static ApiException invalid(String message) {
        return new ApiException(400, "INVALID", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "NOT_FOUND", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<String> problems() {
        return problems;
    }
}
