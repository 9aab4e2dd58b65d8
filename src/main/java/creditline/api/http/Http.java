package creditline.api.http;

import creditline.common.Failure;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Request reading and response writing shared by the routes. */
final class Http {
    /** Largest request body read (a full batch of 10,000 events fits comfortably). */
    static final int BODY_BYTES_MAX = 32 * 1024 * 1024;

    private Http() {}

    static byte[] body(ServerRequest req) {
        java.util.OptionalLong declared = req.headers().contentLength();
        try (InputStream in = req.content().inputStream()) {
            if (declared.isPresent() && declared.getAsLong() <= BODY_BYTES_MAX) {
                // The common case: read exactly the declared length into one array (readNBytes(max)
                // gathers 8 KiB chunks and copies them, a tenth of a small request's cost).
                byte[] bytes = new byte[(int) declared.getAsLong()];
                int n = in.readNBytes(bytes, 0, bytes.length);
                if (n < bytes.length) throw new IOException("the body ended after " + n + " of its " + bytes.length + " declared bytes");
                return bytes;
            }
            byte[] bytes = in.readNBytes(BODY_BYTES_MAX + 1);
            if (bytes.length > BODY_BYTES_MAX) {
                // Read the rest (Helidon stops a body at twice this limit): left unread, it would be
                // taken for the connection's next request.
                in.transferTo(OutputStream.nullOutputStream());
                throw new Failure(Failure.Kind.TOO_LARGE, "BODY_TOO_LARGE", "the request body is larger than " + BODY_BYTES_MAX + " bytes",
                        Map.of("bodyBytesMax", BODY_BYTES_MAX));
            }
            return bytes;
        } catch (IOException e) {
            throw new Failure(Failure.Kind.INVALID, "MALFORMED_REQUEST", "the request body could not be read: " + e.getMessage());
        }
    }

    static String param(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }

    /** Refuses a query parameter the endpoint does not take (a typo is never silently ignored). */
    static void onlyParams(ServerRequest req, Set<String> allowed) {
        for (String name : req.query().names()) {
            if (!allowed.contains(name)) {
                throw new Failure(Failure.Kind.INVALID, "UNKNOWN_FIELD", "unknown query parameter '" + name + "'; "
                        + (allowed.isEmpty() ? "this endpoint takes none" : "allowed: " + String.join(", ", allowed.stream().sorted().toList())),
                        Map.of("field", name));
            }
        }
    }

    /** A query parameter given at most once (a second value, e.g. {@code dryRun=false&dryRun=true}, is refused, not ignored). */
    static String query(ServerRequest req, String name) {
        List<String> values = req.query().all(name, List::of);
        if (values.size() > 1) throw Failure.invalid(name, name + " is given " + values.size() + " times; give it once");
        return values.isEmpty() ? null : values.get(0);
    }

    static void json(ServerResponse res, Status status, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.write(body));
    }

    static void ok(ServerResponse res, Object body) {
        json(res, Status.OK_200, body);
    }
}
