package io.salespulse.reliability;

import io.salespulse.common.LocalS3;
import io.salespulse.ops.RunLock;
import io.salespulse.testing.ChildRun;
import io.salespulse.testing.Cli;
import io.salespulse.testing.FaultyProxy;
import io.salespulse.testing.LocalS3Extension;
import io.salespulse.testing.SparkTestBase;
import io.salespulse.testing.TableFingerprints;
import org.apache.commons.io.FileUtils;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reruns, killed runs, concurrent runs, flaky and dead object storage, secrets and the quality
 * gate, on four generated days. A reference warehouse catches up days 1-3 in one run ("day 1" below)
 * and then runs day 4 ("day 2") uninterrupted; every other scenario must end with the same tables
 * (compared by content fingerprint, load metadata aside).
 */
@org.junit.jupiter.api.Tag("slow")
class ReliabilityTest extends SparkTestBase {

    private static final String DAY1 = "2026-02-03";
    private static final String DAY2 = "2026-02-04";
    private static final String HASH_KEY = "known-hash-key-7f3a9c";

    private static java.nio.file.Path dir;
    private static String landing;
    private static String reference;
    private static String afterDay1;
    private static TreeMap<String, String> day1;
    private static TreeMap<String, String> day2;
    /** Settings for child processes: interpreted expressions, as the test JVM uses (faster on tiny data). */
    private static String smallData;

    @BeforeAll
    static void referenceRuns() throws IOException {
        dir = workDir("reliability");
        landing = dir.resolve("landing").toString();
        reference = dir.resolve("reference").toString();
        afterDay1 = dir.resolve("after-day1").toString();
        smallData = smallDataSettings();
        Files.writeString(dir.resolve("small.properties"), smallData);
        assertThat(Cli.run("datagen", "--out", landing, "--start", "2026-02-01", "--days", "4", "--scale", "0.01",
                "--seed", "11", "--malformed-rate", "0.01").code()).isEqualTo(0);
        run(reference, DAY1);
        FileUtils.copyDirectory(new java.io.File(reference), new java.io.File(afterDay1));
        day1 = TableFingerprints.of(reference);
        run(reference, DAY2);
        day2 = TableFingerprints.of(reference);
    }

    private static void run(String warehouse, String date) {
        Cli.Result r = Cli.run("run", "--date", date, "--landing", landing, "--warehouse", warehouse);
        assertThat(r.code()).as(r.err()).isEqualTo(0);
    }

    /** A per-table map without the two logs that gain one row per run by design. */
    private static <V> TreeMap<String, V> withoutLogs(Map<String, V> perTable) {
        TreeMap<String, V> out = new TreeMap<>(perTable);
        TableFingerprints.LOGS.forEach(out::remove);
        return out;
    }

    @Test
    void rerunningADateTwiceMoreChangesNoTableAndCommitsNothing() throws IOException {
        String warehouse = dir.resolve("rerun").toString();
        FileUtils.copyDirectory(new java.io.File(reference), new java.io.File(warehouse));
        TreeMap<String, Long> before = withoutLogs(TableFingerprints.versions(warehouse));
        for (int i = 0; i < 2; i++) {
            Cli.Result r = Cli.run("run", "--date", DAY2, "--landing", landing, "--warehouse", warehouse);
            assertThat(r.code()).as(r.err()).isEqualTo(0);
            // nothing new: neither silver nor gold is even computed
            assertThat(r.out()).contains("silver   unchanged").contains("gold     unchanged");
            assertThat(withoutLogs(TableFingerprints.of(warehouse))).isEqualTo(withoutLogs(day2));
        }
        // bronze, silver, gold, ledger and quarantine: not one new Delta version for an unchanged day
        assertThat(withoutLogs(TableFingerprints.versions(warehouse))).isEqualTo(before);
    }

    @Test
    void aSecondRunOnAHeldWarehouseRefusesAndWritesNothing() {
        TreeMap<String, Long> before = TableFingerprints.versions(reference);
        try (RunLock held = RunLock.acquire(spark().sparkContext().hadoopConfiguration(), reference, "other-run",
                Duration.ofMinutes(2), Duration.ZERO, Duration.ofMillis(100))) {
            Cli.Result r = Cli.run("run", "--date", DAY2, "--landing", landing, "--warehouse", reference);
            assertThat(r.code()).isEqualTo(5);
            assertThat(r.err().strip()).startsWith("salespulse: warehouse ").contains("in use by run other-run").doesNotContain("\n");
        }
        assertThat(TableFingerprints.versions(reference)).isEqualTo(before);
    }

    /** A kill point: which stage the child runs, and the output line at which it dies. */
    private record KillPoint(String name, String stage, Predicate<String> line) {
    }

