package creditline.store;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * A database error (not an operating error of the caller). {@link #unavailable()}: the database
 * could not be reached, dropped the connection, or has no room — a condition of the deployment
 * that passes, not a fault of the request; the API answers 503. {@link #outcomeUnknown()}: the
 * connection was lost while a write was committing, so it may or may not have been applied.
 * Otherwise the read or write did not happen.
 */
public final class StoreFailure extends RuntimeException {
    private final boolean unavailable;
    private final boolean outcomeUnknown;

    public StoreFailure(SQLException cause) {
        this(cause, false);
    }

    StoreFailure(SQLException cause, boolean outcomeUnknown) {
        super(cause.getMessage(), cause);
        this.unavailable = unavailable(cause);
        this.outcomeUnknown = outcomeUnknown;
    }

    public boolean unavailable() {
        return unavailable;
    }

    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }

    /** The database's message without the lines drivers add after it (hints, positions): for one log line. */
    public String firstLine() {
        return firstLine(getCause() instanceof SQLException e ? e : null);
    }

    static String firstLine(SQLException e) {
        String m = e == null ? "" : String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /**
     * Whether the error is the database's state rather than the statement's: a lost or refused
     * connection (SQLSTATE class 08), the server shutting down or not accepting connections
     * (57P01–57P03), out of disk, memory or connections (class 53), no connection from the pool in
     * time; SQLite's file full, an I/O error, locked by another process, not openable.
     */
    static boolean unavailable(SQLException e) {
        if (e instanceof SQLTransientConnectionException) return true;
        if (e instanceof org.sqlite.SQLiteException se) {
            int primary = se.getResultCode().code & 0xff;
            return primary == org.sqlite.SQLiteErrorCode.SQLITE_FULL.code || primary == org.sqlite.SQLiteErrorCode.SQLITE_IOERR.code
                    || primary == org.sqlite.SQLiteErrorCode.SQLITE_BUSY.code || primary == org.sqlite.SQLiteErrorCode.SQLITE_CANTOPEN.code;
        }
        String state = e.getSQLState();
        if (state == null) return false;
        return state.startsWith("08") || state.startsWith("53") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03");
    }
}
