package io.salespulse.cli;

import io.salespulse.testing.Cli;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code maintain} compacts small files and vacuums old ones; {@code tables} reports them. */
class MaintainCommandTest extends SparkTestBase {

    @Test
    void maintainCompactsSmallFilesAndVacuumsTheOldOnes() throws IOException {
        Path dir = workDir("maintain");
        String warehouse = dir.resolve("warehouse").toString();
        String table = warehouse + "/silver/fact_example";
        for (int day = 1; day <= 3; day++) { // three nightly appends: three small files
            spark().range(day * 10, day * 10 + 5).selectExpr("id", "'day " + day + "' AS note")
                    .coalesce(1).write().format("delta").mode("append").save(table);
        }
        assertThat(parquetFiles(table)).isEqualTo(3);

        Cli.Result before = Cli.run("tables", "--json", "--warehouse", warehouse);
        assertThat(before.code()).as(before.err()).isEqualTo(0);
        assertThat(before.out()).contains("{\"table\": \"silver.fact_example\", \"version\": 2, \"files\": 3,")
                .contains("\"rows\": 15}");

        Cli.Result r = Cli.run("maintain", "--vacuum-hours", "0", "--warehouse", warehouse);
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("silver.fact_example").contains("3 →      1 live files")
                .contains("maintain: 1 tables, 3 → 1 live files");
        assertThat(parquetFiles(table)).as("old files vacuumed").isEqualTo(1);
        assertThat(spark().read().format("delta").load(table).count()).isEqualTo(15);
        assertThat(spark().read().format("delta").load(warehouse + "/ops/run_log")
                .where("command = 'maintain' AND outcome = 'success'").count()).isEqualTo(1);

        Cli.Result refused = Cli.run("maintain", "--vacuum-hours", "-1", "--warehouse", warehouse);
        assertThat(refused.code()).isEqualTo(2);
    }

    @Test
    void aCompactionLeavesTheFilesOfItsSizeAndPacksTheSmallOnes() {
        String table = workDir("maintain-sized").resolve("warehouse").resolve("bronze/segment_events").toString();
        // a catch-up's large file, then four nights of a few rows each
        spark().range(0, 200_000).selectExpr("id", "sha2(CAST(id AS STRING), 256) AS message_id")
                .coalesce(1).write().format("delta").mode("append").save(table);
        for (int night = 1; night <= 4; night++) {
            spark().range(night * 1_000_000L, night * 1_000_000L + 5).selectExpr("id", "sha2(CAST(id AS STRING), 256) AS message_id")
                    .coalesce(1).write().format("delta").mode("append").save(table);
        }
        List<DataFile> files = liveFiles(table);
        assertThat(files).hasSize(5);
        DataFile large = files.get(0);
        assertThat(large.bytes()).as("the catch-up's file").isGreaterThan(100 * files.get(1).bytes());

        MaintainCommand.compact(io.delta.tables.DeltaTable.forPath(spark(), table), large.bytes() / 2);
        List<DataFile> after = liveFiles(table);
        assertThat(after).as("the large file kept as it is, the four nights' packed into one").hasSize(2);
        assertThat(after.get(0).path()).isEqualTo(large.path());
        assertThat(spark().read().format("delta").load(table).count()).isEqualTo(200_020L);

        // Delta's default would have rewritten them all into one file
        MaintainCommand.compact(io.delta.tables.DeltaTable.forPath(spark(), table), large.bytes() * 4);
        assertThat(liveFiles(table)).hasSize(1);
    }

    /** A live data file of a table. */
    private record DataFile(String path, long bytes) {
    }

    /** The table's live files (its latest version's), the largest first. */
    private List<DataFile> liveFiles(String table) {
        return Stream.of(spark().read().format("delta").load(table).inputFiles())
                .map(f -> {
                    try {
                        return new DataFile(f, Files.size(Path.of(java.net.URI.create(f))));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .sorted(java.util.Comparator.comparingLong(DataFile::bytes).reversed()).toList();
    }

    @Test
    void maintainLaysTheActivityOutInDateRangesAgain() {
        String warehouse = workDir("maintain-ordered").resolve("warehouse").toString();
        String table = warehouse + "/silver/fact_activity_daily";
        // three writes of 0.7 M rows, each spanning the whole year: a plain compaction would make one
        // file of every date
        for (int night = 0; night < 3; night++) {
            spark().range(night * 700_000L, (night + 1) * 700_000L)
                    .selectExpr("date_add(DATE'2026-01-01', CAST(id % 365 AS INT)) AS activity_date", "CAST(id AS STRING) AS user_id")
                    .coalesce(1).write().format("delta").mode("append").save(table);
        }
        Cli.Result r = Cli.run("maintain", "--warehouse", warehouse);
        assertThat(r.code()).as(r.err()).isEqualTo(0);

        // about a million rows a file (TableWriter.ROWS_PER_ORDERED_FILE), each file a range of dates
        List<Row> files = fileBounds(table, "activity_date");
        assertThat(files).hasSizeBetween(2, 3);
        assertThat(files.stream().mapToLong(f -> f.getLong(3)).sum()).isEqualTo(2_100_000L);
        for (int i = 1; i < files.size(); i++) {
            assertThat(files.get(i).getDate(1)).as("file %d's first date", i).isAfter(files.get(i - 1).getDate(2));
        }
    }

    private static long parquetFiles(String table) throws IOException {
        try (Stream<Path> files = Files.walk(Path.of(table))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".parquet") && !p.toString().contains("_delta_log")).count();
        }
    }
}
