package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.testing.Databases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer's log on SQLite, with small sizes: passive checkpoints (SQLite's automatic ones)
 * that a reader in the log keeps from finishing let the log grow without end; the writer's
 * {@link WriteAheadLog} starts it again and the file is cut back to its limit.
 */
class WriteAheadLogTest {
    private static final int LIMIT_PAGES = 64;
    private static final int RETRY_GROWTH_PAGES = 32;
    private static final long FRAME_BYTES = 4_096 + 24;
    private static final long LIMIT_BYTES = LIMIT_PAGES * FRAME_BYTES;
    private static final long LOG_HEADER_BYTES = 32;

    private String location;
    private Path logFile;
    private int rows;

    @BeforeEach
    void freshDatabase() {
        location = Databases.freshSqlite();
        logFile = Path.of(location.substring("sqlite:".length()) + "-wal");
        rows = 0;
    }

    /**
     * Readers come and go, one in the log at every commit (as request threads during ingest):
     * alone, the log grows with every commit; with the writer's restarts it stays near its limit.
     */
    @Test
    void aLogThatReadersKeepFromStartingAgainIsStartedAgainAndCutBack() throws Exception {
        assertThat(largestLogDuring(200, false)).isGreaterThan(3 * LIMIT_BYTES);
        freshDatabase();
        assertThat(largestLogDuring(200, true)).as("the limit and the commit that went past it")
                .isLessThanOrEqualTo(LOG_HEADER_BYTES + LIMIT_BYTES + 4 * FRAME_BYTES);
    }

    /** A reader that stays (an export) is not waited for at every commit, only once the log grew by the retry step. */
    @Test
    void aReaderThatStaysIsNotWaitedForAtEveryCommit() throws Exception {
        try (Database db = Database.open(location); Connection writer = writer(db); Connection reader = db.openReaderConnection()) {
            WriteAheadLog wal = WriteAheadLog.of(writer, LIMIT_PAGES, RETRY_GROWTH_PAGES);
            insertPages(writer, 1);
            startReading(reader);
            while (Files.size(logFile) <= LIMIT_BYTES) {
                insertPages(writer, 8);
                if (Files.size(logFile) <= LIMIT_BYTES) assertThat(wal.afterCommit(writer)).isFalse();
            }
            assertThat(wal.afterCommit(writer)).as("tried, the reader stays").isTrue();
            long failedAt = Files.size(logFile);
            insertPages(writer, RETRY_GROWTH_PAGES / 2);
            assertThat(wal.afterCommit(writer)).as("not again before the log grew by the retry step").isFalse();
            insertPages(writer, RETRY_GROWTH_PAGES);
            assertThat(Files.size(logFile)).isGreaterThan(failedAt + RETRY_GROWTH_PAGES * FRAME_BYTES);
            endReading(reader);
            assertThat(wal.afterCommit(writer)).as("tried again; the reader has left").isTrue();
            insertPages(writer, 1);
            assertThat(Files.size(logFile)).as("started again from its beginning and cut back").isLessThanOrEqualTo(LIMIT_BYTES);
            assertThat(wal.afterCommit(writer)).isFalse();
        }
    }

    /** The largest size of the log file over the rounds: in each, a reader enters the log, the writer commits, the reader leaves. */
    private long largestLogDuring(int rounds, boolean restarts) throws Exception {
        long largest = 0;
        try (Database db = Database.open(location); Connection writer = writer(db); Connection reader = db.openReaderConnection()) {
            WriteAheadLog wal = WriteAheadLog.of(writer, LIMIT_PAGES, RETRY_GROWTH_PAGES);
            insertPages(writer, 1);
            for (int i = 0; i < rounds; i++) {
                startReading(reader);
                insertPages(writer, 1);
                endReading(reader);
                if (restarts) wal.afterCommit(writer);
                largest = Math.max(largest, Files.size(logFile));
            }
            try (Statement s = writer.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM pages")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(rows);
            }
        }
        return largest;
    }

    /** The writer's connection, with SQLite's automatic (passive) checkpoints after every 16 pages and the file's size limit. */
    private static Connection writer(Database db) throws SQLException {
        Connection c = db.openWriterConnection();
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA wal_autocheckpoint = 16");
            s.execute("PRAGMA journal_size_limit = " + LIMIT_BYTES);
            s.execute("CREATE TABLE IF NOT EXISTS pages (k INTEGER PRIMARY KEY, v BLOB)");
        }
        return c;
    }

    /** One commit of rows about a page each. */
    private void insertPages(Connection writer, int pages) throws SQLException {
        try (Statement s = writer.createStatement(); PreparedStatement ps = writer.prepareStatement("INSERT INTO pages (v) VALUES (?)")) {
            s.execute("BEGIN IMMEDIATE");
            for (int i = 0; i < pages; i++) {
                ps.setBytes(1, new byte[3_900]);
                ps.executeUpdate();
                rows++;
            }
            s.execute("COMMIT");
        }
    }

    private static void startReading(Connection reader) throws SQLException {
        try (Statement s = reader.createStatement()) {
            s.execute("BEGIN");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pages")) {
                rs.next();
            }
        }
    }

    private static void endReading(Connection reader) throws SQLException {
        try (Statement s = reader.createStatement()) {
            s.execute("COMMIT");
        }
    }
}
