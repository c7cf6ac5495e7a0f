package io.capstan.state;

/** The outcome of one command: applied at {@code index}, or rejected with a code and a message naming the fix. */
public record CommandResult(boolean applied, long index, Rejection.Code code, String message) {

    public static CommandResult applied(long index) {
        return new CommandResult(true, index, null, null);
    }

    public static CommandResult rejected(long index, Rejection rejection) {
        return new CommandResult(false, index, rejection.code(), rejection.message());
    }
}
