package creditline.app;

import creditline.alert.Backoff;
import creditline.alert.Signature;
import creditline.alert.WebhookTargets;
import creditline.store.Alerts;
import creditline.store.Store;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due webhook deliveries from the durable outbox, signed, and records each attempt;
 * failures are retried with exponential backoff. Deliveries are leased before sending, so a
 * restart or a second instance neither loses nor doubles them (delivery is at least once).
 */
final class WebhookDeliverer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDeliverer.class);
    static final int BATCH_DELIVERIES_MAX = 50;
    static final long LEASE_SECONDS = 60;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final long POLL_INTERVAL_MS = 200;

    private final Store store;
    private final Duration retryBase;
    private final WebhookTargets targets;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
    private final Thread thread;
    private volatile boolean running = true;

    WebhookDeliverer(Store store, Duration retryBase, WebhookTargets targets) {
        this.store = store;
        this.retryBase = retryBase;
        this.targets = targets;
        this.thread = Thread.ofPlatform().daemon().name("creditline-webhooks").start(this::loop);
    }

    private void loop() {
        while (running) {
            try {
                List<Alerts.Delivery> due = store.leaseDueDeliveries(BATCH_DELIVERIES_MAX, LEASE_SECONDS);
                for (Alerts.Delivery d : due) send(d);
                if (due.isEmpty()) Thread.sleep(POLL_INTERVAL_MS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!running) return;
                log.warn("webhook delivery round failed: {}", e.getMessage());
                sleepQuietly();
            }
        }
    }

    private void send(Alerts.Delivery d) {
        Instant now = store.clock().instant();
        String error;
        try {
            // Checked again at each delivery: the host may resolve elsewhere than when the webhook was registered.
            String refusal = targets.refusal(URI.create(d.url()));
            if (refusal != null) throw new java.net.ConnectException("not delivered: " + refusal);
            HttpRequest request = HttpRequest.newBuilder(URI.create(d.url()))
                    .timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .header(Signature.HEADER, Signature.header(d.secret(), now.getEpochSecond(), d.payload()))
                    .POST(HttpRequest.BodyPublishers.ofString(d.payload()))
                    .build();
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 == 2) {
                store.recordDeliveryAttempt(d, true, null, null);
                return;
            }
            error = "HTTP " + status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        Duration wait = Backoff.after(d.attempts() + 1, retryBase);
        store.recordDeliveryAttempt(d, false, error, wait == null ? null : store.clock().instant().plus(wait));
        if (wait == null) log.warn("webhook delivery {} to {} failed for good after {} attempts: {}", d.id(), d.url(), d.attempts() + 1, error);
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
