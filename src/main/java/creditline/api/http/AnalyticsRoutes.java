package creditline.api.http;

import creditline.analytics.Csv;
import creditline.analytics.DateRange;
import creditline.analytics.EventFilter;
import creditline.analytics.MemberQuery;
import creditline.analytics.MemberUsage;
import creditline.analytics.UsageSummary;
import creditline.analytics.UsageTotals;
import creditline.auth.Principal;
import creditline.auth.Role;
import creditline.common.Failure;
import creditline.store.EventExport;
import creditline.store.Store;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import org.apache.commons.csv.CSVPrinter;

/**
 * Usage views and exports: the org's summary, member table (JSON and CSV), model distribution
 * (CSV), the request-level event export (CSV or JSON Lines, streamed), and a member's own usage.
 * Admins (and operators) see their org; a member key sees only its own usage, at {@code /v1/me/usage}.
 */
final class AnalyticsRoutes {
    /** Streamed exports running at once (each holds a database connection); more get 503. */
    static final int EXPORTS_CONCURRENT_MAX = 4;
    private static final int STREAM_BUFFER_BYTES = 64 * 1024;
    private static final Set<String> RANGE = Set.of("from", "to");
    private static final Set<String> MEMBER_TABLE = Set.of("from", "to", "sort", "order", "search", "page", "pageSize");
    private static final Set<String> EXPORT = Set.of("from", "to", "model", "activity", "memberId", "format");

    private final Store store;
    private final Authenticator auth;
    private final Semaphore exports = new Semaphore(EXPORTS_CONCURRENT_MAX);

    AnalyticsRoutes(Store store, Authenticator auth) {
        this.store = store;
        this.auth = auth;
    }

    void register(HttpRouting.Builder r) {
        r.get("/v1/orgs/{orgId}/usage/summary", this::summary)
                .get("/v1/orgs/{orgId}/usage/members", this::members)
                .get("/v1/orgs/{orgId}/usage/members.csv", this::membersCsv)
                .get("/v1/orgs/{orgId}/usage/models.csv", this::modelsCsv)
                .get("/v1/orgs/{orgId}/usage/events", this::events)
                .get("/v1/me/usage", this::myUsage);
    }

    private static DateRange range(ServerRequest req) {
        return DateRange.parse(Http.query(req, "from"), Http.query(req, "to"));
    }

    // ---- views ----

    private void summary(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        Http.onlyParams(req, RANGE);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("orgId", orgId);
        m.putAll(UsageJson.summary(store.usageSummary(orgId, null, range(req))));
        Http.ok(res, m);
    }

    /** A member key's own usage and its monthly budget card. */
    private void myUsage(ServerRequest req, ServerResponse res) {
        Principal p = auth.authenticate(req);
        if (p.role() != Role.MEMBER) throw Authenticator.forbidden("/v1/me/… needs a member key");
        Http.onlyParams(req, RANGE);
        DateRange range = range(req);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("orgId", p.orgId());
        m.put("memberId", p.memberId());
        m.putAll(UsageJson.summary(store.usageSummary(p.orgId(), p.memberId(), range)));
        MemberUsage.Budget b = store.memberBudget(p.orgId(), p.memberId());
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("credits", UsageJson.budgetCredits(b));
        card.put("consumed", Views.credits(b.consumedMicros()));
        card.put("usagePercent", UsageJson.usagePercent(b));
        card.put("enforce", b.enforce());
        card.put("periodStart", b.periodStart().toString());
        card.put("periodEnd", b.periodStart().plusMonths(1).toString());
        m.put("monthlyBudget", card);
        Http.ok(res, m);
    }

    private void members(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        Http.onlyParams(req, MEMBER_TABLE);
        DateRange range = range(req);
        MemberQuery q = memberQuery(req);
        MemberUsage.Page page = store.memberUsage(orgId, range, q);
        List<Object> rows = new ArrayList<>(page.rows().size());
        for (MemberUsage u : page.rows()) rows.add(UsageJson.memberRow(u));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", rows);
        out.put("total", page.total());
        out.put("page", q.page());
        out.put("pageSize", q.pageSize());
        out.put("from", range.from().toString());
        out.put("to", range.to().toString());
        Http.ok(res, out);
    }

