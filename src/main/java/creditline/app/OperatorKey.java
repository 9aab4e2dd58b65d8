package creditline.app;

import creditline.auth.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The first operator key: from configuration, else generated once and kept in the data dir. */
final class OperatorKey {
    static final String FILE_NAME = "operator.key";

    private OperatorKey() {}

    /** The key and whether it was just generated (then, and only then, it is printed). */
    record Resolved(String key, boolean generated, Path file) {}

    static Resolved resolve(Config config) throws IOException {
        if (config.operatorKey() != null) return new Resolved(config.operatorKey(), false, null);
        Path file = config.dataDir().resolve(FILE_NAME);
        if (Files.exists(file)) return new Resolved(Files.readString(file, StandardCharsets.UTF_8).strip(), false, file);
        Files.createDirectories(config.dataDir());
        String key = Keys.generate().secret().replaceFirst("^cl_", "cl_op");
        Path tmp = config.dataDir().resolve(FILE_NAME + ".tmp");
        Files.writeString(tmp, key + "\n", StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system; the file keeps the directory's permissions
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new Resolved(key, true, file);
    }
}
