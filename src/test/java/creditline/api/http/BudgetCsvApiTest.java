package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.assertError;
import static creditline.api.http.ApiTestSupport.assertFieldError;
import static creditline.api.http.ApiTestSupport.assertStatus;
import static creditline.api.http.ApiTestSupport.enc;
import static creditline.api.http.ApiTestSupport.key;
import static creditline.api.http.ApiTestSupport.member;
import static creditline.api.http.ApiTestSupport.org;
import static creditline.api.http.ApiTestSupport.plan;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bulk budget CSV over HTTP: the reference example file, the template, every error kind with
 * its line, the warnings, dry runs, all-or-nothing uploads (a bad row, and the database failing
 * half-way), and a 100,000-row file.
 */
class BudgetCsvApiTest {
    private static String db;
    private static TestServer server;

    @BeforeAll
    static void start() {
        db = creditline.testing.Databases.freshSqlite();
        server = new TestServer(db);
        plan(server, "csv-plan", "1000000", "allow");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String path(String orgId) {
        return "/v1/orgs/" + orgId + "/budgets/members.csv";
    }

    private static TestServer.Response upload(String orgId, String csv, boolean dryRun, String key) {
        return upload(orgId, csv.getBytes(StandardCharsets.UTF_8), dryRun, key);
    }

    /** Posts a text/csv body. */
    private static TestServer.Response upload(String orgId, byte[] csv, boolean dryRun, String key) {
        return ApiTestSupport.send(HttpRequest.newBuilder(URI.create(server.url(path(orgId) + (dryRun ? "?dryRun=true" : ""))))
                .header("Authorization", "Bearer " + key).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofByteArray(csv)).build());
    }

    private static JsonNode report(String orgId, String csv, boolean dryRun) {
        TestServer.Response r = upload(orgId, csv, dryRun, OP);
        assertStatus(r, 200);
        return r.json();
    }

