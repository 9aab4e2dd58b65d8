package creditline.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The SQLite file of {@code creditline demo}, which starts from a fresh database at every run. Its
 * own file ({@code demo.db} in the data dir) is deleted and made again; a file named by
 * {@code CREDITLINE_DB} only when an earlier demo made it (a marker file beside it says so), so
 * that pointing the demo at a real database cannot delete it.
 */
final class DemoFile {
    private DemoFile() {}

    /** The marker beside a database the demo made. */
    static Path marker(Path db) {
        return Path.of(db + ".demo");
    }

    /** Deletes the earlier demo database at {@code db}, if any, and marks the file as the demo's. */
    static void startAfresh(Path db, boolean ownFile) throws IOException {
        if (!ownFile && Files.exists(db) && !Files.exists(marker(db))) {
            throw new Config.Invalid("CREDITLINE_DB names " + db + ", a database that creditline demo did not make; the demo starts"
                    + " from a fresh database and deletes the old one, so it will not use this one: unset CREDITLINE_DB (the demo then"
                    + " uses demo.db in CREDITLINE_DATA_DIR) or name a new file");
        }
        for (String suffix : new String[] {"", "-wal", "-shm"}) Files.deleteIfExists(Path.of(db + suffix));
        Path parent = db.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(marker(db), "made by creditline demo, which deletes this database and makes it again at every run\n");
    }
}
