package creditline.budget;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.alert.Thresholds;
import creditline.plan.Plan;
import creditline.pricing.Credits;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One line per rule: the state, the call, the expected reason. */
class AuthorizerTest {
    static long c(String credits) {
        return Credits.parseMicros(credits);
    }

    static BudgetSettings.Budget budget(String credits, boolean enforce) {
        return new BudgetSettings.Budget(credits == null ? null : c(credits), enforce, false, 80);
    }

    /** Plenty everywhere, nothing restricted, an overage-allowed plan. */
    static final AuthState BASE = new AuthState("active", Plan.Overage.ALLOW, null, 0, c("1000"), 0,
            budget(null, false), 0, budget(null, false), 0, 0, Restrictions.NONE, Restrictions.NONE);

    static AuthState with(UnaryOperator<Builder> f) {
        return f.apply(new Builder(BASE)).build();
    }

    /** Copy-with for the snapshot record. */
    static final class Builder {
        String status; Plan.Overage overage; Long tokensIncluded; long tokensUsed; long balance; long orgReserved;
        BudgetSettings.Budget org; long orgConsumed; BudgetSettings.Budget member; long memberConsumed; long memberReserved;
        Restrictions orgR; Restrictions memberR;

        Builder(AuthState s) {
            status = s.orgStatus(); overage = s.overage(); tokensIncluded = s.tokensIncluded(); tokensUsed = s.periodTokensUsed();
            balance = s.balanceMicros(); orgReserved = s.orgReservedMicros(); org = s.orgBudget(); orgConsumed = s.orgConsumedMicros();
            member = s.memberBudget(); memberConsumed = s.memberConsumedMicros(); memberReserved = s.memberReservedMicros();
            orgR = s.orgRestrictions(); memberR = s.memberRestrictions();
        }

        Builder status(String v) { status = v; return this; }
        Builder block() { overage = Plan.Overage.BLOCK; return this; }
        Builder tokens(long included, long used) { tokensIncluded = included; tokensUsed = used; return this; }
        Builder balance(String v) { balance = c(v); return this; }
        Builder orgReserved(String v) { orgReserved = c(v); return this; }
        Builder org(String credits, boolean enforce, String consumed) { org = budget(credits, enforce); orgConsumed = c(consumed); return this; }
        Builder member(String credits, boolean enforce, String consumed, String reserved) {
            member = budget(credits, enforce); memberConsumed = c(consumed); memberReserved = c(reserved); return this;
        }
        Builder orgModels(String... m) { orgR = new Restrictions(Set.of(m), orgR.activities()); return this; }
        Builder memberModels(String... m) { memberR = new Restrictions(Set.of(m), memberR.activities()); return this; }
        Builder orgActivities(String... a) { orgR = new Restrictions(orgR.models(), Set.of(a)); return this; }
        Builder memberActivities(String... a) { memberR = new Restrictions(memberR.models(), Set.of(a)); return this; }

        AuthState build() {
            return new AuthState(status, overage, tokensIncluded, tokensUsed, balance, orgReserved, org, orgConsumed, member,
                    memberConsumed, memberReserved, orgR, memberR);
        }
    }

