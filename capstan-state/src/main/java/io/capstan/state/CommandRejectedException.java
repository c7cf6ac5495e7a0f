package io.capstan.state;

/**
 * A command the leader refused before appending it to the log, because it does not fit the newest state;
 * travels back to the submitter inside Ratis's reply.
 */
public final class CommandRejectedException extends RuntimeException {

    /** Marks the rejection in the text of the exception, which is what survives Ratis's reply. */
    static final String MARKER = "capstan-rejection:";

    private final Rejection.Code code;

    public CommandRejectedException(Rejection rejection) {
        super(MARKER + rejection.code() + ":" + rejection.message());
        this.code = rejection.code();
    }

    public Rejection rejection() {
        String text = getMessage();
        return new Rejection(code, text.substring(text.indexOf(':', MARKER.length()) + 1));
    }

    /** The rejection carried in an exception's text (or its causes'), or null when there is none. */
    public static Rejection find(Throwable t) {
        for (Throwable x = t; x != null; x = x.getCause()) {
            if (x instanceof CommandRejectedException r) {
                return r.rejection();
            }
            String text = x.getMessage();
            int at = text == null ? -1 : text.indexOf(MARKER);
            if (at >= 0) {
                String rest = text.substring(at + MARKER.length());
                int colon = rest.indexOf(':');
                try {
                    return new Rejection(Rejection.Code.valueOf(rest.substring(0, colon)), rest.substring(colon + 1));
                } catch (RuntimeException e) {
                    return Rejection.invalid(rest);
                }
            }
        }
        return null;
    }
}
