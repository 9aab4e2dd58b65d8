package creditline.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A lean HTTP/1.1 keep-alive client for load generation: one socket, one request at a time,
 * request bytes written in one call, the response read with Content-Length or chunked framing.
 * The JDK's HttpClient costs more CPU per request than the server under test does on this
 * 2-core machine, so it would measure itself instead of the server.
 */
final class RawHttp implements AutoCloseable {
    private final String host;
    private final int port;
    private final String authorization;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    /** Bytes read from the socket and not consumed yet: buffer[position, limit). */
    private final byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream(1024);

    /** A response: status and body. */
    record Response(int status, String body) {}

    RawHttp(String host, int port, String bearerKey) {
        this.host = host;
        this.port = port;
        this.authorization = bearerKey == null ? "" : "Authorization: Bearer " + bearerKey + "\r\n";
    }

    /** Sends the request and returns the response; throws unless the status is 2xx. */
    String post(String path, String json) throws IOException {
        Response r = send("POST", path, json);
        if (r.status() / 100 != 2) throw new IOException("POST " + path + " -> " + r.status() + " " + r.body());
        return r.body();
    }

    Response send(String method, String path, String json) throws IOException {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        byte[] head = (method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n" + authorization
                + "Content-Type: application/json\r\nContent-Length: " + payload.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head.length + payload.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(payload, 0, request, head.length, payload.length);
        connect();
        out.write(request);
        out.flush();
        return readResponse();
    }

    private void connect() throws IOException {
        if (socket != null) return;
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
        position = 0;
        limit = 0;
    }

    private Response readResponse() throws IOException {
        String statusLine = line();
        if (statusLine.length() < 12) throw new IOException("bad status line: " + statusLine);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String h; !(h = line()).isEmpty(); ) {
            int colon = h.indexOf(':');
            if (colon < 0) continue;
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) length = Long.parseLong(value);
            else if (name.equalsIgnoreCase("transfer-encoding") && value.equalsIgnoreCase("chunked")) chunked = true;
            else if (name.equalsIgnoreCase("connection") && value.equalsIgnoreCase("close")) close = true;
        }
        body.reset();
        if (chunked) {
            for (long size; (size = Long.parseLong(line().split(";")[0].trim(), 16)) > 0; ) {
                copy(size);
                line();
            }
            line();
        } else if (length >= 0) {
            copy(length);
        }
        String text = body.toString(StandardCharsets.UTF_8);
        if (close) close();
        return new Response(status, text);
    }

    private void copy(long n) throws IOException {
        for (long left = n; left > 0; ) {
            if (position == limit) fill();
            int take = (int) Math.min(left, limit - position);
            body.write(buffer, position, take);
            position += take;
            left -= take;
        }
    }

    /**
     * The next line without its CRLF, scanned in the buffer (a synchronized {@code read()} per
     * byte of a {@code BufferedInputStream} was a tenth of the harness's CPU).
     */
    private String line() throws IOException {
        StringBuilder head = null; // the line's start, when it spans more than one read
        while (true) {
            if (position == limit) fill();
            int start = position;
            while (position < limit && buffer[position] != '\n') position++;
            if (position == limit) {
                if (head == null) head = new StringBuilder(64);
                head.append(ascii(start, limit));
                continue;
            }
            String rest = ascii(start, position++); // up to the LF, which is skipped
            String line = head == null ? rest : head.append(rest).toString();
            return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        }
    }

    private String ascii(int from, int to) {
        return new String(buffer, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private void fill() throws IOException {
        int n = in.read(buffer);
        if (n < 0) throw new IOException("connection closed");
        position = 0;
        limit = n;
    }

    @Override
    public void close() {
        if (socket == null) return;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a load-generator socket
        }
        socket = null;
    }
}
