/**
 * Budgets, restrictions and the authorization decision.
 *
 * <p>Invariants: budget periods are calendar months in UTC, the same periods as usage totals, so
 * nothing needs a reset job. A member's effective budget is their override's amount when one is
 * set, else the default member budget's; enforcement and alert settings always come from the
 * default member budget. A null amount is unlimited. Only enforced budgets block; a member is
 * blocked when their own enforced budget or the org's enforced budget cannot cover the call.
 * Open reservations count as consumed until settled, released or expired. The decision is a
 * pure function of an {@link creditline.budget.AuthState} snapshot.
 */
package creditline.budget;