    private static MemberQuery memberQuery(ServerRequest req) {
        return MemberQuery.parse(Http.query(req, "sort"), Http.query(req, "order"), Http.query(req, "search"),
                Http.query(req, "page"), Http.query(req, "pageSize"));
    }

    // ---- CSV and streamed exports ----

    private void membersCsv(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        Http.onlyParams(req, Set.of("from", "to", "sort", "order", "search"));
        DateRange range = range(req);
        MemberQuery q = memberQuery(req);
        streamed(res, () -> {
            Stream out = new Stream(res, Csv.MEDIA_TYPE, filename(orgId, "usage-members", range, "csv"));
            store.memberUsageAll(orgId, range, q, new MembersCsv(out));
            out.finish();
        });
    }

    /** Members CSV: fixed columns, then the credits of each model of the range, in a column per model. */
    private static final class MembersCsv implements Store.MemberSink {
        private final Stream out;
        private CSVPrinter csv;
        private List<String> models;

        MembersCsv(Stream out) {
            this.out = out;
        }

        @Override
        public void start(List<String> models) {
            this.models = models;
            this.csv = out.csv();
            List<String> header = new ArrayList<>(List.of("user", "credits", "events", "budget", "budgetConsumed", "usagePercent"));
            for (String m : models) header.add(Csv.neutralize(m));
            print(header);
        }

        @Override
        public void row(MemberUsage u) {
            MemberUsage.Budget b = u.budget();
            List<Object> row = new ArrayList<>(6 + models.size());
            row.add(Csv.neutralize(u.memberId()));
            row.add(Views.credits(u.chargedMicros()));
            row.add(u.events());
            row.add(UsageJson.budgetCredits(b));
            row.add(Views.credits(b.consumedMicros()));
            row.add(UsageJson.usagePercent(b));
            Map<String, Long> byModel = new java.util.HashMap<>();
            for (UsageSummary.Share s : u.byModel()) byModel.put(s.key(), s.totals().chargedMicros());
            for (String m : models) row.add(Views.credits(byModel.getOrDefault(m, 0L)));
            print(row);
        }

