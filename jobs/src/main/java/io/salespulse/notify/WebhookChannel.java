package io.salespulse.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** An incoming webhook (Slack, Teams, Mattermost): one JSON POST with a {@code text} field. */
final class WebhookChannel implements AlertChannel {

    private final URI url;
    private final Duration timeout;
    private final HttpClient client;

    WebhookChannel(String url, Duration timeout) {
        URI parsed;
        try {
            parsed = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("alerts.webhook_url is not a URL");
        }
        if (!"https".equals(parsed.getScheme()) && !"http".equals(parsed.getScheme()) || parsed.getHost() == null) {
            // the value itself is not repeated: it may hold a token
            throw new IllegalArgumentException("alerts.webhook_url must be an http(s) URL with a host");
        }
        this.url = parsed;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String name() {
        return "webhook";
    }

    /** Scheme and host only: the path of a chat webhook is its secret. */
    @Override
    public String target() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + "/…";
    }

    @Override
    public void send(AlertMessage message) throws DeliveryException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(message.json(), StandardCharsets.UTF_8)).build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DeliveryException(target() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException(target() + ": interrupted", false);
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return;
        }
        String body = response.body() == null ? "" : response.body().replaceAll("\\s+", " ").trim();
        // 429 and 5xx are the receiver's trouble and pass; another 4xx (a revoked hook) will not
        throw new DeliveryException(target() + ": HTTP " + status + (body.isEmpty() ? "" : " " + abbreviate(body)),
                status == 429 || status >= 500);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
