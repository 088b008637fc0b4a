package io.salespulse.gold;

import io.salespulse.testing.Cli;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Landing files → run → exported gold CSVs, and a handful of KPIs recomputed here straight from
 * the landing rows with plain SQL (independently of the pipeline's code).
 */
@org.junit.jupiter.api.Tag("slow")
class GoldEndToEndTest extends SparkTestBase {

    private static Path dir;
    private static String landing;
    private static String warehouse;

    @BeforeAll
    static void run() {
        dir = workDir("gold-e2e");
        landing = dir.resolve("landing").toString();
        warehouse = dir.resolve("warehouse").toString();
        assertThat(Cli.run("datagen", "--out", landing, "--start", "2026-01-01", "--days", "40", "--scale", "0.02",
                "--seed", "21", "--malformed-rate", "0").code()).isEqualTo(0);
        Cli.Result r = Cli.run("run", "--date", "2026-02-09", "--landing", landing, "--warehouse", warehouse);
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("gold.kpi_daily").contains("] kpi ");
    }

    /**
     * The dashboard the run published, opened in a real headless Chromium: it renders without a
     * console message, and every tile shows gold.kpi_daily's value for the date, formatted.
     */
    @Test
    void theDashboardShowsTheDatesKpisInABrowser() throws Exception {
        java.nio.file.Path page = java.nio.file.Path.of(warehouse, "reports", "2026-02-09", "index.html");
        assertThat(page).as("the run publishes the dashboard").exists();
        Path out = dir.resolve("report");
        Cli.Result r = Cli.run("report", "--date", "2026-02-09", "--out", out.toString(), "--warehouse", warehouse);
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(Files.readString(out.resolve("index.html"))).isEqualTo(Files.readString(page));

        io.salespulse.testing.Chromium.Page rendered = io.salespulse.testing.Chromium.load(page);
        assertThat(rendered.console()).isEmpty();
        Row gold = spark().read().format("delta").load(warehouse + "/gold/kpi_daily").where("kpi_date = DATE'2026-02-09'").first();
        java.util.regex.Matcher tile = java.util.regex.Pattern.compile(
                "<div class=\"tile\" data-kpi=\"([a-z_0-9]+)\" data-value=\"([^\"]*)\"><div class=\"label\">[^<]*</div>"
                        + "<div class=\"value\">([^<]*)</div>").matcher(rendered.dom());
        int tiles = 0;
        while (tile.find()) {
            tiles++;
            Object v = gold.getAs(tile.group(1));
            if (v == null) {
                assertThat(tile.group(2)).as(tile.group(1)).isEmpty();
                assertThat(tile.group(3)).as(tile.group(1)).isEqualTo("–");
            } else {
                assertThat(Double.parseDouble(tile.group(2))).as(tile.group(1)).isEqualTo(((Number) v).doubleValue());
            }
            if (tile.group(1).equals("leads_created")) {
                assertThat(tile.group(3)).isEqualTo(String.format(java.util.Locale.US, "%,d", gold.<Long>getAs("leads_created")));
            }
            if (tile.group(1).equals("net_revenue")) {
                assertThat(tile.group(3)).isEqualTo("USD " + String.format(java.util.Locale.US, "%,.2f",
                        gold.<java.math.BigDecimal>getAs("net_revenue").setScale(2, java.math.RoundingMode.HALF_UP)));
            }
        }
        assertThat(tiles).isEqualTo(14);
        assertThat(rendered.dom()).contains("<svg").contains("Rep leaderboard").contains("Cohort customer lifetime value");

        // kept for a person to look at (target/ is the CI artifact area; never committed)
        Path png = Path.of("target", "dashboard-2026-02-09.png");
        io.salespulse.testing.Chromium.screenshot(page, png);
        assertThat(Files.size(png)).isGreaterThan(10_000);
        System.out.println("dashboard screenshot: " + png.toAbsolutePath());
    }

    /** Every CSV part of an object's snapshots, with the snapshot date from the folder name. */
    private static Dataset<Row> landed(String object) {
        return spark().read().option("header", "true").option("multiLine", "true").option("escape", "\"")
                .csv(landing + "/salesforce/" + object + "/*/part-*")
                .selectExpr("*", "regexp_extract(_metadata.file_path, 'snapshot_date=([0-9-]+)', 1) AS snap");
    }

    private static Map<String, Row> exportedDaily() throws Exception {
        Path csv = dir.resolve("kpi_daily.csv");
        Cli.Result r = Cli.run("export", "--table", "gold.kpi_daily", "--out", csv.toString(), "--warehouse", warehouse);
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(Files.readAllLines(csv).get(0)).startsWith("kpi_date,kpi_month,leads_created,avg_lead_quality");
        Map<String, Row> out = new HashMap<>();
        for (Row row : spark().read().option("header", "true").csv(csv.toString()).collectAsList()) {
            out.put(row.getAs("kpi_date"), row);
        }
        assertThat(out).hasSize(40);
        return out;
    }

    @Test
    void leadsOpportunitiesWinsAndActiveUsersMatchTheLandingRows() throws Exception {
        Map<String, Row> daily = exportedDaily();
        // latest version per Id (modstamp, then snapshot), live only, counted on the date of CreatedDate (UTC)
        String latest = "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY Id ORDER BY CAST(SystemModstamp AS TIMESTAMP) DESC, snap DESC) AS rn FROM %s) WHERE rn = 1 AND IsDeleted = 'false'";
        landed("Lead").createOrReplaceTempView("landed_lead");
        landed("Opportunity").createOrReplaceTempView("landed_opp");
        Map<String, Long> leads = counts(spark().sql("SELECT to_date(CAST(CreatedDate AS TIMESTAMP)) AS d, count(*) AS n FROM ("
                + String.format(latest, "landed_lead") + ") GROUP BY 1"));
        Map<String, Long> opps = counts(spark().sql("SELECT to_date(CAST(CreatedDate AS TIMESTAMP)) AS d, count(*) AS n FROM ("
                + String.format(latest, "landed_opp") + ") GROUP BY 1"));
        Map<String, Long> won = counts(spark().sql("SELECT CloseDate AS d, count(*) AS n FROM ("
                + String.format(latest, "landed_opp") + ") WHERE IsClosed = 'true' AND IsWon = 'true' GROUP BY 1"));
        spark().read().json(landing + "/segment/events/*/part-*").createOrReplaceTempView("landed_events");
        Map<String, Long> dau = counts(spark().sql("SELECT to_date(CAST(timestamp AS TIMESTAMP)) AS d, "
                + "count(DISTINCT coalesce(userId, anonymousId)) AS n FROM (SELECT DISTINCT messageId, userId, anonymousId, timestamp FROM landed_events) GROUP BY 1"));
        assertThat(leads.values().stream().mapToLong(Long::longValue).sum()).isGreaterThan(200);
        assertThat(won.values().stream().mapToLong(Long::longValue).sum()).isPositive();
        for (Map.Entry<String, Row> e : daily.entrySet()) {
            String d = e.getKey();
            Row k = e.getValue();
            assertThat(Long.parseLong(k.getAs("leads_created"))).as("leads_created " + d).isEqualTo(leads.getOrDefault(d, 0L));
            assertThat(Long.parseLong(k.getAs("opportunities_created"))).as("opportunities_created " + d).isEqualTo(opps.getOrDefault(d, 0L));
            assertThat(Long.parseLong(k.getAs("won"))).as("won " + d).isEqualTo(won.getOrDefault(d, 0L));
            assertThat(Long.parseLong(k.getAs("active_users"))).as("active_users " + d).isEqualTo(dau.getOrDefault(d, 0L));
        }
    }

    @Test
    void everyGoldTableExportsToCsv() throws Exception {
        for (String table : List.of("kpi_daily", "kpi_cohort_clv", "kpi_rep_daily", "kpi_campaign", "kpi_alerts")) {
            Path csv = dir.resolve(table + ".csv");
            Cli.Result r = Cli.run("export", "--table", "gold." + table, "--out", csv.toString(), "--warehouse", warehouse);
            assertThat(r.code()).as(table + ": " + r.err()).isEqualTo(0);
            assertThat(Files.readAllLines(csv)).as(table).isNotEmpty();
        }
        assertThat(spark().sql("DESCRIBE DETAIL delta.`" + warehouse + "/gold/kpi_daily`").select("partitionColumns")
                .first().getList(0)).containsExactly("kpi_month");
    }

    @Test
    void alertsExitNonZeroExactlyWhenACriticalRuleFired() {
        long critical = spark().read().format("delta").load(warehouse + "/gold/kpi_alerts")
                .where("kpi_date = DATE'2026-02-09' AND severity = 'critical'").count();
        Cli.Result r = Cli.run("alerts", "--date", "2026-02-09", "--fail-on", "critical", "--warehouse", warehouse);
        assertThat(r.code()).isEqualTo(critical > 0 ? 4 : 0);
        // a rule that must fire: leads were created on 2026-02-09
        Cli.Result strict = Cli.runWithEnv(Map.of("SALESPULSE_HASH_KEY", Cli.TEST_HASH_KEY,
                        "SALESPULSE_ALERTS_RULES", "too_many_leads: leads_created > 0 critical; info_only: mau > 0 info"),
                "run", "--date", "2026-02-09", "--stage", "gold", "--landing", landing, "--warehouse", warehouse);
        assertThat(strict.code()).as(strict.err()).isEqualTo(0);
        assertThat(Cli.run("alerts", "--date", "2026-02-09", "--fail-on", "critical", "--warehouse", warehouse).code()).isEqualTo(4);
        Cli.Result info = Cli.run("alerts", "--date", "2026-02-09", "--warehouse", warehouse);
        assertThat(info.code()).isEqualTo(0);
        assertThat(info.out()).contains("ALERT 2026-02-09 too_many_leads").contains("[critical]");
        // a rule that cannot fire: nothing on the date, exit 0 even with --fail-on info
        Cli.runWithEnv(Map.of("SALESPULSE_HASH_KEY", Cli.TEST_HASH_KEY, "SALESPULSE_ALERTS_RULES", "never: leads_created < 0 critical"),
                "run", "--date", "2026-02-09", "--stage", "gold", "--landing", landing, "--warehouse", warehouse);
        assertThat(Cli.run("alerts", "--date", "2026-02-09", "--fail-on", "info", "--warehouse", warehouse).code()).isEqualTo(0);
    }

    private static Map<String, Long> counts(Dataset<Row> df) {
        Map<String, Long> out = new HashMap<>();
        for (Row r : df.collectAsList()) {
            out.put(String.valueOf(r.get(0)), r.getLong(1));
        }
        return out;
    }
}
