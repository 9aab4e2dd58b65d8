package creditline.usage;

/**
 * What happened to one posted event. {@code creditsMicros} is the charge (for a duplicate: the
 * charge recorded the first time); {@code errorCode}/{@code errorMessage} are set only when rejected.
 */
public record EventOutcome(String id, Status status, long creditsMicros, String errorCode, String errorMessage) {
    public enum Status { ACCEPTED, DUPLICATE, REJECTED }

    public static EventOutcome accepted(String id, long creditsMicros) {
        return new EventOutcome(id, Status.ACCEPTED, creditsMicros, null, null);
    }

    public static EventOutcome duplicate(String id, long creditsMicros) {
        return new EventOutcome(id, Status.DUPLICATE, creditsMicros, null, null);
    }

    public static EventOutcome rejected(String id, String errorCode, String errorMessage) {
        return new EventOutcome(id, Status.REJECTED, 0, errorCode, errorMessage);
    }
}
