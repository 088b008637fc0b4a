package io.salespulse.ingest;

import io.salespulse.common.Progress;
import io.salespulse.datagen.LandingGenerator;
import io.salespulse.datagen.LandingWriter;
import io.salespulse.testing.Cli;
import io.salespulse.testing.LocalS3Extension;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance: generated landing on a real S3 API server (S3Proxy over s3a://), three daily runs,
 * bronze + quarantine row counts equal the manifests' counts, and a second pass adds no row.
 */
@ExtendWith(LocalS3Extension.class)
class S3RoundTripTest extends SparkTestBase {

    @Test
    void threeDailyRunsOverS3aFillBronzeExactlyOnce() {
        String root = LocalS3Extension.freshUri("roundtrip");
        String landing = root + "/landing";
        String warehouse = root + "/warehouse";
        LandingWriter writer = new LandingWriter(landing, spark().sparkContext().hadoopConfiguration(), 50_000);
        LandingGenerator.Totals totals = new LandingGenerator(writer, new Progress(new PrintStream(new ByteArrayOutputStream())))
                .generate(LocalDate.of(2026, 3, 1), 3, 0.01, 7, 0.01);
        assertThat(totals.snapshots()).isEqualTo(39);

        for (String date : List.of("2026-03-01", "2026-03-02", "2026-03-03")) {
            Cli.Result r = Cli.run("run", "--date", date, "--stage", "ingest", "--landing", landing, "--warehouse", warehouse);
            assertThat(r.code()).as(r.err()).isEqualTo(0);
            assertThat(r.out()).contains("13 snapshots loaded");
        }

        Map<String, Long> manifests = manifestCounts(landing);
        Map<String, Long> landed = landedCounts(warehouse);
        assertThat(landed).isEqualTo(manifests);
        long malformed = spark().read().format("delta").load(warehouse + "/ops/quarantine").count();
        assertThat(malformed).isEqualTo(totals.malformedRows()).isPositive();

        // the ledger's listing of each loaded manifest is what a later scan lists: none is read again
        Map<String, String> loaded = new HashMap<>();
        for (Row r : spark().read().format("delta").load(warehouse + "/ops/snapshot_ledger").where(col("status").equalTo("loaded"))
                .select("table_name", "snapshot_date", "manifest_listing").collectAsList()) {
            loaded.put(LandingScanner.key(r.getString(0), r.getDate(1).toLocalDate()), r.getString(2));
        }
        LandingScanner.Scan rescan = new LandingScanner(landing, spark().sparkContext().hadoopConfiguration())
                .scan(LocalDate.of(2026, 3, 3), loaded);
        assertThat(rescan.complete()).isEmpty();
        assertThat(rescan.known()).isEqualTo(39);
        // and a first scan's one listing gives the size of every file a manifest names: no request per file to size it
        LandingScanner.Scan first = new LandingScanner(landing, spark().sparkContext().hadoopConfiguration()).scan(LocalDate.of(2026, 3, 3));
        assertThat(first.complete()).hasSize(39);
        try {
            org.apache.hadoop.fs.FileSystem fs = org.apache.hadoop.fs.FileSystem.get(java.net.URI.create(landing),
                    spark().sparkContext().hadoopConfiguration());
            for (LandingSnapshot s : first.complete()) {
                for (Manifest.FileEntry f : s.manifest().files()) {
                    long size = fs.getFileStatus(new org.apache.hadoop.fs.Path(s.folder(), f.name())).getLen();
                    assertThat(s.listedFiles()).as(s.label()).containsKey(f.name());
                    assertThat(s.listedFiles().get(f.name()).getLen()).as(s.label() + "/" + f.name()).isEqualTo(size);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        Map<String, Long> before = bronzeCounts(warehouse);
        for (String date : List.of("2026-03-01", "2026-03-02", "2026-03-03")) {
            Cli.Result r = Cli.run("run", "--date", date, "--stage", "ingest", "--landing", landing, "--warehouse", warehouse);
            assertThat(r.code()).isEqualTo(0);
            assertThat(r.out()).contains("0 snapshots loaded");
        }
        assertThat(bronzeCounts(warehouse)).isEqualTo(before);
    }

    /** What the manifests announce, per bronze table and date, read straight from the landing JSON. */
    private Map<String, Long> manifestCounts(String landing) {
        Map<String, Long> out = new HashMap<>();
        try {
            org.apache.hadoop.fs.FileSystem fs = org.apache.hadoop.fs.FileSystem.get(java.net.URI.create(landing),
                    spark().sparkContext().hadoopConfiguration());
            for (org.apache.hadoop.fs.FileStatus st : fs.globStatus(new org.apache.hadoop.fs.Path(landing + "/*/*/*/_manifest.json"))) {
                String text;
                try (var in = fs.open(st.getPath())) {
                    text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
                Manifest m = Manifest.parse(text);
                String object = st.getPath().getParent().getParent().getName();
                String date = st.getPath().getParent().getName().split("=")[1];
                SourceObject so = java.util.Arrays.stream(SourceObject.values())
                        .filter(o -> o.objectName().equals(object)).findFirst().orElseThrow();
                out.merge(so.bronzeTable() + "|" + date, m.records(), Long::sum);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(out).hasSize(39);
        return out;
    }

    /** Bronze rows plus quarantined rows, per table and snapshot date (from the run log). */
    private Map<String, Long> landedCounts(String warehouse) {
        Map<String, Long> out = new HashMap<>();
        Dataset<Row> runs = spark().read().format("delta").load(warehouse + "/ops/run_log")
                .selectExpr("explode(snapshots) AS s")
                .selectExpr("s.table_name", "s.snapshot_date", "s.rows_loaded", "s.rows_quarantined", "s.rows_read");
        for (Row r : runs.collectAsList()) {
            assertThat(r.getLong(2) + r.getLong(3)).isEqualTo(r.getLong(4));
            out.merge(r.getString(0) + "|" + r.getDate(1), r.getLong(2) + r.getLong(3), Long::sum);
        }
        // and bronze really holds what the run log says it loaded
        for (Map.Entry<String, Long> e : bronzeCounts(warehouse).entrySet()) {
            long quarantined = spark().read().format("delta").load(warehouse + "/ops/quarantine")
                    .where(col("table_name").equalTo(e.getKey().split("\\|")[0])
                            .and(col("snapshot_date").equalTo(e.getKey().split("\\|")[1]))).count();
            assertThat(e.getValue() + quarantined).as(e.getKey()).isEqualTo(out.get(e.getKey()));
        }
        return out;
    }

    private Map<String, Long> bronzeCounts(String warehouse) {
        Map<String, Long> out = new HashMap<>();
        for (SourceObject o : SourceObject.values()) {
            String path = warehouse + "/bronze/" + o.bronzeTable();
            if (!io.delta.tables.DeltaTable.isDeltaTable(spark(), path)) {
                continue;
            }
            for (Row r : spark().read().format("delta").load(path).groupBy("_snapshot_date").count().collectAsList()) {
                out.put(o.bronzeTable() + "|" + r.getDate(0), r.getLong(1));
            }
        }
        return out;
    }
}