    @Test
    void runsKilledAtTenPointsLeaveReadableTablesAndTheNextRunRepairsThem() throws IOException {
        String warehouse = dir.resolve("killed").toString();
        FileUtils.copyDirectory(new java.io.File(afterDay1), new java.io.File(warehouse));
        List<KillPoint> points = List.of(
                new KillPoint("bronze: first object written", "ingest", l -> l.contains("salesforce/Lead/snapshot_date=" + DAY2)),
                new KillPoint("bronze: mid-way", "ingest", l -> l.contains("salesforce/Order/snapshot_date=" + DAY2)),
                new KillPoint("between ingest and silver", "all", l -> l.contains("snapshots loaded")),
                new KillPoint("silver: first MERGE done", "silver", l -> l.contains("silver.dim_sales_rep ")),
                new KillPoint("silver: fact_lead MERGE done", "silver", l -> l.contains("silver.fact_lead ")),
                new KillPoint("silver: fact_order MERGE done", "silver", l -> l.contains("silver.fact_order ")),
                new KillPoint("between silver and gold", "all", l -> l.contains("silver: ") && l.contains(" checks,")),
                new KillPoint("gold: first table written", "gold", l -> l.contains("gold.kpi_daily ")),
                new KillPoint("gold: mid-way", "gold", l -> l.contains("gold.kpi_rep_daily ")),
                new KillPoint("after gold, before the run log", "gold", l -> l.contains(" win rate 30d ")));
        Map<String, String> env = Map.of("SALESPULSE_HASH_KEY", Cli.TEST_HASH_KEY);
        List<Integer> concurrentExit = new ArrayList<>();
        for (KillPoint point : points) {
            boolean checkConcurrency = point.name().equals("gold: mid-way");
            ChildRun.Result child = ChildRun.run(env, point.line(), line -> {
                // while this run holds the warehouse, a second one must refuse
                if (checkConcurrency && concurrentExit.isEmpty() && line.contains("gold.kpi_daily ")) {
                    concurrentExit.add(Cli.run("run", "--date", DAY2, "--stage", "gold", "--landing", landing,
                            "--warehouse", warehouse).code());
                }
            }, "run", "--date", DAY2, "--stage", point.stage(), "--landing", landing, "--warehouse", warehouse,
                    "--conf", dir.resolve("small.properties").toString());
            assertThat(child.killed()).as(point.name() + " reached:\n" + child.output()).isTrue();
            // every table readable, and each one wholly before (day 1) or wholly after (day 2)
            TreeMap<String, String> now = TableFingerprints.of(warehouse);
            for (Map.Entry<String, String> t : now.entrySet()) {
                if (!t.getKey().startsWith("ops.")) {
                    assertThat(t.getValue()).as("%s after the kill at '%s'", t.getKey(), point.name())
                            .isIn(day1.get(t.getKey()), day2.get(t.getKey()));
                }
            }
        }
        assertThat(concurrentExit).as("a second run while one held the warehouse").containsExactly(5);
        run(warehouse, DAY2);
        assertThat(withoutLogs(TableFingerprints.of(warehouse))).isEqualTo(withoutLogs(day2));
    }

