package io.capstan.state;

/**
 * The outcome of one command: applied at {@code index} (a placement plan possibly in part: {@code refused}
 * of its placements no longer fitted, and {@code message} says why), or rejected with a code and a message
 * naming the fix.
 */
public record CommandResult(boolean applied, long index, Rejection.Code code, String message, int refused) {

    public static CommandResult applied(long index) {
        return new CommandResult(true, index, null, null, 0);
    }

    public static CommandResult appliedInPart(long index, int refused, String why) {
        return new CommandResult(true, index, null, why, refused);
    }

    public static CommandResult rejected(long index, Rejection rejection) {
        return new CommandResult(false, index, rejection.code(), rejection.message(), 0);
    }
}
