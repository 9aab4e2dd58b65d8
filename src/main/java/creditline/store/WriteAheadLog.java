package creditline.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQLite: keeps the write-ahead log the writer appends to from growing without end.
 *
 * <p>SQLite's automatic checkpoint (after a commit, once the log holds
 * {@link Database#WRITER_CHECKPOINT_PAGES} pages) is passive: it copies into the database file
 * only the pages no reader may still need from the log, and the log starts again from its
 * beginning only once all of it was copied. Under a steady flow of reads, one was nearly always
 * in the log at a checkpoint, and during ingest the log grew to hundreds of MiB: every commit
 * appended to new blocks of the file, which the kernel zeroes before writing (a quarter of the
 * writer's CPU), and every page read looked through a longer log index.
 *
 * <p>So after each commit the writer looks at the log file's size. Beyond {@link #LIMIT_PAGES}
 * pages (twice the checkpoint's interval, which a log that starts again at each checkpoint stays
 * under) it runs a RESTART checkpoint: everything copied, waiting up to {@link #WAIT_MS} ms for
 * the readers still in the log to finish, so that the next commit starts the log from its
 * beginning. The connection's {@code journal_size_limit} (set by {@link Database}) then cuts the
 * file back to the limit. When a reader stays longer (an export), the checkpoint does what it
 * can; the next try waits until the log has grown by another checkpoint interval.
 */
final class WriteAheadLog {
    private static final Logger log = LoggerFactory.getLogger(WriteAheadLog.class);
    /** Log pages beyond which a restart is forced; also the file's size limit ({@code journal_size_limit}). */
    static final int LIMIT_PAGES = 2 * Database.WRITER_CHECKPOINT_PAGES;
    /** How long a forced restart waits for readers in the log (the writer waits meanwhile). */
    static final int WAIT_MS = 20;
    /** Each page in the log is preceded by a 24-byte frame header. */
    private static final int FRAME_HEADER_BYTES = 24;

    private final Path file;
    private final long limitBytes;
    /** After a restart that readers prevented, the next try waits until the log has grown by this much. */
    private final long retryGrowthBytes;
    private long tryAboveBytes;

    private WriteAheadLog(Path file, long pageSize, int limitPages, int retryGrowthPages) {
        long frameBytes = pageSize + FRAME_HEADER_BYTES;
        this.file = file;
        this.limitBytes = limitPages * frameBytes;
        this.retryGrowthBytes = retryGrowthPages * frameBytes;
        this.tryAboveBytes = limitBytes;
    }

    /** The log of the writer's database; null for a database without a file (in memory). */
    static WriteAheadLog of(Connection writer) throws SQLException {
        return of(writer, LIMIT_PAGES, Database.WRITER_CHECKPOINT_PAGES);
    }

    /** The same, with other sizes (tests). */
    static WriteAheadLog of(Connection writer, int limitPages, int retryGrowthPages) throws SQLException {
        String dbFile = null;
        long pageSize;
        try (Statement s = writer.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA database_list")) {
                while (rs.next()) if ("main".equals(rs.getString("name"))) dbFile = rs.getString("file");
            }
            try (ResultSet rs = s.executeQuery("PRAGMA page_size")) {
                rs.next();
                pageSize = rs.getLong(1);
            }
        }
        return dbFile == null || dbFile.isEmpty() ? null : new WriteAheadLog(Path.of(dbFile + "-wal"), pageSize, limitPages, retryGrowthPages);
    }

    /** The size limit of the log file for {@code PRAGMA journal_size_limit}, for the default page size of 4 KiB. */
    static long defaultLimitBytes() {
        return LIMIT_PAGES * (4_096L + FRAME_HEADER_BYTES);
    }

    /**
     * After a commit of the writer (outside a transaction): forces the log to start again if it
     * outgrew its limit. Never fails: the commit is done; a checkpoint that fails is logged.
     *
     * @return whether a restart was tried
     */
    boolean afterCommit(Connection writer) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return false; // not there yet, or gone with the last connection: nothing to bound
        }
        if (size <= tryAboveBytes) return false;
        try (Statement s = writer.createStatement()) {
            int busyTimeout;
            try (ResultSet rs = s.executeQuery("PRAGMA busy_timeout")) {
                rs.next();
                busyTimeout = rs.getInt(1);
            }
            boolean restarted;
            s.execute("PRAGMA busy_timeout = " + WAIT_MS);
            try (ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(RESTART)")) {
                rs.next();
                restarted = rs.getInt(1) == 0;
            } finally {
                s.execute("PRAGMA busy_timeout = " + busyTimeout);
            }
            tryAboveBytes = restarted ? limitBytes : size + retryGrowthBytes;
            if (!restarted) log.info("the write-ahead log ({} MiB) could not start again: a reader stayed in it longer than {} ms", size >> 20, WAIT_MS);
        } catch (SQLException e) {
            log.warn("a checkpoint to start the write-ahead log again failed: {}", e.getMessage());
        }
        return true;
    }
}
