package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.app.Creditline;
import creditline.auth.Member;
import creditline.auth.Role;
import creditline.pricing.TokenCounts;
import creditline.testing.Databases;
import creditline.testing.TestConfig;
import creditline.usage.EventOutcome;
import creditline.usage.UsageEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Several writers on PostgreSQL, each with its own share of the orgs: a usage post with events of
 * orgs of several writers is split among them and answered as one writer answers it.
 */
class PostgresWritersTest extends StoreFixture {

    @Override
    String freshDatabase() {
        return Databases.freshPostgres();
    }

    /** Seeded random posts over orgs of both writers (resends, repeats within a post, unknown orgs and members, settles): the same outcomes, in order, and the same balances as with one writer. */
    @Test
    void postsSplitAmongWritersGiveWhatOneWriterGives() {
        assertThat(postgresWriters()).isEqualTo(2);
        List<String> orgs = new ArrayList<>();
        Set<Integer> partitions = new HashSet<>();
        for (int i = 0; orgs.size() < 6 || partitions.size() < 2; i++) {
            String org = "org" + i;
            orgs.add(org);
            partitions.add(Math.floorMod(org.hashCode(), 2));
        }
        String oneDb = Databases.freshPostgres();
        Store one = Creditline.openStore(TestConfig.of(oneDb).withPostgresWriters(1), clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        try {
            seedCatalog(one);
            for (Store s : List.of(store, one)) {
                for (String org : orgs) {
                    s.createOrg(org, org, org.hashCode() % 3 == 0 ? "free" : "pro");
                    s.putMember(org, "a@x.io", Role.MEMBER, Member.Type.USER);
                }
            }
            Random rnd = new Random(20261124);
            for (int post = 0; post < 40; post++) {
                List<UsageEvent> events = new ArrayList<>();
                int n = 1 + rnd.nextInt(60);
                for (int i = 0; i < n; i++) {
                    String org = rnd.nextInt(20) == 0 ? "nope" : orgs.get(rnd.nextInt(orgs.size()));
                    String member = rnd.nextInt(15) == 0 ? "b@x.io" : "a@x.io";
                    String model = List.of("sonnet", "reply", "local").get(rnd.nextInt(3));
                    events.add(new UsageEvent("e" + rnd.nextInt(150), org, member, model, "chat", NOW.minusSeconds(rnd.nextInt(86_400)),
                            new TokenCounts(rnd.nextInt(5_000), rnd.nextInt(2_000), 0, rnd.nextInt(500)), rnd.nextInt(3), null, false,
                            UsageEvent.Details.NONE));
                }
                List<EventOutcome> split = store.ingest(events);
                List<EventOutcome> whole = one.ingest(events);
                assertThat(split).as("post %d", post).isEqualTo(whole);
            }
            for (String org : orgs) {
                assertThat(store.balance(org)).as(org).isEqualTo(one.balance(org));
                assertThat(store.subscription(org)).as(org).isEqualTo(one.subscription(org));
            }
        } finally {
            one.close();
            one.database().close();
            Databases.drop(oneDb);
        }
    }

    @Test
    void anOrgsCommandsGoToOneWriterAndOthersToTheFirst() {
        String a = "org0", b = "org1";
        for (int i = 1; Math.floorMod(a.hashCode(), 2) == Math.floorMod(b.hashCode(), 2); i++) b = "org" + (i + 1);
        BatchingWriter ofA = store.writerFor(List.of(a));
        BatchingWriter ofB = store.writerFor(List.of(b));
        assertThat(ofA).isNotSameAs(ofB);
        assertThat(store.writerFor(List.of(a, a))).isSameAs(ofA);
        assertThat(store.writerFor(List.of(a, b))).isSameAs(store.writer());
        assertThat(store.writerFor(List.of())).isSameAs(store.writer());
    }
}
