package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.testing.Cli;
import io.salespulse.testing.SparkTestBase;
import io.salespulse.testing.TableFingerprints;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance: daily incremental runs over generated days (late events, a late FX rate, deletes,
 * full-snapshot absences, and a last day whose changes reach far back: a deal closed weeks ago
 * reopened, the first month's rates corrected, half the accounts dropped from a full extract)
 * leave every silver and gold table equal, row for row, to a rebuild from bronze.
 */
@org.junit.jupiter.api.Tag("slow")
class IncrementalEqualsRebuildTest extends SparkTestBase {

    /**
     * Daily runs at the end of the generated days (60 nights with -Dsalespulse.test.dailyRuns=60);
     * the days before load in one catch-up run. Five are enough to hold every case: March's late
     * exchange rates land in the second, day 10's late events folder in the third, and the small
     * dimensions' daily full snapshots (absences) and deletes in each.
     */
    static final int DAILY = Integer.getInteger("salespulse.test.dailyRuns", 5);

    /** 60 days; one more when every one of them is a daily run, so the nights start on a stored warehouse. */
    static final int DAYS = Math.max(60, DAILY + 1);

    static final LocalDate LATE_RATES = LocalDate.of(2026, 3, 4);

    /** Generated scale (0.01 in the suite; -Dsalespulse.test.scale=0.1 for the far-reaching check at ten times that). */
    static final String SCALE = System.getProperty("salespulse.test.scale", "0.01");

    /**
     * The daily runs build fact_activity_daily and compute the KPIs with Spark's code generation
     * once the table holds 5,000 rows, as a large warehouse does (each of the five daily runs; the
     * last ~14 of 60 at scale 0.01), and interpret before; the catch-up and the rebuild interpret, so the
     * comparison also holds the two evaluation modes to the same rows.
     */
    static final long COMPILED = 5000;
    static final Map<String, String> DAILY_ENV = Map.of("SALESPULSE_HASH_KEY", Cli.TEST_HASH_KEY,
            "SALESPULSE_RUN_COMPILE_MIN_ROWS", String.valueOf(COMPILED), "SALESPULSE_RUN_GOLD_COMPILE_MIN_ROWS", String.valueOf(COMPILED));

    @Test
    void dailyRunsEqualARebuild() {
        Path dir = workDir("incremental");
        String landing = dir.resolve("landing").toString();
        String warehouse = dir.resolve("warehouse").toString();
        // March's exchange rates land 3 days late, on March 4 (day 56), inside the 5-day daily window
        LocalDate start = LocalDate.of(2026, 1, 7);
        // the last day reaches far back: the deal closed longest ago reopens, January's rates are
        // corrected, and a full Account extract leaves out every other account
        LocalDate shakeUp = start.plusDays(DAYS - 1);
        assertThat(Cli.run("datagen", "--out", landing, "--start", start.toString(), "--days", String.valueOf(DAYS),
                "--scale", SCALE, "--seed", "5", "--malformed-rate", "0.002", "--shake-up", shakeUp.toString()).code()).isEqualTo(0);
        // day 10's events folder lands late, at the third daily run (the 12th with 60 daily runs): a folder
        // for a date silver already covered, so that run computes fact_activity_daily from all events
        // and the runs after it add again (a missing folder for a run's own date is only a warning)
        Path late = Path.of(landing, "segment", "events", "received_date=" + start.plusDays(10));
        Path heldBack = dir.resolve("held-back-events");
        move(late, heldBack);
        long t0 = System.nanoTime();
        int firstDaily = DAYS - DAILY;
        int lateRun = Math.max(firstDaily + 2, 12);
        // the days before the nights in one catch-up run (at least one: DAYS > DAILY)
        Cli.Result catchUp = Cli.run("run", "--date", start.plusDays(firstDaily - 1).toString(), "--landing", landing, "--warehouse", warehouse);
        assertThat(catchUp.code()).as(catchUp.err()).isEqualTo(0);
        int eventsAdded = 0;
        int engagementKept = 0;
        int opportunitiesReached = 0;
        int leadsReached = 0;
        int merged = 0;
        int compiledNights = 0;
        long activityRows = rows(warehouse, "silver/fact_activity_daily");
        for (int d = firstDaily; d < DAYS; d++) {
            if (d == lateRun) {
                move(heldBack, late);
            }
            if (d == lateRun + 1) {
                // the weekly maintain lays the table out by date again between two nights (as maintain
                // does it): its rows are the same, so the next run still adds only its new events (counted below)
                long before = TableFingerprints.versions(warehouse).get("silver.fact_activity_daily");
                spark().sql("OPTIMIZE delta.`" + warehouse + "/silver/fact_activity_daily` ZORDER BY (activity_date)");
                assertThat(TableFingerprints.versions(warehouse).get("silver.fact_activity_daily"))
                        .as("the activity's files compacted").isGreaterThan(before);
            }
            long accountsBefore = start.plusDays(d).equals(shakeUp) ? currentAccounts(warehouse) : 0;
            // every other night writes the dated gold tables with a MERGE of the recomputed dates, as a
            // large warehouse does (the others write these small ones whole): both held to the rebuild
            Map<String, String> env = new java.util.HashMap<>(DAILY_ENV);
            if (d % 2 == 1) {
                env.put("SALESPULSE_RUN_GOLD_WHOLE_MAX_ROWS", "0");
            }
            long night = System.nanoTime();
            Cli.Result r = Cli.runWithEnv(env, "run", "--date", start.plusDays(d).toString(), "--landing", landing, "--warehouse", warehouse);
            assertThat(r.code()).as(r.err()).isEqualTo(0);
            System.out.printf("incremental: night %d (%s) in %.1f s%n", d, start.plusDays(d), (System.nanoTime() - night) / 1e9);
            String said = r.out() + r.err();
            // a night whose changes reach every date (dim_sales_rep changed) writes the table whole
            boolean everyDate = said.contains("computing every KPI date from");
            String wrote = io.delta.tables.DeltaTable.forPath(spark(), warehouse + "/gold/kpi_daily").history(1).select("operation")
                    .as(org.apache.spark.sql.Encoders.STRING()).first();
            assertThat(wrote).as("how night %d wrote kpi_daily", d).isEqualTo(d % 2 == 1 && !everyDate ? "MERGE" : "WRITE");
            merged += wrote.equals("MERGE") ? 1 : 0;
            eventsAdded += said.contains("fact_activity_daily: adding the events landed after") ? 1 : 0;
            engagementKept += said.contains("engagement KPIs (from fact_activity_daily) recomputed for") ? 1 : 0;
            opportunitiesReached += said.contains("fact_opportunity, fact_opportunity_stage: the ") ? 1 : 0;
            leadsReached += said.contains("fact_lead, fact_campaign_member: the ") ? 1 : 0;
            if (start.plusDays(d).equals(LATE_RATES) || start.plusDays(d).equals(shakeUp)) {
                // new rates reach the stored amounts they convert differently (January's, on the last day)
                assertThat(said).containsPattern("fact_opportunity, fact_opportunity_stage: the [0-9,]+ opportunities and [0-9,]+"
                        + " history rows the rows landed after [0-9-]{10} reach \\(with the amounts new rates convert: ");
            }
            // the late folder's run computes the table from all events, sized (and compiled) by them
            long sized = d == lateRun ? rows(warehouse, "bronze/segment_events") : activityRows;
            String built = String.format("fact_activity_daily: %,d %s, built with code generation", sized,
                    d == lateRun ? "events in bronze" : "rows stored");
            activityRows = rows(warehouse, "silver/fact_activity_daily");
            String kpis = String.format("fact_activity_daily: %,d rows stored, KPIs computed with code generation", activityRows);
            if (sized >= COMPILED) {
                assertThat(said).contains(built);
                compiledNights++;
            } else {
                assertThat(said).doesNotContainPattern("fact_activity_daily: [0-9,]+ [a-z ]+, built with code generation");
            }
            if (activityRows >= COMPILED) {
                assertThat(said).contains(kpis);
            } else {
                assertThat(said).doesNotContain("KPIs computed with code generation");
            }
            if (start.plusDays(d).equals(LATE_RATES)) {
                assertThat(said).as("March's exchange rates land late, in a daily run")
                        .containsPattern("DatedConversionRate/snapshot_date=" + LATE_RATES + " +[1-9][0-9,]* rows");
            }
            if (d == lateRun) {
                assertThat(said).contains("fact_activity_daily, dim_analytics_user: computed from all events (bronze.segment_events changed in folders on or before");
            }
            if (start.plusDays(d).equals(shakeUp)) {
                // half the accounts are gone, and gold recomputes KPI dates from the first month on
                assertThat(currentAccounts(warehouse)).as("accounts after the full extract").isLessThan(accountsBefore * 6 / 10);
                // the customers dropped with them reach the leads converted into them
                assertThat(said).containsPattern("fact_lead, fact_campaign_member: the [0-9,]+ leads and [0-9,]+ campaign members"
                        + " the rows landed after [0-9-]{10} reach \\([1-9][0-9,]* by their customer's acquisition\\)");
                java.util.regex.Matcher reach = java.util.regex.Pattern.compile("recomputing [0-9]+ KPI dates, ([0-9-]{10})").matcher(said);
                assertThat(reach.find()).as(said).isTrue();
                assertThat(LocalDate.parse(reach.group(1))).as("the first KPI date the shake-up reaches")
                        .isBefore(start.plusDays(31));
            }
        }
        // the suite's five nights all compile the activity; of 60 nights, the first interpret it and the last compile it
        if (DAILY <= 5) {
            assertThat(compiledNights).as("nights that built fact_activity_daily with code generation").isEqualTo(DAILY);
        } else {
            assertThat(compiledNights).as("nights that built fact_activity_daily with code generation").isPositive().isLessThan(DAILY);
        }
        assertThat(merged).as("nights that merged the recomputed dates into kpi_daily").isGreaterThanOrEqualTo(DAILY / 2 - DAILY / 10);
        // every other daily run took only its new events into fact_activity_daily
        assertThat(eventsAdded).isEqualTo(DAILY - 1);
        // and some runs recomputed more KPI dates than the activity's changes reach, keeping the
        // engagement KPIs of the others as stored: the rebuild below checks them too
        assertThat(engagementKept).as("runs that kept stored engagement KPIs").isPositive();
        // the other nights staged only the opportunities and history rows their new rows reach
        assertThat(opportunitiesReached).as("runs that computed the opportunities reached only").isPositive();
        // and the leads and campaign members theirs (the shake-up's dropped accounts reach leads by their acquisitions)
        assertThat(leadsReached).as("runs that computed the leads reached only").isEqualTo(DAILY);
        System.out.printf("incremental: catch-up + %d daily runs in %.1f s%n", DAILY, (System.nanoTime() - t0) / 1e9);
        Map<String, List<Object[]>> incremental = silver(warehouse);
        List<Object[]> quarantined = quarantine(warehouse);
        List<Object[]> counted = lastCounts(warehouse);

        Cli.Result rebuild = Cli.run("rebuild", "--date", start.plusDays(DAYS - 1).toString(), "--warehouse", warehouse);
        assertThat(rebuild.code()).as(rebuild.err()).isEqualTo(0);
        Map<String, List<Object[]>> rebuilt = silver(warehouse);

        assertThat(rebuilt.keySet()).containsExactlyElementsOf(incremental.keySet());
        for (String table : incremental.keySet()) {
            if (!table.equals("gold.kpi_alerts")) {
                assertThat(incremental.get(table)).as(table + " is empty").isNotEmpty();
            }
            assertRows(table, rebuilt.get(table), incremental.get(table));
        }
        assertRows("silver quarantine", quarantine(warehouse), quarantined);
        // where every bronze row went, as the last daily run counted it (adding its nights' changes
        // to the counts before it) and as the rebuild counted it from all of bronze
        assertThat(counted).as("the last run's counts").hasSizeGreaterThanOrEqualTo(12);
        assertRows("where the bronze rows went", lastCounts(warehouse), counted);
    }

    private List<Object[]> lastCounts(String warehouse) {
        return rowsOf(spark().read().format("delta").load(warehouse + "/ops/run_log").orderBy(org.apache.spark.sql.functions.col("ended_at").desc())
                .limit(1).selectExpr("explode(silver_counts) AS c").select("c.*"));
    }

    private long rows(String warehouse, String table) {
        return spark().read().format("delta").load(warehouse + "/" + table).count();
    }

    private long currentAccounts(String warehouse) {
        return spark().read().format("delta").load(warehouse + "/silver/dim_customer").where("is_current").count();
    }

    private static void move(Path from, Path to) {
        try {
            java.nio.file.Files.move(from, to);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<Object[]> quarantine(String warehouse) {
        return rowsOf(spark().read().format("delta").load(warehouse + "/ops/quarantine").where("layer = 'silver'")
                .select("table_name", "record_id", "source_file", "snapshot_date", "reason"));
    }

    private Map<String, List<Object[]>> silver(String warehouse) {
        Map<String, List<Object[]>> out = new LinkedHashMap<>();
        for (TableSpec t : SilverBuild.TABLES) {
            out.put("silver." + t.name(), rowsOf(spark().read().format("delta").load(warehouse + "/silver/" + t.name())));
        }
        for (TableSpec t : io.salespulse.gold.GoldBuild.TABLES) {
            out.put("gold." + t.name(), rowsOf(spark().read().format("delta").load(warehouse + "/gold/" + t.name())));
        }
        return out;
    }
}
