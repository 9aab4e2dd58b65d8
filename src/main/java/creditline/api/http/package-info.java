/**
 * The REST API v1 over Helidon SE: routes, request parsing, JSON rendering and the one error
 * mapper that renders every failure as {@code {"error": {code, message, details}}}.
 *
 * <p>Invariants: JSON numbers are read as {@link java.math.BigDecimal}, never binary floats;
 * credit amounts are written as decimal strings; every body, batch and page has a limit.
 */
package creditline.api.http;