    /** The org's overrides: member → credits ("null" for an explicit unlimited override). */
    private static Map<String, String> overrides(String orgId) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode o : server.op("GET", "/v1/orgs/" + orgId + "/budgets/members", null).path("overrides")) {
            out.put(o.path("memberId").asText(), o.path("credits").isNull() ? "null" : o.path("credits").asText());
        }
        return out;
    }

    private static String newOrg(String orgId, String... members) {
        org(server, orgId, "csv-plan");
        for (String m : members) member(server, orgId, m, "member");
        return orgId;
    }

    @Test
    void theReferenceExampleFileIsCheckedThenAppliedExactly() {
        String o = newOrg("csv-ref", "alice@company.com", "bob@company.com", "SA MyServiceAccount", "charlie@company.com", "dana@company.com");
        server.op("PUT", "/v1/orgs/" + o + "/budgets/members/" + enc("charlie@company.com"), "{\"credits\": \"700\"}");
        server.op("PUT", "/v1/orgs/" + o + "/budgets/members/" + enc("dana@company.com"), "{\"credits\": \"300\"}");
        String reference = """
                user,budget
                alice@company.com,10000
                bob@company.com,5000
                SA MyServiceAccount,2000
                charlie@company.com,
                """;
        JsonNode dry = report(o, reference, true);
        assertThat(dry.toString()).isEqualTo("""
                {"dryRun":true,"rows":4,"changes":4,"applied":0,"warnings":[],"warningCount":0,"errors":[],"errorCount":0}""");
        assertThat(overrides(o)).as("a dry run changes nothing").containsExactly(Map.entry("charlie@company.com", "700.00"),
                Map.entry("dana@company.com", "300.00"));

        JsonNode applied = report(o, reference, false);
        assertThat(applied.path("applied").asInt()).isEqualTo(4);
        assertThat(applied.path("dryRun").asBoolean()).isFalse();
        // charlie's override is cleared (back to the default); dana, not in the file, keeps hers.
        assertThat(overrides(o)).containsExactly(Map.entry("SA MyServiceAccount", "2000.00"), Map.entry("alice@company.com", "10000.00"),
                Map.entry("bob@company.com", "5000.00"), Map.entry("dana@company.com", "300.00"));
    }

    @Test
    void theTemplateListsEveryMemberWithTheirOverrideAndUploadsUnchanged() {
        String o = newOrg("csv-tpl", "zed@x.io", "amy@x.io", "SA deploy", "=cmd@x.io");
        server.op("PUT", "/v1/orgs/" + o + "/budgets/members/" + enc("amy@x.io"), "{\"credits\": \"12.5\"}");
        server.op("PUT", "/v1/orgs/" + o + "/budgets/members/" + enc("SA deploy"), "{\"credits\": null}");
        TestServer.Response t = server.get(path(o), OP);
        assertStatus(t, 200);
        assertThat(t.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        assertThat(t.headers().firstValue("Content-Disposition").orElseThrow()).contains("csv-tpl-member-budgets.csv");
        assertThat(t.body()).isEqualTo("user,budget\r\n'=cmd@x.io,\r\nSA deploy,unlimited\r\namy@x.io,12.5\r\nzed@x.io,\r\n");

        Map<String, String> before = overrides(o);
        JsonNode r = report(o, t.body(), false);
        assertThat(r.path("errorCount").asInt()).isZero();
        assertThat(r.path("warningCount").asInt()).isZero();
        // Uploaded back untouched it changes nothing, and says so (it counted 4 changes).
        assertThat(r.path("rows").asInt()).isEqualTo(4);
        assertThat(r.path("changes").asInt()).isZero();
        assertThat(r.path("applied").asInt()).isZero();
        assertThat(overrides(o)).isEqualTo(before);
        // One row edited, one cleared: two changes.
        JsonNode edited = report(o, t.body().replace("amy@x.io,12.5", "amy@x.io,13").replace("SA deploy,unlimited", "SA deploy,"), true);
        assertThat(edited.path("changes").asInt()).as(edited.toString()).isEqualTo(2);
        assertThat(edited.path("applied").asInt()).isZero();
    }

    @Test
    void everyErrorKindIsReportedWithItsLineAndNothingIsApplied() {
        String o = newOrg("csv-err", "a@x.io", "b@x.io");
        record Case(String csv, long line, String message) {}
        for (Case c : List.of(
                new Case("user,budget\na@x.io,ten\n", 2, "budget must be a number of credits"),
                new Case("user,budget\na@x.io,1e5\n", 2, "got '1e5'"),
                new Case("user,budget\na@x.io,\"10,000\"\n", 2, "no thousands separators"),
                new Case("user,budget\na@x.io,-5\n", 2, "budget must not be negative, got '-5'"),
                new Case("user,budget\na@x.io,1.1234567\n", 2, "at most 6 fractional digits"),
                new Case("user,budget\na@x.io,99999999999999999999\n", 2, "out of range"),
                new Case("user,budget\na@x.io,5\n\"b@x.io,5\n", 3, "malformed CSV"),
                // The quote opens on line 3; the parser stops at the end of the file, line 5.
                new Case("user,budget\r\na@x.io,1\r\n\"b@x.io,2\r\na@x.io,3\r\n", 3, "a quoted field opened on this line is never closed"),
                new Case("user,budget\na@x.io,\"5\"x\n", 2, "malformed CSV"),
                new Case("email,amount\na@x.io,5\n", 1, "the first line must be the header user,budget"),
                new Case("a@x.io,5\n", 1, "the first line must be the header user,budget"),
                new Case("user,budget\na@x.io,5,extra\n", 2, "expected 2 columns (user,budget), got 3"),
                new Case("user,budget\na@x.io\n", 2, "expected 2 columns (user,budget), got 1"),
                new Case("user,budget\nnot-an-email,5\n", 2, "memberId must be an email address or 'SA <name>'"),
                new Case("user,budget\n,5\n", 2, "user is empty"),
                new Case("user,budget\n", 1, "the file has no rows"),
                new Case("", 1, "the file has no rows"),
                new Case("user,budget\r\na@x.io,1\r\n\r\n\"b@x.io\",\"multi\nline\"\r\n", 4, "budget must be a number"))) {
            JsonNode dry = report(o, c.csv(), true);
            assertThat(dry.path("errorCount").asInt()).as(c.csv()).isEqualTo(1);
            JsonNode e = dry.path("errors").get(0);
            assertThat(e.path("line").asLong()).as(c.csv()).isEqualTo(c.line());
            assertThat(e.path("message").asText()).as(c.csv()).contains(c.message());
            TestServer.Response real = upload(o, c.csv(), false, OP);
            JsonNode err = assertError(real, 400, "CSV_INVALID");
            assertThat(err.path("message").asText()).contains("nothing was applied").contains("line " + c.line());
            assertThat(err.path("details").path("applied").asInt()).isZero();
            assertThat(err.path("details").path("errors").get(0).path("line").asLong()).isEqualTo(c.line());
            assertThat(overrides(o)).as(c.csv()).isEmpty();
        }
        TestServer.Response latin1 = upload(o, "user,budget\nJos\u00e9@x.io,5\n".getBytes(StandardCharsets.ISO_8859_1), false, OP);
        assertThat(assertError(latin1, 400, "CSV_INVALID").path("message").asText()).contains("not UTF-8");
        assertFieldError(server.post(path(o) + "?dryRun=yes", OP, "user,budget\n"), 400, "VALIDATION_ERROR", "dryRun");
    }

    @Test
    void aBudgetTheJsonApiRefusesIsAnErrorOfTheFile() {
        String o = newOrg("csv-cap", "a@x.io", "b@x.io");
        server.op("PUT", "/v1/orgs/" + o + "/budgets/members/" + enc("b@x.io"), "{\"credits\": \"7\"}");
        for (String tooLarge : List.of("5000000000", "9223372036854.775807", "1000000000.000001")) {
            assertError(server.put("/v1/orgs/" + o + "/budgets/members/" + enc("a@x.io"), OP, "{\"credits\": \"" + tooLarge + "\"}"),
                    400, "VALUE_TOO_LARGE");
            String csv = "user,budget\nb@x.io,5\na@x.io," + tooLarge + "\n";
            JsonNode dry = report(o, csv, true);
            assertThat(dry.path("errorCount").asInt()).as(tooLarge).isEqualTo(1);
            assertThat(dry.path("errors").get(0).toString()).isEqualTo("{\"line\":3,\"user\":\"a@x.io\",\"message\":"
                    + "\"budget out of range: must be at most 1000000000 credits, got '" + tooLarge + "'\"}");
            JsonNode err = assertError(upload(o, csv, false, OP), 400, "CSV_INVALID");
            assertThat(err.path("details").path("errors").get(0).path("line").asLong()).isEqualTo(3);
            assertThat(err.path("details").path("applied").asInt()).isZero();
            assertThat(overrides(o)).as(tooLarge).containsExactly(Map.entry("b@x.io", "7.00"));
        }
        // The cap itself is a budget both accept.
        assertThat(report(o, "user,budget\na@x.io,1000000000\n", false).path("applied").asInt()).isEqualTo(1);
        assertStatus(server.put("/v1/orgs/" + o + "/budgets/members/" + enc("b@x.io"), OP, "{\"credits\": \"1000000000\"}"), 200);
        assertThat(overrides(o)).containsExactly(Map.entry("a@x.io", "1000000000.00"), Map.entry("b@x.io", "1000000000.00"));
    }

    @Test
    void aFileThatIsNotUtf8GetsTheReportWithTheLineAndColumnOfItsFirstBadByte() {
        String o = newOrg("csv-enc", "k\u00e9n@acme.example", "b@x.io");
        byte[] utf16Le = "user,budget\r\nb@x.io,5\r\n".getBytes(StandardCharsets.UTF_16LE);
        byte[] utf16LeBom = new byte[utf16Le.length + 2];
        utf16LeBom[0] = (byte) 0xFF;
        utf16LeBom[1] = (byte) 0xFE;
        System.arraycopy(utf16Le, 0, utf16LeBom, 2, utf16Le.length);
        // Valid UTF-8 with multibyte characters, then a bad byte: the column counts characters, not bytes.
        byte[] badAfterMultibyte = "user,budget\n\u00e9\u00e9\u00ff?@x.io,5\n".getBytes(StandardCharsets.UTF_8);
        badAfterMultibyte[18] = (byte) 0x80;
        record Case(String name, byte[] csv, long line, String message) {}
        for (Case c : List.of(
                // Excel's "CSV (Comma delimited)": Windows-1252, é is the single byte 0xE9.
                new Case("windows-1252", "user,budget\r\nk\u00e9n@acme.example,100\r\n".getBytes(java.nio.charset.Charset.forName("windows-1252")),
                        2, "the file is not UTF-8 text: column 2 holds the byte 0xE9 (byte 15 of the file), which is not UTF-8;"
                        + " save it as \"CSV UTF-8\""),
                new Case("latin-1 after good rows", "user,budget\nb@x.io,5\nJos\u00e9@x.io,5\n".getBytes(StandardCharsets.ISO_8859_1),
                        3, "column 4 holds the byte 0xE9 (byte 25 of the file)"),
                new Case("columns count characters", badAfterMultibyte, 2, "column 4 holds the byte 0x80 (byte 19 of the file)"),
                new Case("UTF-16 with a BOM (Excel's Unicode text)", "user,budget\nb@x.io,5\n".getBytes(StandardCharsets.UTF_16),
                        1, "the file is UTF-16 text (it starts with a UTF-16 byte order mark), not UTF-8; save it as \"CSV UTF-8\""),
                new Case("UTF-16LE with a BOM", utf16LeBom, 1, "UTF-16 byte order mark"),
                new Case("UTF-16LE without a BOM", utf16Le, 1, "the file looks like UTF-16 text, not UTF-8: column 2 holds a NUL byte"
                        + " (byte 2 of the file); save it as \"CSV UTF-8\""),
                new Case("UTF-16BE without a BOM", "user,budget\n".getBytes(StandardCharsets.UTF_16BE), 1, "column 1 holds a NUL byte"))) {
            byte[] csv = c.csv();
            TestServer.Response dry = upload(o, csv, true, OP);
            assertStatus(dry, 200);
            JsonNode r = dry.json();
            assertThat(r.path("errorCount").asInt()).as(c.name()).isEqualTo(1);
            assertThat(r.path("errors").get(0).path("line").asLong()).as(c.name()).isEqualTo(c.line());
            assertThat(r.path("errors").get(0).path("message").asText()).as(c.name()).contains(c.message()).contains("CSV UTF-8");
            assertThat(r.path("applied").asInt()).isZero();
            JsonNode err = assertError(upload(o, csv, false, OP), 400, "CSV_INVALID");
            assertThat(err.path("message").asText()).as(c.name()).contains("line " + c.line()).contains("nothing was applied");
            assertThat(err.path("details").path("dryRun").asBoolean()).isFalse();
            assertThat(err.path("details").path("errors").get(0).path("line").asLong()).as(c.name()).isEqualTo(c.line());
            assertThat(err.path("details").path("errors").get(0).path("message").asText()).as(c.name()).contains(c.message());
            assertThat(err.path("details").path("errorCount").asInt()).isEqualTo(1);
            assertThat(overrides(o)).as(c.name()).isEmpty();
        }
        // A UTF-8 BOM (Excel's "CSV UTF-8") is fine.
        byte[] bom = "\uFEFFuser,budget\r\nk\u00e9n@acme.example,100\r\n".getBytes(StandardCharsets.UTF_8);
        assertThat(upload(o, bom, false, OP).json().path("applied").asInt()).isEqualTo(1);
        assertThat(overrides(o)).containsExactly(Map.entry("k\u00e9n@acme.example", "100.00"));
    }

    @Test
    void warningsDoNotStopTheUploadAndSayWhatHappened() {
        String o = newOrg("csv-warn", "a@x.io", "b@x.io", "SA bot");
        server.op("PUT", "/v1/orgs/" + o + "/budgets", "{\"org\": {\"credits\": \"1000\"}}");
        String csv = """
                User , Budget
                a@x.io, 50
                ghost@x.io,10
                b@x.io,2000
                a@x.io,60
                SA bot,UNLIMITED
                """;
        JsonNode r = report(o, csv, false);
        assertThat(r.path("errorCount").asInt()).isZero();
        assertThat(r.path("warnings").toString()).isEqualTo("""
                [{"line":3,"user":"ghost@x.io","message":"unknown user: not a member of this org; the row is skipped"},\
                {"line":4,"user":"b@x.io","message":"budget 2000 is above the org's monthly budget of 1000.00 credits"},\
                {"line":5,"user":"a@x.io","message":"duplicate row: this user is also on line 2; the last row wins"}]""");
        assertThat(r.path("rows").asInt()).isEqualTo(5);
        assertThat(r.path("applied").asInt()).isEqualTo(3);
        assertThat(overrides(o)).containsExactly(Map.entry("SA bot", "null"), Map.entry("a@x.io", "60.00"), Map.entry("b@x.io", "2000.00"));
    }

    @Test
    void oneBadRowAnywhereAppliesNothingAndTheFixedFileAppliesEverything() {
        String[] members = new String[500];
        for (int i = 0; i < members.length; i++) members[i] = "m" + i + "@x.io";
        String o = newOrg("csv-atomic", members);
        server.op("PUT", "/v1/orgs/" + o + "/budgets/members/" + enc("m7@x.io"), "{\"credits\": \"7\"}");
        StringBuilder csv = new StringBuilder("user,budget\n");
        for (int i = 0; i < members.length; i++) csv.append(members[i]).append(',').append(i == 7 ? "" : String.valueOf(100 + i)).append('\n');
        String bad = csv + "m3@x.io,oops\n";
        TestServer.Response r = upload(o, bad, false, OP);
        assertThat(assertError(r, 400, "CSV_INVALID").path("details").path("errors").get(0).path("line").asLong()).isEqualTo(502);
        assertThat(overrides(o)).containsExactly(Map.entry("m7@x.io", "7.00"));

        JsonNode ok = report(o, csv.toString(), false);
        assertThat(ok.path("applied").asInt()).isEqualTo(500);
        Map<String, String> after = overrides(o);
        assertThat(after).hasSize(499).doesNotContainKey("m7@x.io").containsEntry("m499@x.io", "599.00");
    }

    @Test
    void aDatabaseFailureHalfWayThroughAppliesNothing() throws SQLException {
        String[] members = new String[300];
        for (int i = 0; i < members.length; i++) members[i] = "f" + i + "@x.io";
        String o = newOrg("csv-fail", members);
        server.op("PUT", "/v1/orgs/" + o + "/budgets/members/" + enc("f0@x.io"), "{\"credits\": \"1\"}");
        StringBuilder csv = new StringBuilder("user,budget\n");
        for (String m : members) csv.append(m).append(",50\n");
        // A trigger makes the database refuse row 250 after 249 rows were written in the transaction.
        try (Connection c = DriverManager.getConnection("jdbc:" + db); java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TRIGGER refuse_f250 BEFORE INSERT ON member_budgets WHEN NEW.member_id = 'f250@x.io'"
                    + " BEGIN SELECT RAISE(ABORT, 'refused for the test'); END");
        }
        try {
            assertError(upload(o, csv.toString(), false, OP), 500, "INTERNAL");
            assertThat(overrides(o)).as("rolled back as a whole").containsExactly(Map.entry("f0@x.io", "1.00"));
        } finally {
            try (Connection c = DriverManager.getConnection("jdbc:" + db); java.sql.Statement st = c.createStatement()) {
                st.execute("DROP TRIGGER refuse_f250");
            }
        }
        assertThat(report(o, csv.toString(), false).path("applied").asInt()).isEqualTo(300);
        assertThat(overrides(o)).hasSize(300).containsEntry("f0@x.io", "50.00").containsEntry("f299@x.io", "50.00");
    }

    @Test
    void onlyAdminsOfTheOrgUseIt() {
        String o = newOrg("csv-auth", "a@x.io");
        String other = newOrg("csv-auth-2", "a@x.io");
        String memberKey = key(server, o, "member", "a@x.io");
        String otherAdmin = key(server, other, "admin", null);
        String admin = key(server, o, "admin", null);
        assertError(upload(o, "user,budget\na@x.io,5\n", false, memberKey), 403, "FORBIDDEN");
        assertError(upload(o, "user,budget\na@x.io,5\n", false, otherAdmin), 403, "FORBIDDEN");
        assertError(server.get(path(o), memberKey), 403, "FORBIDDEN");
        assertStatus(upload(o, "user,budget\na@x.io,5\n", false, admin), 200);
        assertThat(overrides(o)).containsExactly(Map.entry("a@x.io", "5.00"));
        assertError(upload("csv-none", "user,budget\na@x.io,5\n", true, OP), 404, "ORG_NOT_FOUND");
    }

    @Test
    void aFileOf100000RowsIsCheckedAndAppliedInOneTransaction() throws SQLException {
        int n = 100_000;
        String o = newOrg("csv-big");
        // 100,000 members straight into the database file: the API would take minutes to add them.
        try (Connection c = DriverManager.getConnection("jdbc:" + db)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO members (org_id, member_id, role, type, created_at_micros) VALUES (?,?,?,?,0)")) {
                for (int i = 0; i < n; i++) {
                    ps.setString(1, o);
                    ps.setString(2, "user" + i + "@big.example");
                    ps.setString(3, "member");
                    ps.setString(4, "user");
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
        StringBuilder csv = new StringBuilder("user,budget\n");
        for (int i = 0; i < n; i++) csv.append("user").append(i).append("@big.example,").append(i % 1000).append('\n');
        long t0 = System.nanoTime();
        JsonNode dry = report(o, csv.toString(), true);
        long t1 = System.nanoTime();
        assertThat(dry.path("errorCount").asInt()).isZero();
        assertThat(dry.path("changes").asInt()).isEqualTo(n);
        JsonNode applied = report(o, csv.toString(), false);
        long t2 = System.nanoTime();
        assertThat(applied.path("applied").asInt()).isEqualTo(n);
        Map<String, String> after = overrides(o);
        assertThat(after).hasSize(n).containsEntry("user99999@big.example", "999.00").containsEntry("user1000@big.example", "0.00");
        System.out.printf("budget CSV of %,d rows: dry run %d ms, upload %d ms%n", n, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    }
}
