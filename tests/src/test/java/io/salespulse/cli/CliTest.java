package io.salespulse.cli;

import io.salespulse.testing.Cli;
import io.salespulse.testing.LandingFixture;
import io.salespulse.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Exit codes, one-line reasons and the export command. */
class CliTest extends SparkTestBase {

    @Test
    void usageErrorsExitTwoWithOneLineReason() {
        Cli.Result noDate = Cli.run("run");
        assertThat(noDate.code()).isEqualTo(2);
        assertThat(noDate.err().lines().findFirst()).hasValue("salespulse: --date is required");

        Cli.Result badDate = Cli.run("run", "--date", "2026-13-01");
        assertThat(badDate.code()).isEqualTo(2);
        assertThat(badDate.err()).startsWith("salespulse: --date must be YYYY-MM-DD, got '2026-13-01'");

        assertThat(Cli.run("frobnicate").code()).isEqualTo(2);
        assertThat(Cli.run("run", "--date", "2026-03-01", "--colour", "red").err())
                .startsWith("salespulse: unknown option --colour");
        assertThat(Cli.run("export", "--table", "nope", "--out", "x.csv").code()).isEqualTo(2);
    }

    /** A rule naming a missing metric, or a channel configured wrongly, stops the run before anything is written. */
    @Test
    void badAlertRulesAndChannelsAreUsageErrorsBeforeAnyWrite() throws IOException {
        Path dir = workDir("cli-alert-config");
        Path warehouse = dir.resolve("warehouse");
        Path landing = dir.resolve("landing");
        Files.createDirectories(landing);
        Path rules = dir.resolve("rules.properties");
        Files.writeString(rules, "alerts.rules=deals_drop: deals_won < baseline_weekday_8w - 3 mad warning\n");
        Cli.Result r = Cli.run("run", "--date", "2026-03-01", "--landing", landing.toString(), "--warehouse", warehouse.toString(),
                "--conf", rules.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().findFirst()).hasValue("salespulse: alert rule deals_drop: kpi_daily has no numeric KPI named deals_won");
        assertThat(warehouse).doesNotExist();

        Path smtp = dir.resolve("smtp.properties");
        Files.writeString(smtp, "alerts.smtp.host=127.0.0.1\nalerts.smtp.from=salespulse@example.com\n");
        Cli.Result noRecipient = Cli.run("run", "--date", "2026-03-01", "--landing", landing.toString(),
                "--warehouse", warehouse.toString(), "--conf", smtp.toString());
        assertThat(noRecipient.code()).isEqualTo(2);
        assertThat(noRecipient.err()).startsWith("salespulse: alerts.smtp.host is set: alerts.smtp.from and alerts.smtp.to are required");
        assertThat(warehouse).doesNotExist();

        Cli.Result badHook = Cli.runWithEnv(java.util.Map.of("SALESPULSE_HASH_KEY", Cli.TEST_HASH_KEY,
                        "SALESPULSE_ALERTS_WEBHOOK_URL", "ftp://hooks.example.com/T0K3N"),
                "notify", "--date", "2026-03-01", "--warehouse", warehouse.toString());
        assertThat(badHook.code()).isEqualTo(2);
        assertThat(badHook.err()).startsWith("salespulse: alerts.webhook_url must be an http(s) URL with a host").doesNotContain("T0K3N");
    }

    @Test
    void unexpectedFailureExitsOneWithoutAStackTrace() {
        Path dir = workDir("cli-fail");
        Cli.Result r = Cli.run("run", "--date", "2026-03-01", "--conf", dir.resolve("missing.properties").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().lines().toList()).hasSize(1);
        assertThat(r.err()).startsWith("salespulse: failed: configuration file not found");
    }

    @Test
    void exportWritesOneSortedCsvWithHeaderAndEmptyNulls() throws IOException {
        Path dir = workDir("export");
        LandingFixture landing = new LandingFixture(dir.resolve("landing"));
        landing.salesforce("Account", "2026-03-01").file("part-00000.csv", 2,
                "Id,IsDeleted,CreatedDate,SystemModstamp,Name,OwnerId,Industry\n"
                        + "A2,false,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,\"Beta, Inc\",U2,\n"
                        + "A1,false,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,Acme,U1,Retail\n").manifest();
        String wh = dir.resolve("warehouse").toString();
        assertThat(Cli.run("run", "--date", "2026-03-01", "--stage", "ingest", "--landing", landing.uri(), "--warehouse", wh).code()).isEqualTo(0);

        Path out = dir.resolve("accounts.csv");
        Cli.Result r = Cli.run("export", "--table", "bronze.salesforce_account", "--out", out.toString(), "--warehouse", wh);
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(0)).startsWith("Id,IsDeleted,CreatedDate,SystemModstamp,Name,OwnerId,Industry,_source_file");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).startsWith("A1,false,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,Acme,U1,Retail,");
        assertThat(lines.get(2)).startsWith("A2,false,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,\"Beta, Inc\",U2,,");

        Path parquet = dir.resolve("accounts.parquet");
        assertThat(Cli.run("export", "--table", "bronze.salesforce_account", "--out", parquet.toString(),
                "--format", "parquet", "--warehouse", wh).code()).isEqualTo(0);
        assertThat(spark().read().parquet(parquet.toString()).count()).isEqualTo(2);
    }
}