    @Test
    void flakyStorageIsRiddenOutAndNoSecretReachesALogOrATable() throws IOException {
        LocalS3 s3 = LocalS3Extension.server();
        String bucket = "salespulse-flaky";
        s3.ensureBucket(bucket);
        FileSystem direct = new Path("s3a://" + bucket + "/").getFileSystem(spark().sparkContext().hadoopConfiguration());
        FileUtil.copy(new java.io.File(landing), direct, new Path("s3a://" + bucket + "/landing"), false,
                spark().sparkContext().hadoopConfiguration());
        try (FaultyProxy proxy = new FaultyProxy(s3.port(), 0.06, 3)) {
            java.nio.file.Path conf = dir.resolve("flaky.properties");
            Files.writeString(conf, proxiedBucket(bucket, proxy));
            Map<String, String> env = Map.of("SALESPULSE_HASH_KEY", HASH_KEY,
                    "AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey());
            String warehouse = "s3a://" + bucket + "/warehouse";
            ChildRun.Result r = ChildRun.run(env, "run", "--date", DAY1, "--conf", conf.toString(),
                    "--landing", "s3a://" + bucket + "/landing", "--warehouse", warehouse);
            assertThat(r.exitCode()).as(r.output()).isEqualTo(0);
            assertThat(proxy.slowDowns()).as("503s injected").isGreaterThan(0);
            assertThat(proxy.resets()).as("connection resets injected").isGreaterThan(0);
            // the same tables as the clean day-1 run (the hash key differs: email_hash columns aside, and
            // silver's state, which records the key's id so that a new key recomputes silver)
            TreeMap<String, String> flaky = withoutLogs(TableFingerprints.of(warehouse));
            TreeMap<String, String> clean = withoutLogs(day1);
            assertThat(flaky.keySet()).isEqualTo(clean.keySet());
            for (String t : clean.keySet()) {
                if (!List.of("silver.fact_lead", "ops.silver_state").contains(t)) {
                    assertThat(flaky.get(t)).as(t).isEqualTo(clean.get(t));
                }
            }
            assertThat(r.output()).doesNotContain(s3.secretKey()).doesNotContain(HASH_KEY);
            for (String t : TableFingerprints.tables(warehouse)) {
                assertNoStringColumnContains(spark().read().format("delta").load(warehouse + "/" + t.replace('.', '/')), t,
                        List.of(s3.secretKey(), HASH_KEY));
            }
            System.out.printf("flaky storage: %d requests, %d 503s, %d resets, run took %.0f s%n",
                    proxy.requests(), proxy.slowDowns(), proxy.resets(), r.seconds());
        }
    }

    @Test
    void storageDownFailsTheRunWithinBoundedTime() throws IOException {
        LocalS3 s3 = LocalS3Extension.server();
        String bucket = "salespulse-flaky";
        try (FaultyProxy proxy = new FaultyProxy(s3.port(), 0, 1)) {
            proxy.down(true);
            java.nio.file.Path conf = dir.resolve("down.properties");
            Files.writeString(conf, proxiedBucket(bucket, proxy));
            Map<String, String> env = Map.of("SALESPULSE_HASH_KEY", HASH_KEY,
                    "AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey());
            ChildRun.Result r = ChildRun.run(env, "run", "--date", DAY2, "--conf", conf.toString(),
                    "--landing", "s3a://" + bucket + "/landing", "--warehouse", "s3a://" + bucket + "/warehouse");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.seconds()).as("time to give up").isLessThan(180);
            List<String> reasons = r.lines().stream().filter(l -> l.startsWith("salespulse: failed: ")).toList();
            assertThat(reasons).singleElement().asString().contains("s3a://" + bucket + "/warehouse");
            assertThat(r.output()).doesNotContain(s3.secretKey());
            System.out.printf("storage down: gave up after %.0f s (%d connections refused)%n", r.seconds(), proxy.resets());
        }
    }

    @Test
    void aFailedQualityCheckStopsTheRunBeforeGoldIsPublished() throws IOException {
        String warehouse = dir.resolve("gated").toString();
        FileUtils.copyDirectory(new java.io.File(reference), new java.io.File(warehouse));
        TreeMap<String, Long> goldBefore = TableFingerprints.versions(warehouse);
        // a duplicated lead, as a faulty hand fix or a bug upstream would leave it
        Dataset<Row> leads = spark().read().format("delta").load(warehouse + "/silver/fact_lead");
        assertThat(leads.count()).isPositive();
        leads.limit(1).write().format("delta").mode("append").save(warehouse + "/silver/fact_lead");

        Cli.Result r = Cli.run("run", "--date", DAY2, "--stage", "gold", "--landing", landing, "--warehouse", warehouse);
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).contains("data-quality gate failed").contains("silver.fact_lead primary_key_unique: 1 surplus rows");
        TreeMap<String, Long> goldAfter = TableFingerprints.versions(warehouse);
        goldBefore.keySet().stream().filter(t -> t.startsWith("gold.")).forEach(t ->
                assertThat(goldAfter.get(t)).as(t + " version").isEqualTo(goldBefore.get(t)));
        assertRows("failed check recorded", List.<Object[]>of(row("silver", "primary_key_unique", "fact_lead", "error", 1L)),
                rowsOf(spark().read().format("delta").load(warehouse + "/ops/dq_results")
                        .where("passed = false AND severity = 'error'")
                        .select("layer", "check_name", "table_name", "severity", "observed")));
        assertRows("run log", List.<Object[]>of(row("blocked", 3)), rowsOf(spark().read().format("delta")
                .load(warehouse + "/ops/run_log").orderBy(col("ended_at").desc()).limit(1)
                .select("outcome", "exit_code")));
    }

    private static String smallDataSettings() {
        StringBuilder sb = new StringBuilder();
        io.salespulse.common.SparkSessions.SMALL_DATA.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    /** S3A settings sending one bucket through the proxy; no credentials (those come from the environment). */
    private static String proxiedBucket(String bucket, FaultyProxy proxy) {
        String p = "spark.hadoop.fs.s3a.bucket." + bucket + ".";
        return smallData + p + "endpoint=" + proxy.endpoint() + "\n" + p + "endpoint.region=us-east-1\n"
                + p + "path.style.access=true\n" + p + "connection.ssl.enabled=false\n";
    }

    /** One scan per table (a scan per column and secret cost minutes over S3); the columns are named when one holds it. */
    static void assertNoStringColumnContains(Dataset<Row> table, String name, List<String> needles) {
        List<String> holding = new ArrayList<>();
        List<Column> perColumn = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (StructField f : table.schema().fields()) {
            if (f.dataType().equals(DataTypes.StringType)) {
                Column c = lit(false);
                for (String needle : needles) {
                    c = c.or(coalesce(col("`" + f.name() + "`").contains(needle), lit(false)));
                }
                perColumn.add(max(c.cast("int")));
                names.add(f.name());
            }
        }
        if (perColumn.isEmpty()) {
            return;
        }
        Row hits = table.agg(perColumn.get(0), perColumn.subList(1, perColumn.size()).toArray(Column[]::new)).first();
        for (int i = 0; i < names.size(); i++) {
            if (!hits.isNullAt(i) && hits.getInt(i) > 0) {
                holding.add(names.get(i));
            }
        }
        assertThat(holding).as("columns of %s holding a secret", name).isEmpty();
    }
}
