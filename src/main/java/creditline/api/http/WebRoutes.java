package creditline.api.http;

import creditline.common.Failure;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web dashboard and the API's static documents, read from the jar: {@code GET /} (the page),
 * {@code GET /web/…} (its styles and ES modules, from {@code resources/web/}),
 * {@code GET /web/vendor/echarts/…} (the ECharts WebJar) and {@code GET /openapi.json}.
 * Only names of known types made of plain path segments are served, so no request can reach
 * outside those folders; anything else under {@code /web/} is the API's JSON 404.
 */
final class WebRoutes {
    static final String WEB_ROOT = "web/";
    private static final String ECHARTS_PREFIX = "vendor/echarts/";
    /** Path segments: letters, digits, '.', '_' and '-', never starting with a '.'. */
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");
    private static final Map<String, String> MEDIA_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "json", "application/json",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");
    /** The page and our modules change with each build: revalidate every time (cheap with the ETag). */
    private static final String CACHE_APP = "no-cache";
    /** The vendored chart library changes only with its WebJar version. */
    private static final String CACHE_VENDOR = "public, max-age=86400";
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
            + "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private record Asset(byte[] bytes, String mediaType, String etag, String cacheControl) {}

    private final ClassLoader loader = WebRoutes.class.getClassLoader();
    private final String echartsRoot = webJarRoot("echarts") + "dist/";
    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    void register(HttpRouting.Builder r) {
        r.get("/", (req, res) -> send(req, res, required(WEB_ROOT + "index.html", CACHE_APP)))
                .get("/openapi.json", (req, res) -> send(req, res, required("openapi.json", CACHE_APP)))
                .get("/web/{+path}", this::web);
    }

    private void web(ServerRequest req, ServerResponse res) {
        String path = Http.param(req, "path");
        Asset asset = null;
        if (path != null && SAFE_PATH.matcher(path).matches()) {
            asset = path.startsWith(ECHARTS_PREFIX)
                    ? load(echartsRoot + path.substring(ECHARTS_PREFIX.length()), CACHE_VENDOR)
                    : load(WEB_ROOT + path, CACHE_APP);
        }
        if (asset == null) throw Failure.notFound("NOT_FOUND", "no such file: /web/" + (path == null ? "" : path));
        send(req, res, asset);
    }

    private Asset required(String resource, String cacheControl) {
        Asset a = load(resource, cacheControl);
        if (a == null) throw new IllegalStateException(resource + " is missing from the classpath");
        return a;
    }

    /** The resource with its type and ETag, or null when it does not exist or its type is not served. */
    private Asset load(String resource, String cacheControl) {
        String mediaType = MEDIA_TYPES.get(extension(resource));
        if (mediaType == null) return null;
        Asset cached = cache.get(resource);
        if (cached != null) return cached;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) return null;
            byte[] bytes = in.readAllBytes();
            Asset a = new Asset(bytes, mediaType, etag(bytes), cacheControl);
            cache.put(resource, a);
            return a;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(ServerRequest req, ServerResponse res, Asset a) {
        res.header(HeaderNames.CACHE_CONTROL, a.cacheControl());
        res.header(HeaderNames.ETAG, a.etag());
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        if (a.mediaType().startsWith("text/html")) {
            res.header(HeaderNames.create("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
            res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        }
        String ifNoneMatch = req.headers().first(HeaderNames.IF_NONE_MATCH).orElse(null);
        if (a.etag().equals(ifNoneMatch)) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, a.mediaType());
        res.send(a.bytes());
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A WebJar's folder in the jar, with the version its Maven metadata names (so upgrades need no code change). */
    private String webJarRoot(String artifactId) {
        String props = "META-INF/maven/org.webjars.npm/" + artifactId + "/pom.properties";
        try (InputStream in = loader.getResourceAsStream(props)) {
            if (in == null) throw new IllegalStateException("the " + artifactId + " WebJar is missing from the classpath");
            Properties p = new Properties();
            p.load(in);
            return "META-INF/resources/webjars/" + artifactId + "/" + p.getProperty("version") + "/";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
