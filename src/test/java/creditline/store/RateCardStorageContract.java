package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import creditline.app.Config;
import creditline.app.Creditline;
import creditline.auth.Member;
import creditline.auth.Role;
import creditline.plan.Plan;
import creditline.plan.Subscription;
import creditline.pricing.Credits;
import creditline.pricing.Model;
import creditline.pricing.RateVersion;
import creditline.pricing.Pricer;
import creditline.pricing.Rates;
import creditline.pricing.TokenCounts;
import creditline.testing.TestConfig;
import creditline.testing.Databases;
import creditline.testing.MutableClock;
import creditline.usage.EventOutcome;
import creditline.usage.UsageEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rate cards with every optional part, the nine token buckets and task reads, on every database. */
abstract class RateCardStorageContract {
    static final Instant NOW = Instant.parse("2026-11-15T12:00:00Z");
    static final Rates FULL = new Rates(m("3"), m("15"), m("3.75"), m("0.3"), m("0.25"), m("0.5"), m("0.1"), m("6"),
            new Rates.Modality(m("40"), m("80"), m("5"), m("60")),
            new Rates.Tier(200_000, Rates.TierRule.PER_BUCKET, m("6"), m("22.5"), m("7.5"), m("12"), m("0.6")));

    String db;
    Store store;

    abstract String freshDatabase();

    static Long m(String credits) {
        return Credits.parseMicros(credits);
    }

    @BeforeEach
    void open() {
        db = freshDatabase();
        Config config = TestConfig.withScale(db, 6);
        store = Creditline.openStore(config, new MutableClock(NOW), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    @AfterEach
    void close() {
        store.close();
        store.database().close();
        Databases.drop(db);
    }

    @Test
    void everyPartOfARateCardRoundTrips() {
        store.putModel("full", "Full", "x", false, FULL, NOW.minus(Duration.ofDays(1)));
        Rates wholeRequest = new Rates(m("1"), null, null, null, null, null, null, null, Rates.Modality.NONE,
                new Rates.Tier(128_000, Rates.TierRule.WHOLE_REQUEST, null, null, null, null, m("0.5")));
        store.putModel("full", "Full", "x", false, wholeRequest, NOW);
        Model model = store.model("full");
        assertThat(model.versions()).hasSize(2);
        assertThat(model.versions().get(0).rates()).isEqualTo(FULL);
        assertThat(model.versions().get(1).rates()).isEqualTo(wholeRequest);
        store.putModel("plain", "Plain", "x", false, new Rates(m("1"), null, null, null, null, null, null), NOW);
        assertThat(store.model("plain").versions().get(0).rates().tier()).isNull();
        assertThat(store.model("plain").versions().get(0).rates().modality()).isEqualTo(Rates.Modality.NONE);
    }

    @Test
    void appendsVersionsAllOrNothing() {
        store.putModel("a", "A", "x", false, FULL, NOW);
        Map<String, Integer> versions = store.appendVersions(catalog -> {
            assertThat(catalog).extracting(Model::id).containsExactly("a");
            return List.of(new Store.NewVersion("a", "A", "x", false, Rates.NONE), new Store.NewVersion("b", "B", "y", true, FULL));
        }, NOW.plus(Duration.ofDays(1)));
        assertThat(versions).containsExactlyInAnyOrderEntriesOf(Map.of("a", 2, "b", 1));
        assertThat(store.model("b").versions().get(0).unmetered()).isTrue();
        assertThat(store.model("a").versions()).extracting(RateVersion::unmetered).containsExactly(false, false);
        assertThatThrownBy(() -> store.appendVersions(catalog -> {
            throw new IllegalStateException("planning failed");
        }, NOW)).hasMessageContaining("planning failed");
        assertThat(store.models()).hasSize(2);
        assertThat(store.model("a").versions()).hasSize(2);
    }

    @Test
    void eventsKeepEveryBucketAndTasksReadThemBack() {
        store.putPlan(new Plan("p", "P", 0, "USD", m("1000"), null, Plan.Overage.ALLOW, null, List.of(), false));
        store.createOrg("o", "O", "p");
        store.putMember("o", "a@x.io", Role.MEMBER, Member.Type.USER);
        store.putModel("full", "Full", "x", false, FULL, NOW.minus(Duration.ofDays(1)));
        TokenCounts t = new TokenCounts(1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000);
        UsageEvent.Details task = new UsageEvent.Details(null, null, "t-1", null, null, null, null, null, null, null, null, null);
        List<EventOutcome> out = store.ingest(List.of(
                new UsageEvent("e1", "o", "a@x.io", "full", "agent", NOW, t, 3, null, false, task),
                new UsageEvent("e2", "o", "a@x.io", "full", "agent", NOW.minusSeconds(5), TokenCounts.ZERO, 0, null, true, task),
                new UsageEvent("e3", "o", "a@x.io", "full", "agent", NOW, t, 0, null, false, UsageEvent.Details.NONE)));
        assertThat(out.get(0).creditsMicros()).isEqualTo(new Pricer(6).priceMicros(FULL, t, 3));

        List<TaskReprice.RecordedEvent> read = new ArrayList<>();
        int n = new TaskReprice(store.database()).forEachEvent("o", "t-1", read::add);
        assertThat(n).isEqualTo(2);
        assertThat(read).extracting(r -> r.event().id()).containsExactly("e2", "e1");
        assertThat(read.get(0).event().byoKey()).isTrue();
        assertThat(read.get(0).nominalMicros()).isEqualTo(m("0.5"));
        assertThat(read.get(0).chargedMicros()).isZero();
        UsageEvent e1 = read.get(1).event();
        assertThat(e1.tokens()).isEqualTo(t);
        assertThat(e1.toolCalls()).isEqualTo(3);
        assertThat(e1.occurredAt()).isEqualTo(NOW);
        assertThat(read.get(1).chargedMicros()).isEqualTo(out.get(0).creditsMicros());
        assertThat(new TaskReprice(store.database()).forEachEvent("o", "nope", read::add)).isZero();

        Subscription s = store.subscription("o");
        assertThat(s.inputTokens()).as("audio and image input count as input").isEqualTo(2 * (1_000 + 6_000 + 8_000));
        assertThat(s.outputTokens()).isEqualTo(2 * (2_000 + 7_000 + 9_000));
        assertThat(s.cacheWriteTokens()).isEqualTo(2 * (3_000 + 5_000));
        assertThat(s.cacheReadTokens()).isEqualTo(2 * 4_000);
        assertThat(s.totalTokens()).isEqualTo(2 * t.total());
    }
}
