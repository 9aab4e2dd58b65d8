package creditline.store;

import creditline.analytics.BudgetUpload;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bulk budget upload against the database: checked against the org, applied in one transaction. */
final class BudgetCsv {
    private static final Logger log = LoggerFactory.getLogger(BudgetCsv.class);

    private BudgetCsv() {}

    static BudgetUpload.Report check(Connection c, String orgId, BudgetUpload.Parsed parsed) throws SQLException {
        Set<String> members = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT member_id FROM members WHERE org_id = ?")) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) members.add(rs.getString(1));
            }
        }
        Map<String, Long> overrides = new HashMap<>();
        Enforcement.overrides(c, orgId).forEach((member, o) -> overrides.put(member, o.creditsMicros()));
        return BudgetUpload.check(parsed, new BudgetUpload.OrgState(members, Enforcement.budgets(c, orgId).org().creditsMicros(), overrides));
    }

    /** Sets or clears every row's override, in the caller's transaction, logging progress. */
    static void apply(Connection tx, String orgId, List<BudgetUpload.Row> changes, Instant now) throws SQLException {
        try (PreparedStatement put = tx.prepareStatement(Enforcement.PUT_OVERRIDE);
             PreparedStatement clear = tx.prepareStatement(Enforcement.DELETE_OVERRIDE)) {
            int done = 0;
            for (BudgetUpload.Row row : changes) {
                if (row.clear()) {
                    clear.setString(1, orgId);
                    clear.setString(2, row.user());
                    clear.addBatch();
                } else {
                    Enforcement.bindPutOverride(put, orgId, row.user(), row.creditsMicros(), now);
                    put.addBatch();
                }
                if (++done % BudgetUpload.PROGRESS_ROWS == 0) {
                    put.executeBatch();
                    clear.executeBatch();
                    log.info("budget CSV for org {}: {} of {} rows applied", orgId, done, changes.size());
                }
            }
            put.executeBatch();
            clear.executeBatch();
        }
    }
}
