package io.salespulse.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.salespulse.testing.Cli;
import io.salespulse.testing.SparkTestBase;
import jakarta.mail.internet.MimeMessage;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alert delivery against a real SMTP server (GreenMail, with a login) and a real HTTP receiver in
 * this JVM: one e-mail and one webhook call per run with both alerts, nothing again on a rerun,
 * retries through two 500s, a receiver that is down leaves the run green and the failure recorded
 * (notify delivers it later), and no secret in any output, table or the run log.
 */
@Tag("slow")
class AlertDeliveryTest extends SparkTestBase {

    private static final String PASSWORD = "pw-Zq81-not-for-logs";
    private static final String TOKEN = "T0K3N-xyzzy-secret";
    private static final String DAY = "2026-01-07";
    private static final String NEXT = "2026-01-08";

    private static Path dir;
    private static String landing;
    private static String warehouse;
    private static GreenMail smtp;
    private static final List<String> webhookBodies = Collections.synchronizedList(new ArrayList<>());
    private static final Deque<Integer> webhookAnswers = new ConcurrentLinkedDeque<>();
    private static HttpServer receiver;
    private static int webhookPort;
    private static final List<String> outputs = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        dir = workDir("alert-delivery");
        landing = dir.resolve("landing").toString();
        warehouse = dir.resolve("warehouse").toString();
        assertThat(Cli.run("datagen", "--out", landing, "--start", "2026-01-01", "--days", "8", "--scale", "0.01",
                "--seed", "5", "--malformed-rate", "0").code()).isEqualTo(0);
        smtp = new GreenMail(new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts", PASSWORD));
        smtp.start();
        webhookPort = freePort();
        startReceiver();
    }

