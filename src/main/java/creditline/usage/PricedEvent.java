package creditline.usage;

/**
 * An event with its price. {@code nominalMicros} is what the rate card says; {@code chargedMicros}
 * is what the ledger takes: the same, or 0 when the event is unmetered ({@code unmeteredReason}
 * is then {@code byo_key}, {@code model} or {@code deployment}). {@code rateVersion} is null when
 * the model had no rate version in force.
 */
public record PricedEvent(UsageEvent event, Integer rateVersion, long nominalMicros, long chargedMicros, String unmeteredReason) {}
