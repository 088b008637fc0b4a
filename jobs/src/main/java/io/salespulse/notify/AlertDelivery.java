package io.salespulse.notify;

import io.salespulse.common.Progress;
import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.TableWriter;
import io.salespulse.gold.Alerts;
import io.salespulse.gold.GoldBuild;
import io.salespulse.common.OpsTables;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.io.IOException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * Sends a date's alerts that no channel has received yet: one message per channel, retried with
 * back-off, every outcome recorded in {@code ops.alert_deliveries}. What was sent is not sent again
 * (a rerun of the date is silent); what failed is sent by the next run or {@code notify}.
 */
public final class AlertDelivery {

    /** SMTP password: only from the environment, never from a file or a flag. */
    public static final String SMTP_PASSWORD_ENV = "SALESPULSE_ALERTS_SMTP_PASSWORD";

    /** @param failed channels that could not deliver after every attempt */
    public record Outcome(int alerts, int sent, List<String> failed) {
        public boolean ok() {
            return failed.isEmpty();
        }
    }

    private final TableWriter writer;
    private final List<AlertChannel> channels;
    private final int attempts;
    private final Duration backoff;
    private final Progress progress;
    private final List<String> secrets;

    public AlertDelivery(TableWriter writer, SalespulseConfig config, Map<String, String> env, Progress progress) {
        this(writer, channels(config, env), (int) config.getLong(SalespulseConfig.ALERTS_RETRY_ATTEMPTS),
                Duration.ofMillis(config.getLong(SalespulseConfig.ALERTS_RETRY_BACKOFF_MS)), progress, secrets(config, env));
    }

    AlertDelivery(TableWriter writer, List<AlertChannel> channels, int attempts, Duration backoff, Progress progress,
                  List<String> secrets) {
        this.writer = writer;
        this.channels = channels;
        this.attempts = Math.max(1, attempts);
        this.backoff = backoff;
        this.progress = progress;
        this.secrets = secrets;
    }

