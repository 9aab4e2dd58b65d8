package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.pricing.Pricer;
import creditline.testing.Databases;
import creditline.usage.Ingester;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The webhook deliverer polls for due deliveries five times a second: while none is due, the
 * poll leaves the writer alone (a lease is a plain-SQL write, which makes its batch write the
 * books early and carry nothing across its commit).
 */
class DeliveryLeaseTest {

    @Test
    void pollingWithNothingDueDoesNotUseTheWriterAndADueDeliveryIsLeasedOnce() throws Exception {
        String location = Databases.freshSqlite();
        AtomicInteger batches = new AtomicInteger();
        try (Database db = Database.open(location)) {
            Store store = new Store(db, new Ingester(new Pricer(2), true), Clock.systemUTC(), n -> batches.incrementAndGet(), 1);
            try {
                for (int i = 0; i < 20; i++) assertThat(store.leaseDueDeliveries(10, 60)).isEmpty();
                assertThat(batches.get()).as("write batches while nothing was due").isZero();

                try (Connection c = db.readers().getConnection(); Statement s = c.createStatement()) {
                    s.execute("INSERT INTO webhooks (org_id, webhook_id, url, secret, events, updated_at_micros)"
                            + " VALUES ('o', 'w', 'http://127.0.0.1:9/', 's', '', 0)");
                    s.execute("INSERT INTO notifications (org_id, notification_id, kind, scope, member_id, threshold_percent, period_start,"
                            + " created_at_micros, payload) VALUES ('o', 'n', 'BUDGET', 'org', '', 80, '2026-11-01', 0, '{}')");
                    s.execute("INSERT INTO webhook_deliveries (org_id, delivery_id, webhook_id, notification_id, status, attempts,"
                            + " next_attempt_at_micros) VALUES ('o', 'd', 'w', 'n', 'PENDING', 0, 0)");
                }
                assertThat(store.leaseDueDeliveries(10, 60)).extracting(Alerts.Delivery::id).containsExactly("d");
                assertThat(store.leaseDueDeliveries(10, 60)).as("leased: not due again until the lease ends").isEmpty();
                // The writer counts a batch after answering its commands: wait for the count.
                for (int i = 0; i < 400 && batches.get() < 1; i++) Thread.sleep(5);
                assertThat(batches.get()).as("write batches: the one lease").isEqualTo(1);
            } finally {
                store.close();
            }
        }
    }
}
