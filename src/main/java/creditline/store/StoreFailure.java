package creditline.store;

import java.sql.SQLException;

/** A database error (not an operating error of the caller): the write or read did not happen. */
public final class StoreFailure extends RuntimeException {
    public StoreFailure(SQLException cause) {
        super(cause.getMessage(), cause);
    }
}
