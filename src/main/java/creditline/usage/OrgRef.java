package creditline.usage;

/** What ingest needs to know about an org. */
public record OrgRef(String id, String planId, String status) {}
