package creditline.app;

/**
 * The program could not start for a reason outside it (the database cannot be opened, the port is
 * taken): the command line prints the message, not a stack trace.
 */
final class CannotStart extends RuntimeException {
    CannotStart(String what, Throwable cause) {
        super(what + ": " + rootMessage(cause), cause);
    }

    /** The message of the innermost cause that has one (a driver's "Connection refused", not its wrapper's). */
    private static String rootMessage(Throwable t) {
        String message = t.getMessage();
        for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) {
            if (c.getMessage() != null) message = c.getMessage();
            t = c;
        }
        return message == null ? t.getClass().getSimpleName() : message;
    }
}