    @AfterAll
    static void tearDown() {
        if (smtp != null) {
            smtp.stop();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private static void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", webhookPort), 0);
        receiver.createContext("/hooks/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                webhookBodies.add(exchange.getRequestURI().getPath() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            Integer status = webhookAnswers.poll();
            byte[] reply = (status == null || status == 200 ? "ok" : "server trouble").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status == null ? 200 : status, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        receiver.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Path conf() throws IOException {
        Path conf = dir.resolve("alerts.properties");
        Files.writeString(conf, String.join("\n",
                "alerts.rules=leads_seen: leads_created >= 0 warning; wins_seen: won >= 0 critical",
                "alerts.smtp.host=127.0.0.1",
                "alerts.smtp.port=" + smtp.getSmtp().getPort(),
                "alerts.smtp.starttls=false",
                "alerts.smtp.user=alerts",
                "alerts.smtp.from=salespulse@example.com",
                "alerts.smtp.to=sales-ops@example.com, vp-sales@example.com",
                "alerts.retry.attempts=3",
                "alerts.retry.backoff_ms=50",
                "alerts.timeout_seconds=5", ""));
        return conf;
    }

    /** The webhook URL (with its token) and the SMTP password come from the environment, as in production. */
    private static Cli.Result cli(String... args) {
        Cli.Result r = Cli.runWithEnv(Map.of("SALESPULSE_HASH_KEY", Cli.TEST_HASH_KEY,
                "SALESPULSE_ALERTS_SMTP_PASSWORD", PASSWORD,
                "SALESPULSE_ALERTS_WEBHOOK_URL", "http://127.0.0.1:" + webhookPort + "/hooks/" + TOKEN), args);
        outputs.add(r.out());
        outputs.add(r.err());
        return r;
    }

    private static List<Row> deliveries() {
        return spark().read().format("delta").load(warehouse + "/ops/alert_deliveries").orderBy("kpi_date", "channel", "rule_id")
                .collectAsList();
    }

    @Test
    void deliversOnceRetriesSurvivesADownReceiverAndKeepsSecretsOut() throws Exception {
        String conf = conf().toString();
        // 1. the catch-up run for DAY: the receiver answers 500 twice, then 200
        webhookAnswers.addAll(List.of(500, 500, 200));
        Cli.Result first = cli("run", "--date", DAY, "--landing", landing, "--warehouse", warehouse, "--conf", conf);
        assertThat(first.code()).as(first.err()).isEqualTo(0);
        assertThat(first.out()).contains("email smtp://127.0.0.1:" + smtp.getSmtp().getPort() + " (2 recipients): 2 alerts sent")
                .contains("webhook http://127.0.0.1:" + webhookPort + "/…: 2 alerts sent (attempt 3)");

        MimeMessage[] mails = smtp.getReceivedMessages();
        // one message, delivered to both recipients (GreenMail keeps a copy per recipient)
        assertThat(mails).hasSize(2);
        assertThat(mails[0].getSubject()).isEqualTo("salespulse: 2 alerts on " + DAY + " (1 critical, 1 warning)");
        String body = GreenMailUtil.getBody(mails[0]);
        assertThat(body.indexOf("[CRITICAL] wins_seen")).isPositive().isLessThan(body.indexOf("[WARNING] leads_seen"));
        assertThat(webhookBodies).hasSize(3);   // two refused, the third taken
        JsonNode hook = new ObjectMapper().readTree(webhookBodies.get(2).substring(webhookBodies.get(2).indexOf(' ') + 1));
        assertThat(hook.get("text").asText()).startsWith("salespulse: 2 alerts on " + DAY);
        assertThat(hook.get("alerts")).hasSize(2);
        assertThat(hook.get("alerts").get(0).get("rule_id").asText()).isEqualTo("wins_seen");
        assertThat(hook.get("alerts").get(1).get("rule_id").asText()).isEqualTo("leads_seen");
        assertThat(hook.get("alerts").get(1).get("kpi_date").asText()).isEqualTo(DAY);

        List<Row> recorded = deliveries();
        assertThat(recorded).hasSize(4);
        assertThat(recorded).allSatisfy(r -> assertThat(r.<String>getAs("status")).isEqualTo("sent"));
        assertThat(recorded).extracting(r -> r.<String>getAs("channel") + " " + r.<Integer>getAs("attempts"))
                .containsExactlyInAnyOrder("email 1", "email 1", "webhook 3", "webhook 3");

        // 2. a rerun of the same date sends nothing and records nothing
        Cli.Result rerun = cli("run", "--date", DAY, "--landing", landing, "--warehouse", warehouse, "--conf", conf);
        assertThat(rerun.code()).as(rerun.err()).isEqualTo(0);
        assertThat(smtp.getReceivedMessages()).hasSize(2);
        assertThat(webhookBodies).hasSize(3);
        assertThat(deliveries()).hasSize(4);

        // 3. the next day with the webhook receiver down: the run is green, e-mail goes, the failure is recorded
        receiver.stop(0);
        Cli.Result down = cli("run", "--date", NEXT, "--landing", landing, "--warehouse", warehouse, "--conf", conf);
        assertThat(down.code()).as(down.err()).isEqualTo(0);
        assertThat(down.err()).contains("alert delivery failed (notify --date " + NEXT + " retries it): webhook");
        assertThat(smtp.getReceivedMessages()).hasSize(4);
        List<Row> failed = deliveries().stream().filter(r -> r.<String>getAs("status").equals("failed")).toList();
        assertThat(failed).hasSize(2);
        assertThat(failed).allSatisfy(r -> {
            assertThat(r.<String>getAs("channel")).isEqualTo("webhook");
            assertThat(r.<Integer>getAs("attempts")).isEqualTo(3);
            assertThat(r.<String>getAs("error")).contains("ConnectException");
            assertThat(r.getAs("kpi_date").toString()).isEqualTo(NEXT);
        });
        assertThat(spark().read().format("delta").load(warehouse + "/ops/run_log").where("run_date = DATE'" + NEXT + "'")
                .first().<String>getAs("outcome")).isEqualTo("success");

        // 4. notify, once the receiver is back, sends only what was not delivered: the webhook's
        startReceiver();
        Cli.Result notify = cli("notify", "--date", NEXT, "--warehouse", warehouse, "--conf", conf);
        assertThat(notify.code()).as(notify.err()).isEqualTo(0);
        assertThat(webhookBodies).hasSize(4);
        assertThat(webhookBodies.get(3)).contains("\"kpi_date\":\"" + NEXT + "\"");
        assertThat(smtp.getReceivedMessages()).hasSize(4);
        assertThat(cli("notify", "--date", NEXT, "--warehouse", warehouse, "--conf", conf).code()).isEqualTo(0);
        assertThat(webhookBodies).hasSize(4);

        // 5. a fully delivered date needs no receiver: nothing to send
        receiver.stop(0);
        assertThat(cli("notify", "--date", DAY, "--warehouse", warehouse, "--conf", conf).code()).isEqualTo(0);
        startReceiver();

        // secrets: not in any output, not in any ops table, not in the run log
        String everything = String.join("\n", outputs)
                + spark().read().format("delta").load(warehouse + "/ops/alert_deliveries").collectAsList()
                + spark().read().format("delta").load(warehouse + "/ops/run_log").collectAsList();
        assertThat(everything).doesNotContain(TOKEN).doesNotContain(PASSWORD).doesNotContain("vp-sales@example.com");
        assertThat(List.of(mails[0].getRecipients(jakarta.mail.Message.RecipientType.TO))).extracting(Object::toString)
                .containsExactly("sales-ops@example.com", "vp-sales@example.com");
    }

    @Test
    void aReceiverThatStaysDownMakesNotifyExitSix() throws Exception {
        // a warehouse with alerts but whose webhook never answers: exit 6, nothing else changes
        Path conf = dir.resolve("down.properties");
        Files.writeString(conf, "alerts.retry.attempts=2\nalerts.retry.backoff_ms=10\nalerts.timeout_seconds=2\n");
        Path wh = dir.resolve("down-warehouse");
        writeAlert(wh.toString());
        Cli.Result r = Cli.runWithEnv(Map.of("SALESPULSE_ALERTS_WEBHOOK_URL", "http://127.0.0.1:" + freePort() + "/hooks/" + TOKEN),
                "notify", "--date", "2026-03-02", "--warehouse", wh.toString(), "--conf", conf.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(6);
        assertThat(r.err()).contains("delivery failed: webhook http://127.0.0.1:").doesNotContain(TOKEN);
        Row row = spark().read().format("delta").load(wh + "/ops/alert_deliveries").first();
        assertThat(row.<String>getAs("status")).isEqualTo("failed");
        assertThat(row.<Integer>getAs("attempts")).isEqualTo(2);
    }

    /** One hand-made alert row in a fresh warehouse's gold.kpi_alerts. */
    private static void writeAlert(String wh) {
        spark().sql("SELECT DATE'2026-03-02' AS kpi_date, 'r1' AS rule_id, 'company' AS grain, 'company' AS subject_id, "
                        + "'company-wide' AS subject_name, 'won' AS metric, 0D AS value, 1D AS threshold, CAST(NULL AS DOUBLE) AS baseline, "
                        + "CAST(NULL AS DOUBLE) AS deviation_mad, 'critical' AS severity, 'won < 1' AS rule")
                .write().format("delta").save(wh + "/gold/kpi_alerts");
    }
}
