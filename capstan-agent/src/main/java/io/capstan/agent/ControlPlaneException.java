package io.capstan.agent;

import java.io.IOException;

/** A server answered, but not with success: the HTTP status and the server's error message. */
public final class ControlPlaneException extends IOException {

    private final int status;

    public ControlPlaneException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
