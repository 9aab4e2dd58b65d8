package creditline.api.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import java.util.Map;

/**
 * Answers for requests the HTTP server refuses before any route sees them — a request line longer
 * than {@link #URI_BYTES_MAX}, a malformed one (a bad %-escape), headers beyond Helidon's 16 KiB,
 * a body above twice our own limit — in the error body every other answer has, instead of
 * Helidon's empty one.
 */
final class TransportErrors {
    /**
     * The longest request line read: room for the export's filters at their limit (100 values of
     * a 320-character member id, each character percent-encoded) with the other parameters.
     */
    static final int URI_BYTES_MAX = 128 * 1024;

    private TransportErrors() {}

    static void register(DirectHandlers.Builder handlers) {
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) handlers.addHandler(type, TransportErrors::answer);
    }

    private static DirectHandler.TransportResponse answer(DirectHandler.TransportRequest request, DirectHandler.EventType type,
                                                           Status status, ServerResponseHeaders headers, String detail) {
        String code = switch (status.code()) {
            case 413 -> "BODY_TOO_LARGE";
            case 414 -> "URI_TOO_LONG";
            case 505 -> "HTTP_VERSION_NOT_SUPPORTED";
            default -> status.code() >= 500 ? "INTERNAL" : "MALFORMED_REQUEST";
        };
        String message = switch (code) {
            case "BODY_TOO_LARGE" -> "the request body is larger than " + (2 * Http.BODY_BYTES_MAX >> 20)
                    + " MiB; the API takes " + (Http.BODY_BYTES_MAX >> 20) + " MiB at most";
            case "URI_TOO_LONG" -> "the request line is longer than " + (URI_BYTES_MAX >> 10) + " KiB";
            case "HTTP_VERSION_NOT_SUPPORTED" -> "Creditline speaks HTTP/1.1";
            case "INTERNAL" -> "internal error; see the server log";
            default -> "the HTTP request could not be read (a malformed request line or header, or headers above 16 KiB)"
                    + (detail == null || detail.isBlank() ? "" : ": " + detail);
        };
        headers.set(HeaderNames.CONTENT_TYPE, "application/json");
        return DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .entity(Json.write(ApiServer.errorBody(code, message, Map.of())))
                .build();
    }
}
