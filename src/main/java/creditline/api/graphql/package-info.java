/**
 * The GraphQL schema ({@code graphql/schema.graphqls}) and its resolvers over the store.
 *
 * <p>Invariants: the same roles and error codes as the REST API (errors carry
 * {@code extensions.code}); public fields (plans, models) need no key; amounts are decimal
 * strings, never binary floats.
 */
package creditline.api.graphql;
