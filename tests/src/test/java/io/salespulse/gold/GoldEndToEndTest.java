package io.salespulse.gold;

import io.salespulse.testing.Cli;
import io.salespulse.testing.ReferenceWarehouse;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
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

    private static final LocalDate RUN_DATE = ReferenceWarehouse.RUN_DATE;
    private static final int DAYS = ReferenceWarehouse.DAYS;
    private static Path dir;
    private static String landing;
    private static String warehouse;

    @BeforeAll
    static void run() {
        ReferenceWarehouse reference = ReferenceWarehouse.get();
        dir = workDir("gold-e2e");
        landing = reference.landing();
        warehouse = reference.warehouse();
        assertThat(reference.runOutput()).contains("gold.kpi_daily").contains("] kpi ");
    }

    /**
     * The dashboard the run published, opened in a real headless Chromium: it renders without a
     * console message, and every tile shows gold.kpi_daily's value for the date, formatted.
     */
    @Test
    void theDashboardShowsTheDatesKpisInABrowser() throws Exception {
        java.nio.file.Path page = java.nio.file.Path.of(warehouse, "reports", RUN_DATE.toString(), "index.html");
        assertThat(page).as("the run publishes the dashboard").exists();
        Path out = dir.resolve("report");
        Cli.Result r = Cli.run("report", "--date", RUN_DATE.toString(), "--out", out.toString(), "--warehouse", warehouse);
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(Files.readString(out.resolve("index.html"))).isEqualTo(Files.readString(page));

        io.salespulse.testing.Chromium.Page rendered = io.salespulse.testing.Chromium.load(page);
        assertThat(rendered.console()).isEmpty();
        Row gold = spark().read().format("delta").load(warehouse + "/gold/kpi_daily").where("kpi_date = DATE'" + RUN_DATE + "'").first();
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
        Path png = Path.of("target", "dashboard-" + RUN_DATE + ".png");
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
        assertThat(out).hasSize(DAYS);
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
        // daily, weekly and monthly active users: every user with an event on d, in [d-6, d], in [d-29, d], by a range join
        spark().sql("SELECT DISTINCT to_date(CAST(timestamp AS TIMESTAMP)) AS ed, coalesce(userId, anonymousId) AS u FROM"
                + " (SELECT DISTINCT messageId, userId, anonymousId, timestamp FROM landed_events) WHERE timestamp IS NOT NULL")
                .createOrReplaceTempView("landed_user_days");
        String active = "SELECT k.d, count(DISTINCT e.u) AS n FROM (SELECT explode(sequence(min(ed), max(ed))) AS d FROM landed_user_days) k"
                + " JOIN landed_user_days e ON e.ed BETWEEN date_sub(k.d, %d) AND k.d GROUP BY k.d";
        Map<String, Long> dau = counts(spark().sql(String.format(active, 0)));
        Map<String, Long> wau = counts(spark().sql(String.format(active, 6)));
        Map<String, Long> mau = counts(spark().sql(String.format(active, 29)));
        assertThat(leads.values().stream().mapToLong(Long::longValue).sum()).isGreaterThan(200);
        assertThat(won.values().stream().mapToLong(Long::longValue).sum()).isPositive();
        for (Map.Entry<String, Row> e : daily.entrySet()) {
            String d = e.getKey();
            Row k = e.getValue();
            assertThat(Long.parseLong(k.getAs("leads_created"))).as("leads_created " + d).isEqualTo(leads.getOrDefault(d, 0L));
            assertThat(Long.parseLong(k.getAs("opportunities_created"))).as("opportunities_created " + d).isEqualTo(opps.getOrDefault(d, 0L));
            assertThat(Long.parseLong(k.getAs("won"))).as("won " + d).isEqualTo(won.getOrDefault(d, 0L));
            assertThat(Long.parseLong(k.getAs("active_users"))).as("active_users " + d).isEqualTo(dau.getOrDefault(d, 0L));
            assertThat(Long.parseLong(k.getAs("wau"))).as("wau " + d).isEqualTo(wau.getOrDefault(d, 0L));
            assertThat(Long.parseLong(k.getAs("mau"))).as("mau " + d).isEqualTo(mau.getOrDefault(d, 0L));
        }
        // the windows hold more than one day's users on most dates, so the check above is not the DAU's again
        assertThat(daily.keySet().stream().filter(d -> mau.getOrDefault(d, 0L) > dau.getOrDefault(d, 0L)).count())
                .isGreaterThan(daily.size() / 2);
    }

    /** Latest version of each record of an object (SystemModstamp, then snapshot), live only. */
    private static List<Row> current(String object) {
        landed(object).createOrReplaceTempView("current_" + object);
        return spark().sql("SELECT *, CAST(CreatedDate AS TIMESTAMP) AS created FROM (SELECT *, row_number() OVER (PARTITION BY Id"
                + " ORDER BY CAST(SystemModstamp AS TIMESTAMP) DESC, snap DESC) AS rn FROM current_" + object + ")"
                + " WHERE rn = 1 AND IsDeleted = 'false'").collectAsList();
    }

    private static java.time.Instant created(Row r) {
        return r.<java.sql.Timestamp>getAs("created").toInstant();
    }

    private static LocalDate date(Row r, String column) {
        String v = r.getAs(column);
        return v == null || v.isBlank() ? null : LocalDate.parse(v.trim());
    }

    private static BigDecimal decimal(Row r, String column) {
        String v = r.getAs(column);
        return v == null || v.isBlank() ? null : new BigDecimal(v.trim());
    }

    /** Salesforce dated rates: units of the currency per USD, valid from StartDate to NextStartDate (exclusive). */
    private record Rate(String iso, BigDecimal rate, LocalDate from, LocalDate to) {
    }

    /** {@code amount / rate} rounded half-up to 6 decimals at the rate valid on {@code on}; null when none is. */
    private static BigDecimal usd(BigDecimal amount, String currency, LocalDate on, List<Rate> rates) {
        if (currency == null || currency.isBlank() || currency.equals("USD")) {
            return amount.setScale(6, RoundingMode.HALF_UP);
        }
        return rates.stream().filter(r -> r.iso().equals(currency) && !on.isBefore(r.from()) && (r.to() == null || on.isBefore(r.to())))
                .max(java.util.Comparator.comparing(Rate::from))
                .map(r -> amount.divide(r.rate(), 6, RoundingMode.HALF_UP)).orElse(null);
    }

    /**
     * Net and gross revenue, orders, AOV, win rate, open pipeline and cohort CLV for every date,
     * recomputed here in plain Java from the landed files (latest version of each record, rates
     * applied by hand with BigDecimal), and compared with gold.
     */
    @Test
    void revenueWinRatePipelineAndCohortValueMatchAnIndependentRecomputation() {
        List<Rate> rates = current("DatedConversionRate").stream().map(r -> new Rate(r.getAs("IsoCode"), decimal(r, "ConversionRate"),
                date(r, "StartDate"), date(r, "NextStartDate"))).toList();
        assertThat(rates).as("the landing has rates other than 1").anyMatch(r -> r.rate().compareTo(BigDecimal.ONE) != 0);
        java.util.Set<String> liveAccounts = new java.util.HashSet<>();
        current("Account").forEach(r -> liveAccounts.add(r.getAs("Id")));

        // counted orders (Activated, of a live account, convertible): date, account, reduction or not, USD total
        record Order(String id, String account, LocalDate date, boolean reduction, BigDecimal usd) {
        }
        List<Order> orders = new ArrayList<>();
        for (Row r : current("Order")) {
            BigDecimal usd = usd(decimal(r, "TotalAmount"), r.getAs("CurrencyIsoCode"), date(r, "EffectiveDate"), rates);
            if ("Activated".equals(r.getAs("Status")) && liveAccounts.contains(r.<String>getAs("AccountId")) && usd != null) {
                orders.add(new Order(r.getAs("Id"), r.getAs("AccountId"), date(r, "EffectiveDate"), "true".equals(r.getAs("IsReductionOrder")), usd));
            }
        }
        assertThat(orders.stream().filter(o -> !o.reduction()).count()).as("counted orders in the landing").isGreaterThanOrEqualTo(10);
        assertThat(orders).as("orders in another currency").isNotEmpty();

        // opportunities and their stage history (live opportunities only)
        Map<String, Row> opps = new HashMap<>();
        current("Opportunity").forEach(r -> opps.put(r.getAs("Id"), r));
        Map<String, List<Row>> historyByOpp = new HashMap<>();
        for (Row h : current("OpportunityHistory")) {
            if (opps.containsKey(h.<String>getAs("OpportunityId"))) {
                historyByOpp.computeIfAbsent(h.getAs("OpportunityId"), k -> new ArrayList<>()).add(h);
            }
        }
        List<String> closedStages = List.of("Closed Won", "Closed Lost");

        Map<LocalDate, Row> gold = new HashMap<>();
        for (Row r : spark().read().format("delta").load(warehouse + "/gold/kpi_daily").collectAsList()) {
            gold.put(r.<java.sql.Date>getAs("kpi_date").toLocalDate(), r);
        }
        assertThat(gold).hasSize(DAYS);
        BigDecimal zero = new BigDecimal("0.000000");
        long pipelineDays = 0;
        for (Map.Entry<LocalDate, Row> e : gold.entrySet()) {
            LocalDate d = e.getKey();
            Row k = e.getValue();
            String at = "on " + d;
            // revenue: gross and order count over non-reduction orders of d, net adds the reductions
            BigDecimal gross = zero;
            BigDecimal net = zero;
            long count = 0;
            for (Order o : orders) {
                if (o.date().equals(d)) {
                    net = net.add(o.usd());
                    if (!o.reduction()) {
                        gross = gross.add(o.usd());
                        count++;
                    }
                }
            }
            assertThat(k.<BigDecimal>getAs("gross_revenue")).as("gross_revenue " + at).isEqualTo(gross);
            assertThat(k.<BigDecimal>getAs("net_revenue")).as("net_revenue " + at).isEqualTo(net);
            assertThat(k.<Long>getAs("orders")).as("orders " + at).isEqualTo(count);
            if (count == 0) {
                assertThat(k.<Double>getAs("avg_order_value")).as("avg_order_value " + at).isNull();
            } else {
                assertThat(k.<Double>getAs("avg_order_value")).as("avg_order_value " + at)
                        .isCloseTo(gross.doubleValue() / count, org.assertj.core.api.Assertions.within(1e-9));
            }
            // win rate: deals closed in [d-29, d], won over won + lost
            long won = 0;
            long closed = 0;
            for (Row o : opps.values()) {
                LocalDate close = date(o, "CloseDate");
                if ("true".equals(o.getAs("IsClosed")) && close != null && !close.isAfter(d) && close.isAfter(d.minusDays(30))) {
                    closed++;
                    won += "true".equals(o.getAs("IsWon")) ? 1 : 0;
                }
            }
            if (closed == 0) {
                assertThat(k.<Double>getAs("win_rate_30d")).as("win_rate_30d " + at).isNull();
            } else {
                assertThat(k.<Double>getAs("win_rate_30d")).as("win_rate_30d " + at).isEqualTo((double) won / closed);
            }
            // open pipeline: each opportunity's latest history row created on or before d (ties: greater Id), if open
            BigDecimal pipeline = zero;
            long open = 0;
            for (Map.Entry<String, List<Row>> h : historyByOpp.entrySet()) {
                Row latest = h.getValue().stream()
                        .filter(r -> !created(r).atZone(java.time.ZoneOffset.UTC).toLocalDate().isAfter(d))
                        .max(java.util.Comparator.comparing(GoldEndToEndTest::created).thenComparing(r -> r.<String>getAs("Id")))
                        .orElse(null);
                if (latest != null && !closedStages.contains(latest.<String>getAs("StageName"))) {
                    open++;
                    BigDecimal amount = decimal(latest, "Amount");
                    if (amount != null) {
                        pipeline = pipeline.add(usd(amount, opps.get(h.getKey()).getAs("CurrencyIsoCode"), date(latest, "CloseDate"), rates));
                    }
                }
            }
            pipelineDays += open > 0 ? 1 : 0;
            assertThat(k.<Long>getAs("open_pipeline_count")).as("open_pipeline_count " + at).isEqualTo(open);
            assertThat(k.<BigDecimal>getAs("open_pipeline_amount")).as("open_pipeline_amount " + at).isEqualTo(pipeline);
        }
        assertThat(pipelineDays).isPositive();

        // cohort CLV: acquisition = earliest counted non-reduction order (ties: lowest Id), channel = LeadSource of
        // the earliest converted lead (ties: lowest Id), 'unknown' when blank or none
        Map<String, Order> first = new HashMap<>();
        for (Order o : orders) {
            if (!o.reduction()) {
                first.merge(o.account(), o, (a, b) -> a.date().isBefore(b.date()) || a.date().equals(b.date()) && a.id().compareTo(b.id()) < 0 ? a : b);
            }
        }
        Map<String, Row> firstLead = new HashMap<>();
        for (Row l : current("Lead")) {
            String account = l.getAs("ConvertedAccountId");
            if ("true".equals(l.getAs("IsConverted")) && account != null && !account.isBlank()) {
                firstLead.merge(account, l, (a, b) -> {
                    int c = created(a).compareTo(created(b));
                    return c < 0 || c == 0 && a.<String>getAs("Id").compareTo(b.getAs("Id")) < 0 ? a : b;
                });
            }
        }
        java.time.YearMonth runMonth = java.time.YearMonth.from(RUN_DATE);
        Map<List<Object>, Object[]> expected = new HashMap<>(); // (cohort, offset, channel) → size, active, revenue, cumulative
        Map<List<Object>, java.util.Set<String>> members = new HashMap<>();
        for (Order acquisition : first.values()) {
            Row lead = firstLead.get(acquisition.account());
            String source = lead == null ? null : lead.getAs("LeadSource");
            String channel = source == null || source.isBlank() ? "unknown" : source;
            for (String c : List.of(channel, "all")) {
                members.computeIfAbsent(List.of(java.time.YearMonth.from(acquisition.date()).toString(), c), x -> new java.util.HashSet<>())
                        .add(acquisition.account());
            }
        }
        for (Map.Entry<List<Object>, java.util.Set<String>> cohort : members.entrySet()) {
            java.time.YearMonth month = java.time.YearMonth.parse((String) cohort.getKey().get(0));
            BigDecimal cumulative = zero;
            for (int offset = 0; !month.plusMonths(offset).isAfter(runMonth); offset++) {
                java.time.YearMonth activity = month.plusMonths(offset);
                BigDecimal revenue = zero;
                java.util.Set<String> active = new java.util.HashSet<>();
                for (Order o : orders) {
                    if (cohort.getValue().contains(o.account()) && java.time.YearMonth.from(o.date()).equals(activity)) {
                        revenue = revenue.add(o.usd());
                        if (!o.reduction()) {
                            active.add(o.account());
                        }
                    }
                }
                cumulative = cumulative.add(revenue);
                expected.put(List.of(cohort.getKey().get(0), offset, cohort.getKey().get(1)),
                        new Object[]{(long) cohort.getValue().size(), (long) active.size(), revenue, cumulative});
            }
        }
        List<Row> clv = spark().read().format("delta").load(warehouse + "/gold/kpi_cohort_clv").collectAsList();
        assertThat(clv).hasSize(expected.size()).hasSizeGreaterThan(2);
        for (Row r : clv) {
            List<Object> key = List.of(r.getAs("cohort_month"), r.<Integer>getAs("month_offset"), r.getAs("acquisition_channel"));
            Object[] want = expected.get(key);
            assertThat(want).as("cohort cell " + key).isNotNull();
            assertThat(new Object[]{r.getAs("cohort_size"), r.getAs("active_customers"), r.getAs("revenue"), r.getAs("cumulative_revenue")})
                    .as("cohort cell " + key).containsExactly(want);
            assertThat(r.<Double>getAs("clv")).as("clv " + key)
                    .isCloseTo(((BigDecimal) want[3]).doubleValue() / (long) want[0], org.assertj.core.api.Assertions.within(1e-9));
        }
    }

    @Test
    void everyGoldTableExportsToCsv() throws Exception {
        for (String table : List.of("kpi_daily", "kpi_cohort_clv", "kpi_rep_daily", "kpi_campaign", "kpi_alerts")) {
            Path csv = dir.resolve(table + ".csv");
            Cli.Result r = Cli.run("export", "--table", "gold." + table, "--out", csv.toString(), "--warehouse", warehouse);
            assertThat(r.code()).as(table + ": " + r.err()).isEqualTo(0);
            Dataset<Row> delta = spark().read().format("delta").load(warehouse + "/gold/" + table);
            List<String> lines = Files.readAllLines(csv);
            // a header line, then one line per row (no value of these tables holds a line break)
            assertThat(lines).as(table).hasSize(1 + (int) delta.count());
            assertThat(lines.get(0)).as(table).isEqualTo(String.join(",", delta.columns()));
        }
        assertThat(spark().read().format("delta").load(warehouse + "/gold/kpi_rep_daily").count()).isPositive();
        assertThat(spark().sql("DESCRIBE DETAIL delta.`" + warehouse + "/gold/kpi_daily`").select("partitionColumns")
                .first().getList(0)).containsExactly("kpi_month");
    }

    @Test
    void alertsExitNonZeroExactlyWhenACriticalRuleFired() {
        // this test runs gold again with other rules: on its own copy of the warehouse
        String warehouse = ReferenceWarehouse.get().copy("gold-e2e-alerts");
        long critical = spark().read().format("delta").load(warehouse + "/gold/kpi_alerts")
                .where("kpi_date = DATE'" + RUN_DATE + "' AND severity = 'critical'").count();
        Cli.Result r = Cli.run("alerts", "--date", RUN_DATE.toString(), "--fail-on", "critical", "--warehouse", warehouse);
        assertThat(r.code()).isEqualTo(critical > 0 ? 4 : 0);
        // a rule that must fire: leads were created on the run date
        Cli.Result strict = Cli.runWithEnv(Map.of("SALESPULSE_HASH_KEY", Cli.TEST_HASH_KEY,
                        "SALESPULSE_ALERTS_RULES", "too_many_leads: leads_created > 0 critical; info_only: mau > 0 info"),
                "run", "--date", RUN_DATE.toString(), "--stage", "gold", "--landing", landing, "--warehouse", warehouse);
        assertThat(strict.code()).as(strict.err()).isEqualTo(0);
        // gold alone on silver that passed its checks and is unchanged since: not checked again
        // (ReliabilityTest: silver changed since is checked, and a duplicate blocks gold)
        assertThat(strict.out()).contains("silver is as it was when its checks passed: not checked again");
        assertThat(Cli.run("alerts", "--date", RUN_DATE.toString(), "--fail-on", "critical", "--warehouse", warehouse).code()).isEqualTo(4);
        Cli.Result info = Cli.run("alerts", "--date", RUN_DATE.toString(), "--warehouse", warehouse);
        assertThat(info.code()).isEqualTo(0);
        assertThat(info.out()).contains("ALERT " + RUN_DATE + " too_many_leads").contains("[critical]");
        // a rule that cannot fire: nothing on the date, exit 0 even with --fail-on info
        Cli.runWithEnv(Map.of("SALESPULSE_HASH_KEY", Cli.TEST_HASH_KEY, "SALESPULSE_ALERTS_RULES", "never: leads_created < 0 critical"),
                "run", "--date", RUN_DATE.toString(), "--stage", "gold", "--landing", landing, "--warehouse", warehouse);
        assertThat(Cli.run("alerts", "--date", RUN_DATE.toString(), "--fail-on", "info", "--warehouse", warehouse).code()).isEqualTo(0);
    }

    private static Map<String, Long> counts(Dataset<Row> df) {
        Map<String, Long> out = new HashMap<>();
        for (Row r : df.collectAsList()) {
            out.put(String.valueOf(r.get(0)), r.getLong(1));
        }
        return out;
    }
}
