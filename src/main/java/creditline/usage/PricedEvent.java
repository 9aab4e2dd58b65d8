package creditline.usage;

/**
 * An event with its price. {@code nominalMicros} is what the rate card says; {@code chargedMicros}
 * is what the ledger takes: the same, or 0 when the event is unmetered ({@code unmeteredReason}
 * is then {@code byo_key}, {@code model} or {@code deployment}). {@code rateVersion} is null when
 * the model had no rate version in force. {@code restricted} flags usage of a model or activity
 * outside the org's or member's allow-lists: recorded (it happened), and marked.
 */
public record PricedEvent(UsageEvent event, Integer rateVersion, long nominalMicros, long chargedMicros, String unmeteredReason,
                          boolean restricted) {}
