package io.salespulse.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.salespulse.common.Progress;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** The demo's chat webhook: a receiver on 127.0.0.1 that prints each alert message it is sent. */
final class DemoWebhook implements AutoCloseable {

    private final HttpServer server;

    private DemoWebhook(HttpServer server) {
        this.server = server;
    }

    static DemoWebhook start(Progress progress) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            ObjectMapper json = new ObjectMapper();
            server.createContext("/demo-webhook", exchange -> {
                String text;
                try (InputStream in = exchange.getRequestBody()) {
                    text = json.readTree(in.readAllBytes()).path("text").asText();
                } catch (IOException e) {
                    text = "(unreadable body: " + e.getMessage() + ")";
                }
                for (String line : text.strip().split("\n")) {
                    progress.step("webhook", line);
                }
                byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, ok.length);
                exchange.getResponseBody().write(ok);
                exchange.close();
            });
            server.start();
            DemoWebhook hook = new DemoWebhook(server);
            progress.step("demo", "alerts are delivered to a local webhook receiver at " + hook.url()
                    + " (set alerts.webhook_url or alerts.smtp.host to use your own)");
            return hook;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the demo webhook receiver", e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/demo-webhook";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