    static Stream<Arguments> decisions() {
        return Stream.of(
                // name, state, model, activity, estimate, expected reason
                Arguments.of("all clear", BASE, "m", "chat", "0", Reason.OK),
                Arguments.of("suspended org", with(b -> b.status("suspended")), "m", "chat", "0", Reason.ORG_SUSPENDED),
                Arguments.of("suspension beats everything", with(b -> b.status("suspended").orgModels("x").block().balance("0")), "m", "chat", "0", Reason.ORG_SUSPENDED),
                Arguments.of("model not on the org list", with(b -> b.orgModels("other")), "m", "chat", "0", Reason.MODEL_NOT_ALLOWED),
                Arguments.of("model not on the member list", with(b -> b.memberModels("other")), "m", "chat", "0", Reason.MODEL_NOT_ALLOWED),
                Arguments.of("model on both lists", with(b -> b.orgModels("m", "x").memberModels("m")), "m", "chat", "0", Reason.OK),
                Arguments.of("empty list allows nothing", with(b -> b.orgModels()), "m", "chat", "0", Reason.MODEL_NOT_ALLOWED),
                Arguments.of("activity not on the org list", with(b -> b.orgActivities("agent")), "m", "chat", "0", Reason.ACTIVITY_NOT_ALLOWED),
                Arguments.of("activity not on the member list", with(b -> b.memberActivities("agent")), "m", "chat", "0", Reason.ACTIVITY_NOT_ALLOWED),
                Arguments.of("hard limit at zero blocks", with(b -> b.block().balance("0")), "m", "chat", "0", Reason.CREDITS_EXHAUSTED),
                Arguments.of("hard limit below the estimate blocks", with(b -> b.block().balance("5")), "m", "chat", "6", Reason.CREDITS_EXHAUSTED),
                Arguments.of("hard limit exactly the estimate passes", with(b -> b.block().balance("5")), "m", "chat", "5", Reason.OK),
                Arguments.of("hard limit: reservations hold the balance", with(b -> b.block().balance("5").orgReserved("5")), "m", "chat", "0", Reason.CREDITS_EXHAUSTED),
                Arguments.of("overage plan continues at zero", with(b -> b.balance("0")), "m", "chat", "10", Reason.OK),
                Arguments.of("hard limit token limit reached", with(b -> b.block().tokens(1_000, 1_000)), "m", "chat", "0", Reason.TOKEN_LIMIT_REACHED),
                Arguments.of("token limit not reached", with(b -> b.block().tokens(1_000, 999)), "m", "chat", "0", Reason.OK),
                Arguments.of("overage plan ignores the token limit", with(b -> b.tokens(1_000, 5_000)), "m", "chat", "0", Reason.OK),
                Arguments.of("enforced org budget exhausted", with(b -> b.org("100", true, "100")), "m", "chat", "0", Reason.ORG_BUDGET_EXHAUSTED),
                Arguments.of("enforced org budget below the estimate", with(b -> b.org("100", true, "95")), "m", "chat", "6", Reason.ORG_BUDGET_EXHAUSTED),
                Arguments.of("enforced org budget with room", with(b -> b.org("100", true, "95")), "m", "chat", "5", Reason.OK),
                Arguments.of("track-only org budget never blocks", with(b -> b.org("100", false, "500")), "m", "chat", "0", Reason.OK),
                Arguments.of("org reservations count against the budget", with(b -> b.org("100", true, "60").orgReserved("40")), "m", "chat", "0", Reason.ORG_BUDGET_EXHAUSTED),
                Arguments.of("enforced member budget exhausted", with(b -> b.member("10", true, "10", "0")), "m", "chat", "0", Reason.MEMBER_BUDGET_EXHAUSTED),
                Arguments.of("member reservations count", with(b -> b.member("10", true, "4", "6")), "m", "chat", "0", Reason.MEMBER_BUDGET_EXHAUSTED),
                Arguments.of("track-only member budget never blocks", with(b -> b.member("10", false, "50", "0")), "m", "chat", "0", Reason.OK),
                Arguments.of("unlimited member budget", with(b -> b.member(null, true, "1000000", "0")), "m", "chat", "0", Reason.OK),
                Arguments.of("org budget exhausted blocks a member with room", with(b -> b.org("100", true, "100").member("10", true, "0", "0")), "m", "chat", "0", Reason.ORG_BUDGET_EXHAUSTED),
                Arguments.of("zero budget blocks at once", with(b -> b.member("0", true, "0", "0")), "m", "chat", "0", Reason.MEMBER_BUDGET_EXHAUSTED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void decides(String name, AuthState state, String model, String activity, String estimate, Reason expected) {
        Decision d = Authorizer.decide(state, model, activity, c(estimate));
        assertThat(d.reason()).isEqualTo(expected);
        assertThat(d.allowed()).isEqualTo(expected == Reason.OK);
        assertThat(d.message()).isNotBlank();
    }

    @Test
    void blockedMembersAreToldToContactTheirAdministrator() {
        Decision d = Authorizer.decide(with(b -> b.member("10", true, "10", "0")), "m", "chat", 0);
        assertThat(d.message()).contains("Contact your administrator");
        assertThat(d.memberBudgetRemainingMicros()).isZero();
    }

    @Test
    void remainingIsReportedAtEveryLevel() {
        Decision d = Authorizer.decide(with(b -> b.org("100", false, "30").orgReserved("5").member("10", true, "2", "1").balance("50")), "m", "chat", 0);
        assertThat(d.orgBudgetRemainingMicros()).isEqualTo(c("65"));
        assertThat(d.memberBudgetRemainingMicros()).isEqualTo(c("7"));
        assertThat(d.balanceRemainingMicros()).isEqualTo(c("45"));
        assertThat(Authorizer.decide(BASE, "m", "chat", 0).orgBudgetRemainingMicros()).isNull();
    }

    @Test
    void overridesInheritEnforcementAndAlertsFromTheDefault() {
        BudgetSettings s = new BudgetSettings(BudgetSettings.Budget.UNLIMITED, new BudgetSettings.Budget(c("50"), true, true, 75));
        assertThat(s.forMember(true, c("10"))).isEqualTo(new BudgetSettings.Budget(c("10"), true, true, 75));
        assertThat(s.forMember(true, null)).isEqualTo(new BudgetSettings.Budget(null, true, true, 75));
        assertThat(s.forMember(false, null)).isEqualTo(s.defaultMember());
    }

    @Test
    void thresholds() {
        assertThat(Thresholds.reached(c("79.99"), c("100"), 80)).isEmpty();
        assertThat(Thresholds.reached(c("80"), c("100"), 80)).containsExactly(80);
        assertThat(Thresholds.reached(c("100"), c("100"), 80)).containsExactly(80, 100);
        assertThat(Thresholds.reached(c("100"), c("100"), 100)).containsExactly(100);
        assertThat(Thresholds.reached(c("1000"), null, 80)).isEmpty();
        assertThat(Thresholds.reached(0, c("0"), 50)).containsExactly(50, 100);
    }
}
