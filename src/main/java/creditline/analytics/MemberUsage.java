package creditline.analytics;

import java.time.LocalDate;
import java.util.List;

/**
 * One row of the member table: the member's usage in the range, by model (events and credits
 * only), and their monthly budget as enforced now. {@code current} is false for a removed member
 * whose usage is in the range (recorded usage stays).
 */
public record MemberUsage(String memberId, boolean current, long chargedMicros, long events,
                          List<UsageSummary.Share> byModel, Budget budget) {

    /**
     * The member's budget for the calendar month (UTC) containing now: its amount in micro-credits
     * (null: unlimited), whether it is enforced, and what the member consumed since {@code periodStart}.
     */
    public record Budget(Long creditsMicros, boolean enforce, long consumedMicros, LocalDate periodStart) {}

    /** A page of the table: {@code total} rows match the search. */
    public record Page(List<MemberUsage> rows, long total, MemberQuery query) {}
}
