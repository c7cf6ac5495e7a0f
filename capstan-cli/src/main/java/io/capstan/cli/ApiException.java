package io.capstan.cli;

import java.util.List;

/**
 * The server answered with an error: {@code {"error": {"code": "...", "message": "...", "problems": [...]}}}.
 * Carries the HTTP status, the machine-readable code, the message and (for manifest errors) the problems.
 */
public final class ApiException extends CliException {

    private final int status;
    private final String code;

    public ApiException(int status, String code, String message, List<String> problems) {
        super(message, problems);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    /** {@code INVALID}, {@code NOT_FOUND}, {@code CONFLICT}, ... or {@code HTTP_<status>} when the body had none. */
    public String code() {
        return code;
    }
}
