package creditline.api.http;

import creditline.analytics.BudgetUpload;
import creditline.analytics.Csv;
import creditline.auth.Member;
import creditline.common.Failure;
import creditline.store.Store;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bulk budget CSV ({@link BudgetUpload} has the format and rules): {@code GET} the template
 * with every member and their current override, {@code POST} a file ({@code dryRun=true} for the
 * report only). A real upload applies every row in one transaction, or nothing when the file has
 * an error ({@code 400 CSV_INVALID} with the report in {@code details}); a file that is not UTF-8
 * is such an error, with its report like any other.
 */
final class BudgetCsvRoutes {
    private static final Logger log = LoggerFactory.getLogger(BudgetCsvRoutes.class);

    private final Store store;
    private final Authenticator auth;

    BudgetCsvRoutes(Store store, Authenticator auth) {
        this.store = store;
        this.auth = auth;
    }

    void register(HttpRouting.Builder r) {
        r.get("/v1/orgs/{orgId}/budgets/members.csv", this::template)
                .post("/v1/orgs/{orgId}/budgets/members.csv", this::upload);
    }

    private void template(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        Http.onlyParams(req, Set.of());
        List<String> members = store.members(orgId).stream().map(Member::memberId).toList();
        StringBuilder csv = new StringBuilder(32 * (members.size() + 1));
        try {
            BudgetUpload.writeTemplate(csv, members, store.budgetOverrides(orgId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AnalyticsRoutes.attachment(res, Csv.MEDIA_TYPE, AnalyticsRoutes.filename(orgId, "member-budgets", null, "csv"));
        res.send(csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void upload(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        Http.onlyParams(req, Set.of("dryRun"));
        String dry = Http.query(req, "dryRun");
        if (dry != null && !dry.equals("true") && !dry.equals("false")) throw Failure.invalid("dryRun", "dryRun must be true or false, got '" + dry + "'");
        boolean dryRun = "true".equals(dry);
        BudgetUpload.Parsed parsed = BudgetUpload.parse(Http.body(req), rows -> log.info("budget CSV for org {}: {} rows read", orgId, rows));
        BudgetUpload.Report report = store.uploadBudgets(orgId, parsed, dryRun);
        boolean applied = !dryRun && report.ok();
        log.info("budget CSV for org {}: {} rows, {} changes, {} warnings, {} errors, {}", orgId, report.rows(), report.changes().size(),
                report.warningCount(), report.errorCount(), applied ? "applied" : dryRun ? "dry run" : "nothing applied");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dryRun", dryRun);
        body.put("rows", report.rows());
        body.put("changes", report.changes().size());
        body.put("applied", applied ? report.changes().size() : 0);
        body.put("warnings", issues(report.warnings()));
        body.put("warningCount", report.warningCount());
        body.put("errors", issues(report.errors()));
        body.put("errorCount", report.errorCount());
        if (!dryRun && !report.ok()) {
            throw new Failure(Failure.Kind.INVALID, "CSV_INVALID", "the file has " + report.errorCount() + " error(s) (the first on line "
                    + report.errors().get(0).line() + ": " + report.errors().get(0).message() + "); nothing was applied", body);
        }
        Http.ok(res, body);
    }

    private static List<Object> issues(List<BudgetUpload.Issue> issues) {
        List<Object> out = new ArrayList<>(issues.size());
        for (BudgetUpload.Issue i : issues) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("line", i.line());
            m.put("user", i.user());
            m.put("message", i.message());
            out.add(m);
        }
        return out;
    }
}
