package io.salespulse.reliability;

import io.salespulse.common.TableSpec;
import io.salespulse.gold.GoldBuild;
import io.salespulse.silver.SilverBuild;
import io.salespulse.testing.Cli;
import io.salespulse.testing.SparkTestBase;
import io.salespulse.testing.TableFingerprints;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Published tables only move forward: a run for a date before the warehouse's high-water mark (a
 * cleared Airflow task, a backfill) changes no silver or gold table, still loads a late snapshot
 * of its own date, and leaves the next nightly run exactly as it would have been.
 */
@Tag("slow")
class EarlierDateRunTest extends SparkTestBase {

    static final LocalDate START = LocalDate.of(2026, 1, 1);
    static final LocalDate DAY20 = START.plusDays(19);
    static final LocalDate DAY40 = START.plusDays(39);
    static final LocalDate DAY41 = START.plusDays(40);

    @Test
    void aRunForAnEarlierDateNeverTakesTablesBackInTime() throws IOException {
        Path dir = workDir("earlier-date");
        Path landing = dir.resolve("landing");
        String a = dir.resolve("warehouse-a").toString();
        String b = dir.resolve("warehouse-b").toString();
        assertThat(Cli.run("datagen", "--out", landing.toString(), "--start", START.toString(), "--days", "41",
                "--scale", "0.01", "--seed", "11", "--malformed-rate", "0").code()).isEqualTo(0);
        // the Lead extract of day 20 arrives only after day 40 has run
        Path lateLeads = landing.resolve("salesforce/Lead/snapshot_date=" + DAY20);
        Path held = dir.resolve("held-back");
        Files.move(lateLeads, held);

        run(a, "run", "--date", DAY40.toString());
        Map<String, String> published = exportAll(a, dir.resolve("export-0"));
        TreeMap<String, Long> versions = TableFingerprints.versions(a);
        copyTree(Path.of(a), Path.of(b));

        // a cleared Airflow task for day 20: whole run, then the gold stage alone
        Cli.Result rerun = run(a, "run", "--date", DAY20.toString());
        assertThat(rerun.out()).contains("the warehouse is at " + DAY40).contains("tables computed as of " + DAY40);
        run(a, "run", "--stage", "gold", "--date", DAY20.toString());
        run(a, "run", "--stage", "silver", "--date", DAY20.toString());
        assertThat(exportAll(a, dir.resolve("export-1"))).isEqualTo(published);
        TreeMap<String, Long> after = TableFingerprints.versions(a);
        TableFingerprints.LOGS.forEach(t -> {
            after.remove(t);
            versions.remove(t);
        });
        assertThat(after).as("no table gained a Delta version").isEqualTo(versions);

        // rewinding needs an explicit, destructive request
        Cli.Result refused = Cli.run("rebuild", "--date", DAY20.toString(), "--warehouse", a);
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("published up to " + DAY40).contains("--as-of " + DAY20 + " --force");

        // the next nightly run is the same with or without the reruns
        run(a, "run", "--date", DAY41.toString());
        run(b, "run", "--date", DAY41.toString());
        TreeMap<String, String> fingerprintsA = TableFingerprints.of(a);
        TreeMap<String, String> fingerprintsB = TableFingerprints.of(b);
        TableFingerprints.LOGS.forEach(t -> {
            fingerprintsA.remove(t); // one row per run by design: A ran four more
            fingerprintsB.remove(t);
        });
        assertThat(fingerprintsA).isEqualTo(fingerprintsB);

        // the late extract of day 20 lands: loaded into bronze, reflected in silver and gold as of day 41
        Files.move(held, lateLeads);
        Cli.Result late = run(a, "run", "--date", DAY20.toString());
        assertThat(late.out()).contains("1 snapshots loaded").contains("tables computed as of " + DAY41);
        List<String> lateIds = spark().read().format("delta").load(a + "/bronze/salesforce_lead")
                .where(col("_snapshot_date").equalTo(java.sql.Date.valueOf(DAY20))).select("Id")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        assertThat(lateIds).isNotEmpty();
        long inSilver = spark().read().format("delta").load(a + "/silver/fact_lead")
                .where(col("lead_id").isin(lateIds.toArray())).count();
        assertThat(inSilver).as("late leads in silver.fact_lead").isGreaterThan(0);
        Row last = spark().read().format("delta").load(a + "/gold/kpi_daily").agg(max("kpi_date")).first();
        assertThat(last.getDate(0).toLocalDate()).isEqualTo(DAY41);
        TreeMap<String, String> incremental = TableFingerprints.of(a);
        assertThat(incremental.get("silver.fact_lead")).isNotEqualTo(fingerprintsB.get("silver.fact_lead"));
        assertThat(incremental.get("gold.kpi_daily")).isNotEqualTo(fingerprintsB.get("gold.kpi_daily"));
        // and exactly what a from-scratch rebuild as of the mark gives
        run(a, "rebuild", "--date", DAY41.toString());
        TreeMap<String, String> rebuilt = TableFingerprints.of(a);
        for (String table : tableNames()) {
            assertThat(rebuilt.get(table)).as(table).isEqualTo(incremental.get(table));
        }

        // an explicit, destructive rewind takes the warehouse back to day 20; runs then go on from there
        Cli.Result rewind = run(a, "rebuild", "--as-of", DAY20.toString(), "--force");
        assertThat(rewind.out()).contains("rewinding the warehouse from " + DAY41 + " to " + DAY20);
        Row rewound = spark().read().format("delta").load(a + "/gold/kpi_daily").agg(max("kpi_date")).first();
        assertThat(rewound.getDate(0).toLocalDate()).isEqualTo(DAY20);
        assertThat(spark().read().format("delta").load(a + "/silver/dim_date").agg(max("date")).first()
                .getDate(0).toLocalDate()).isEqualTo(DAY20);
    }

    private static Cli.Result run(String warehouse, String... args) {
        String[] full = Stream.concat(Stream.of(args), args[0].equals("rebuild")
                ? Stream.of("--warehouse", warehouse)
                : Stream.of("--warehouse", warehouse, "--landing", Path.of(warehouse).resolveSibling("landing").toString()))
                .toArray(String[]::new);
        Cli.Result r = Cli.run(full);
        assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(0);
        return r;
    }

    /** Every silver and gold table exported as CSV: table → file content. */
    private static Map<String, String> exportAll(String warehouse, Path out) throws IOException {
        Files.createDirectories(out);
        Map<String, String> files = new TreeMap<>();
        for (String table : tableNames()) {
            Path csv = out.resolve(table + ".csv");
            Cli.Result r = Cli.run("export", "--table", table, "--out", csv.toString(), "--warehouse", warehouse);
            assertThat(r.code()).as(r.err()).isEqualTo(0);
            files.put(table, Files.readString(csv));
        }
        return files;
    }

    private static List<String> tableNames() {
        Stream<String> silver = SilverBuild.TABLES.stream().map(TableSpec::name).map(n -> SilverBuild.LAYER + "." + n);
        Stream<String> gold = GoldBuild.TABLES.stream().map(TableSpec::name).map(n -> GoldBuild.LAYER + "." + n);
        return Stream.concat(silver, gold).toList();
    }
}
