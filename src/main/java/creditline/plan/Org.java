package creditline.plan;

import java.time.Instant;

/** A customer organization and its current plan. */
public record Org(String id, String name, String planId, String status, Instant createdAt) {
    public static final String ACTIVE = "active";
    public static final String SUSPENDED = "suspended";
}
