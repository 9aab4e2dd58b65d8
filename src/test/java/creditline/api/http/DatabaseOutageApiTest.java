package creditline.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.testing.Databases;
import creditline.testing.TcpProxy;
import creditline.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL going away and coming back, through a proxy the test cuts: requests are answered
 * 503 DATABASE_UNAVAILABLE saying nothing was written (not 500), /healthz says so within seconds,
 * and the server recovers by itself once the database is back.
 */
class DatabaseOutageApiTest {
    private String db;
    private TcpProxy proxy;
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (proxy != null) proxy.close();
        if (db != null) Databases.drop(db);
    }

    @Test
    void anUnreachableDatabaseIs503AndTheServerRecoversByItself() {
        db = Databases.freshPostgres();
        proxy = new TcpProxy(Databases.postgresPort(db));
        server = new TestServer(Databases.throughPort(db, proxy.port()));
        ApiTestSupport.plan(server, "out-plan", "100", "block");
        ApiTestSupport.org(server, "out-org", "out-plan");
        ApiTestSupport.model(server, "out-model", "1", "2", "1", "0.5");
        ApiTestSupport.member(server, "out-org", "m@out.example", "member");
        String authorize = "{\"orgId\": \"out-org\", \"memberId\": \"m@out.example\", \"model\": \"out-model\", \"activity\": \"chat\"}";
        assertThat(server.post("/v1/authorize", TestServer.OPERATOR_KEY, authorize).status()).isEqualTo(200);
        String grant = "{\"credits\": \"5\", \"reason\": \"outage test\"}";
        assertThat(server.post("/v1/orgs/out-org/grants", TestServer.OPERATOR_KEY, grant).status()).isEqualTo(201);

        proxy.cut();
        TestServer.Response refused = server.post("/v1/orgs/out-org/grants", TestServer.OPERATOR_KEY, grant);
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.errorCode()).isEqualTo("DATABASE_UNAVAILABLE");
        assertThat(refused.json().path("error").path("details").path("outcome").asText()).isEqualTo("not applied");
        assertThat(refused.body()).doesNotContain("127.0.0.1").doesNotContain("Exception");
        long before = System.nanoTime();
        assertThat(server.get("/healthz", null).status()).isEqualTo(503);
        assertThat((System.nanoTime() - before) / 1_000_000).as("ms for /healthz").isLessThan(4_000);

        proxy.restore();
        TestServer.Response decided = server.post("/v1/authorize", TestServer.OPERATOR_KEY, authorize);
        assertThat(decided.status()).as(decided.body()).isEqualTo(200);
        TestServer.Response again = server.post("/v1/orgs/out-org/grants", TestServer.OPERATOR_KEY, grant);
        assertThat(again.status()).as(again.body()).isEqualTo(201);
        assertThat(server.get("/healthz", null).status()).isEqualTo(200);
        TestServer.Response balance = server.get("/v1/orgs/out-org/balance", TestServer.OPERATOR_KEY);
        assertThat(balance.status()).as(balance.body()).isEqualTo(200);
        assertThat(balance.json().path("grants")).as("the refused grant was not written").hasSize(2);
    }
}
