package creditline.usage;

import java.time.Instant;

/** What ingest needs to know about an org. */
public record OrgRef(String id, String planId, String status, Instant createdAt) {}