    /**
     * The channels in configuration; a channel configured wrongly (no recipient, a URL that is not
     * one, a port that is not a number) is an {@link IllegalArgumentException} before a run writes.
     */
    public static List<AlertChannel> channels(SalespulseConfig config, Map<String, String> env) {
        List<AlertChannel> out = new ArrayList<>();
        Duration timeout = Duration.ofSeconds(config.getLong(SalespulseConfig.ALERTS_TIMEOUT_SECONDS));
        String host = config.get(SalespulseConfig.ALERTS_SMTP_HOST).trim();
        if (!host.isEmpty()) {
            long port = config.getLong(SalespulseConfig.ALERTS_SMTP_PORT);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("alerts.smtp.port must be 1..65535, got " + port);
            }
            String from = config.get(SalespulseConfig.ALERTS_SMTP_FROM).trim();
            String to = config.get(SalespulseConfig.ALERTS_SMTP_TO).trim();
            if (from.isEmpty() || to.isEmpty()) {
                throw new IllegalArgumentException("alerts.smtp.host is set: alerts.smtp.from and alerts.smtp.to are required");
            }
            // alerts.smtp.starttls is a boolean, checked when the configuration was loaded
            boolean startTls = config.getBoolean(SalespulseConfig.ALERTS_SMTP_STARTTLS);
            out.add(new EmailChannel(host, (int) port, startTls, config.get(SalespulseConfig.ALERTS_SMTP_USER).trim(),
                    env.get(SMTP_PASSWORD_ENV), from, to, timeout));
        }
        String webhook = config.get(SalespulseConfig.ALERTS_WEBHOOK_URL).trim();
        if (!webhook.isEmpty()) {
            out.add(new WebhookChannel(webhook, timeout));
        }
        if (config.getLong(SalespulseConfig.ALERTS_RETRY_ATTEMPTS) < 1) {
            throw new IllegalArgumentException("alerts.retry.attempts must be at least 1");
        }
        config.getLong(SalespulseConfig.ALERTS_RETRY_BACKOFF_MS);
        return out;
    }

    private static List<String> secrets(SalespulseConfig config, Map<String, String> env) {
        List<String> out = new ArrayList<>();
        String webhook = config.get(SalespulseConfig.ALERTS_WEBHOOK_URL).trim();
        if (!webhook.isEmpty()) {
            out.add(webhook);
            String path = java.net.URI.create(webhook).getRawPath();
            if (path != null && path.length() > 1) {
                out.add(path);
            }
        }
        String password = env.get(SMTP_PASSWORD_ENV);
        if (password != null && !password.isEmpty()) {
            out.add(password);
        }
        return out;
    }

    public boolean configured() {
        return !channels.isEmpty();
    }

    /** Delivers {@code date}'s alerts not yet received by each channel. */
    public Outcome deliver(LocalDate date) {
        if (!writer.exists(GoldBuild.LAYER, Alerts.TABLE.name())) {
            return new Outcome(0, 0, List.of());
        }
        List<FiredAlert> fired = FiredAlert.onDate(writer, date);
        if (channels.isEmpty()) {
            if (!fired.isEmpty()) {
                progress.step("notify", String.format("%d alert%s on %s; no channel configured (alerts.webhook_url, "
                        + "alerts.smtp.host): they stay in gold.kpi_alerts", fired.size(), fired.size() == 1 ? "" : "s", date));
            }
            return new Outcome(fired.size(), 0, List.of());
        }
        Set<String> delivered = delivered(date);
        String dashboard = dashboard(date);
        List<Row> records = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        int sent = 0;
        for (AlertChannel channel : channels) {
            List<FiredAlert> pending = fired.stream().filter(a -> !delivered.contains(channel.name() + "|" + a.key())).toList();
            if (pending.isEmpty()) {
                continue;
            }
            AlertMessage message = new AlertMessage(date, pending, dashboard);
            Attempt result = sendWithRetries(channel, message);
            Timestamp at = Timestamp.from(Instant.now());
            for (FiredAlert a : message.alerts()) {
                records.add(RowFactory.create(writer.runId(), Date.valueOf(a.kpiDate()), a.ruleId(), a.subjectId(), a.severity(),
                        channel.name(), channel.target(), result.error == null ? "sent" : "failed", result.attempts,
                        result.error, at));
            }
            if (result.error == null) {
                sent += pending.size();
                progress.step("notify", String.format("%s %s: %d alert%s sent%s", channel.name(), channel.target(), pending.size(),
                        pending.size() == 1 ? "" : "s", result.attempts > 1 ? " (attempt " + result.attempts + ")" : ""));
            } else {
                failed.add(channel.name() + " " + channel.target() + ": " + result.error);
                progress.step("notify", String.format("%s %s: %d alert%s NOT sent after %d attempt%s: %s", channel.name(),
                        channel.target(), pending.size(), pending.size() == 1 ? "" : "s", result.attempts,
                        result.attempts == 1 ? "" : "s", result.error));
            }
        }
        if (!records.isEmpty()) {
            writer.append(OpsTables.LAYER, OpsTables.ALERT_DELIVERIES,
                    writer.spark().createDataFrame(records, OpsTables.alertDeliveries()), List.of());
        }
        return new Outcome(fired.size(), sent, failed);
    }

    private record Attempt(int attempts, String error) {
    }

    private Attempt sendWithRetries(AlertChannel channel, AlertMessage message) {
        long wait = backoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                channel.send(message);
                return new Attempt(attempt, null);
            } catch (AlertChannel.DeliveryException e) {
                String error = redact(e.getMessage());
                if (!e.retryable() || attempt >= attempts) {
                    return new Attempt(attempt, error);
                }
                progress.step("notify", channel.name() + " attempt " + attempt + " failed (" + error + "); retrying in " + wait + " ms");
            } catch (RuntimeException e) {
                // a bug or a library surprise in one channel must not stop the others
                return new Attempt(attempt, redact(e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Attempt(attempt, "interrupted");
            }
            wait *= 2;
        }
    }

    /** channel|kpi_date|rule_id|subject_id of every alert of the date some run has sent. */
    private Set<String> delivered(LocalDate date) {
        Set<String> out = new HashSet<>();
        if (!writer.exists(OpsTables.LAYER, OpsTables.ALERT_DELIVERIES)) {
            return out;
        }
        for (Row r : writer.read(OpsTables.LAYER, OpsTables.ALERT_DELIVERIES)
                .where(col("kpi_date").equalTo(lit(Date.valueOf(date))).and(col("status").equalTo("sent")))
                .select("channel", "kpi_date", "rule_id", "subject_id").distinct().collectAsList()) {
            out.add(r.getString(0) + "|" + r.getDate(1).toLocalDate() + "|" + r.getString(2) + "|" + r.getString(3));
        }
        return out;
    }

    /** The date's dashboard page under the warehouse ({@code reports/D/index.html}) when it exists. */
    private String dashboard(LocalDate date) {
        String page = writer.location("reports", date.toString()) + "/index.html";
        try {
            Path p = new Path(page);
            return p.getFileSystem(writer.spark().sparkContext().hadoopConfiguration()).exists(p) ? page : null;
        } catch (IOException | RuntimeException e) {
            return null; // a link is a courtesy; its absence is not worth a failed delivery
        }
    }

    private String redact(String text) {
        String out = text == null ? "" : text.replaceAll("\\s+", " ").trim();
        for (String s : secrets) {
            out = out.replace(s, "***");
        }
        return out.length() > 400 ? out.substring(0, 400) + "…" : out;
    }
}
