package creditline.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.common.Failure;
import creditline.store.Store;
import creditline.usage.EventOutcome;
import creditline.usage.UsageEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/usage}: one event, or {@code {"events": [...]}} with up to
 * {@link #BATCH_EVENTS_MAX}. Each event is accepted, a duplicate, or rejected with its own
 * error; the good events of a batch are recorded even when others are rejected. The response
 * is sent only after the events are committed durably.
 */
final class UsageRoutes {
    static final int BATCH_EVENTS_MAX = 10_000;

    private final Store store;
    private final Authenticator auth;
    private final Counter accepted;
    private final Counter duplicates;
    private final Counter rejected;

    UsageRoutes(Store store, Authenticator auth, MeterRegistry metrics) {
        this.store = store;
        this.auth = auth;
        this.accepted = Counter.builder("creditline_usage_events").tag("status", "accepted").register(metrics);
        this.duplicates = Counter.builder("creditline_usage_events").tag("status", "duplicate").register(metrics);
        this.rejected = Counter.builder("creditline_usage_events").tag("status", "rejected").register(metrics);
    }

    void register(HttpRouting.Builder r) {
        r.post("/v1/usage", this::postUsage);
    }

    private void postUsage(ServerRequest req, ServerResponse res) {
        Authenticator.requireOperator(auth.authenticate(req));
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        List<JsonNode> nodes = new ArrayList<>();
        if (body.has("events")) {
            Json.onlyFields(body, "", java.util.Set.of("events"));
            JsonNode events = body.get("events");
            if (!events.isArray()) throw Failure.invalid("events", "events must be an array of usage events");
            if (events.isEmpty()) throw Failure.invalid("events", "events must not be empty");
            if (events.size() > BATCH_EVENTS_MAX) {
                throw new Failure(Failure.Kind.INVALID, "BATCH_TOO_LARGE", "a batch holds at most " + BATCH_EVENTS_MAX
                        + " events, got " + events.size() + "; split it", Map.of("batchEventsMax", BATCH_EVENTS_MAX, "events", events.size()));
            }
            events.forEach(nodes::add);
        } else {
            nodes.add(body);
        }

        Instant now = store.clock().instant();
        EventOutcome[] outcomes = new EventOutcome[nodes.size()];
        List<UsageEvent> valid = new ArrayList<>(nodes.size());
        List<Integer> validIndex = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            try {
                valid.add(UsageParser.parse(nodes.get(i), now));
                validIndex.add(i);
            } catch (Failure f) {
                outcomes[i] = EventOutcome.rejected(UsageParser.idOf(nodes.get(i)), f.code(), f.getMessage());
            }
        }
        List<EventOutcome> recorded = store.ingest(valid);
        for (int k = 0; k < recorded.size(); k++) outcomes[validIndex.get(k)] = recorded.get(k);

        int nAccepted = 0, nDuplicates = 0, nRejected = 0;
        List<Object> rendered = new ArrayList<>(outcomes.length);
        for (EventOutcome o : outcomes) {
            switch (o.status()) {
                case ACCEPTED -> nAccepted++;
                case DUPLICATE -> nDuplicates++;
                case REJECTED -> nRejected++;
            }
            rendered.add(Views.outcome(o));
        }
        accepted.increment(nAccepted);
        duplicates.increment(nDuplicates);
        rejected.increment(nRejected);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("events", rendered);
        out.put("accepted", nAccepted);
        out.put("duplicates", nDuplicates);
        out.put("rejected", nRejected);
        Http.ok(res, out);
    }
}
