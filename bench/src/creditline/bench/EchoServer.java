package creditline.bench;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/** The baseline: a bare Helidon SE server that answers a POST with its body, on the same stack as Creditline. */
public final class EchoServer {
    private EchoServer() {}

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        if (!Boolean.getBoolean("echo.stockHelidon")) creditline.api.http.ApiServer.fixMapperLookup(); // as Creditline does
        HttpRouting.Builder routing = HttpRouting.builder().post("/echo", (req, res) -> {
            byte[] body = req.content().as(byte[].class);
            res.header("Content-Type", "application/json");
            res.send(body);
        });
        WebServer.builder().host("127.0.0.1").port(port).routing(routing).build().start();
        System.out.println("echo listening on " + port);
    }
}
