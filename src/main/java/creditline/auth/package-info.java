/**
 * Keys, roles and tenant scope.
 *
 * <p>Invariants: a key's secret is shown once and only its SHA-256 hash is stored. An operator
 * key may do anything; an admin key acts within its one org; a member key sees only its own
 * member's data. A request with no or an unknown key is unauthenticated (401); a valid key
 * outside its scope is forbidden (403) whether or not the target exists, so other orgs'
 * existence never leaks.
 */
package creditline.auth;
