package io.capstan.state;

/** Why a command cannot be applied; {@code code} maps to an HTTP status at the API. */
public record Rejection(Code code, String message) {

    /** The kinds of rejection an API client can tell apart. */
    public enum Code {
        NOT_FOUND, ALREADY_EXISTS, INVALID, CONFLICT, IN_USE,
        /** Applying failed unexpectedly (a bug); the state was left as it was, the same on every server. */
        INTERNAL
    }

    public static Rejection notFound(String message) {
        return new Rejection(Code.NOT_FOUND, message);
    }

    public static Rejection exists(String message) {
        return new Rejection(Code.ALREADY_EXISTS, message);
    }

    public static Rejection invalid(String message) {
        return new Rejection(Code.INVALID, message);
    }

    public static Rejection conflict(String message) {
        return new Rejection(Code.CONFLICT, message);
    }

    public static Rejection inUse(String message) {
        return new Rejection(Code.IN_USE, message);
    }

    public static Rejection internal(String message) {
        return new Rejection(Code.INTERNAL, message);
    }
}