        private void print(List<?> values) {
            try {
                csv.printRecord(values);
                out.recordDone();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The model distribution: small, so sent whole (with its length) rather than streamed. */
    private void modelsCsv(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        Http.onlyParams(req, RANGE);
        DateRange range = range(req);
        UsageSummary s = store.usageSummary(orgId, null, range);
        StringBuilder out = new StringBuilder();
        try {
            CSVPrinter csv = new CSVPrinter(out, Csv.WRITE);
            csv.printRecord("model", "credits", "events", "percent", "nominalCredits", "inputTokens", "outputTokens", "cacheWriteTokens", "cacheReadTokens");
            for (UsageSummary.Share m : s.byModel()) {
                UsageTotals t = m.totals();
                csv.printRecord(Csv.neutralize(m.key()), Views.credits(t.chargedMicros()), t.events(),
                        Views.percent(t.chargedMicros(), s.totals().chargedMicros()), Views.credits(t.nominalMicros()),
                        t.inputTokens(), t.outputTokens(), t.cacheWriteTokens(), t.cacheReadTokens());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        attachment(res, Csv.MEDIA_TYPE, filename(orgId, "usage-models", range, "csv"));
        res.send(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    static void attachment(ServerResponse res, String mediaType, String filename) {
        res.header(HeaderNames.CONTENT_TYPE, mediaType);
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + filename + "\"");
    }

    /** The request-level export: every field of each event, CSV (with a header) or JSON Lines. */
    private void events(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        Http.onlyParams(req, EXPORT);
        EventFilter filter = EventFilter.parse(range(req), req.query().all("model", List::of), req.query().all("activity", List::of),
                req.query().all("memberId", List::of), Http.query(req, "format"));
        streamed(res, () -> {
            boolean csv = filter.format() == EventFilter.Format.CSV;
            Stream out = new Stream(res, csv ? Csv.MEDIA_TYPE : "application/x-ndjson; charset=utf-8",
                    filename(orgId, "usage-events", filter.range(), filter.format().extension()));
            Rows rows = csv ? new CsvRows(out) : new JsonLines(out);
            store.exportEvents(orgId, filter, rows);
            try {
                rows.finish();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.finish();
        });
    }

    /** Runs a streamed export under the concurrency limit. */
    private void streamed(ServerResponse res, Runnable export) {
        if (!exports.tryAcquire()) {
            throw new Failure(Failure.Kind.OVERLOADED, "OVERLOADED", EXPORTS_CONCURRENT_MAX + " exports are running; retry later",
                    Map.of("exportsConcurrentMax", EXPORTS_CONCURRENT_MAX));
        }
        try {
            export.run();
        } finally {
            exports.release();
        }
    }

    /** A download's name: the org id (characters outside [A-Za-z0-9._-] replaced by _), what it is, and the range. */
    static String filename(String orgId, String what, DateRange range, String extension) {
        return orgId.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + what + (range == null ? "" : "-" + range.from() + "-" + range.to()) + "." + extension;
    }

    /**
     * The response body, opened on first use: until then an error can still be answered with a
     * status and an error body. CSV is printed into a text buffer and written out as UTF-8 every
     * {@link #CHUNK_CHARS} characters (a Writer would take a lock per cell).
     */
    private static final class Stream {
        private static final int CHUNK_CHARS = 32 * 1024;
        private final ServerResponse res;
        private final String mediaType;
        private final String filename;
        private final StringBuilder text = new StringBuilder(2 * CHUNK_CHARS);
        private OutputStream bytes;
        private CSVPrinter csv;

        Stream(ServerResponse res, String mediaType, String filename) {
            this.res = res;
            this.mediaType = mediaType;
            this.filename = filename;
        }

        OutputStream bytes() {
            if (bytes == null) {
                attachment(res, mediaType, filename);
                bytes = new BufferedOutputStream(res.outputStream(), STREAM_BUFFER_BYTES);
            }
            return bytes;
        }

        /** The CSV printer; call {@link #recordDone} after each record. */
        CSVPrinter csv() {
            if (csv == null) {
                try {
                    csv = new CSVPrinter(text, Csv.WRITE);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return csv;
        }

        void recordDone() throws IOException {
            if (text.length() >= CHUNK_CHARS) drain();
        }

        private void drain() throws IOException {
            bytes().write(text.toString().getBytes(StandardCharsets.UTF_8));
            text.setLength(0);
        }

        void finish() {
            try {
                drain();
                bytes().close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private interface Rows extends EventExport.RowSink {
        /** After the last row. */
        void finish() throws IOException;
    }

    /** The export as CSV: a header record, then a record per event. */
    private static final class CsvRows implements Rows {
        private final Stream out;
        private ExportEncoder encoder;

        CsvRows(Stream out) {
            this.out = out;
        }

        @Override
        public void start() throws IOException {
            encoder = new ExportEncoder(out.bytes());
            encoder.csvHeader();
        }

        @Override
        public void row(EventExport.Row row) throws IOException {
            encoder.csvRow(row);
        }

        @Override
        public void finish() throws IOException {
            encoder.flush();
        }
    }

    /** The export as JSON Lines: an object per event, each on its line. */
    private static final class JsonLines implements Rows {
        private final Stream out;
        private ExportEncoder encoder;

        JsonLines(Stream out) {
            this.out = out;
        }

        @Override
        public void start() {
            encoder = new ExportEncoder(out.bytes());
        }

        @Override
        public void row(EventExport.Row row) throws IOException {
            encoder.jsonRow(row);
        }

        @Override
        public void finish() throws IOException {
            encoder.flush();
        }
    }
}
