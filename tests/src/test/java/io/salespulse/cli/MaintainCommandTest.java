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
    void theVacuumKeepsWhatTheRetentionAsked() throws IOException {
        Path dir = workDir("maintain-retention");
        String warehouse = dir.resolve("warehouse").toString();
        String table = warehouse + "/silver/fact_example";
        spark().range(0, 5).selectExpr("id").coalesce(1).write().format("delta").mode("append").save(table);
        // files no version lists, as a killed writer leaves them: 100 hours and 300 hours old
        Path young = stray(table, "part-stray-100h.snappy.parquet", 100);
        Path old = stray(table, "part-stray-300h.snappy.parquet", 300);

        // a retention longer than Delta's default week keeps both (Delta 4 ignores a VACUUM's own
        // retention unless it is 0, and used its week: the 300-hour file went)
        Cli.Result longer = Cli.run("maintain", "--vacuum-hours", "400", "--warehouse", warehouse);
        assertThat(longer.code()).as(longer.err()).isEqualTo(0);
        assertThat(young).exists();
        assertThat(old).exists();

        Cli.Result week = Cli.run("maintain", "--warehouse", warehouse);
        assertThat(week.code()).as(week.err()).isEqualTo(0);
        assertThat(young).as("younger than a week").exists();
        assertThat(old).as("older than a week").doesNotExist();

        // and a shorter one removes what is older than it
        Cli.Result shorter = Cli.run("maintain", "--vacuum-hours", "48", "--warehouse", warehouse);
        assertThat(shorter.code()).as(shorter.err()).isEqualTo(0);
        assertThat(young).doesNotExist();
        assertThat(spark().read().format("delta").load(table).count()).isEqualTo(5);
    }

    /** A data file in the table's folder that no version lists, last modified {@code hours} ago. */
    private static Path stray(String table, String name, int hours) throws IOException {
        Path f = Path.of(table, name);
        Files.write(f, new byte[]{1, 2, 3});
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofHours(hours))));
        return f;
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

        // four more nights: a file smaller than the target size, but not small, stays as it is too (Delta's
        // default counts every file under 1 GB as small, and would have packed them all into one)
        for (int night = 5; night <= 8; night++) {
            spark().range(night * 1_000_000L, night * 1_000_000L + 5).selectExpr("id", "sha2(CAST(id AS STRING), 256) AS message_id")
                    .coalesce(1).write().format("delta").mode("append").save(table);
        }
        long target = large.bytes() * 4;
        assertThat(large.bytes()).isGreaterThanOrEqualTo(target / MaintainCommand.SMALL_FILE_RATIO).isLessThan(target);
        MaintainCommand.compact(io.delta.tables.DeltaTable.forPath(spark(), table), target);
        after = liveFiles(table);
        assertThat(after).as("the large file kept, the packed nights and the four new ones packed into one").hasSize(2);
        assertThat(after.get(0).path()).isEqualTo(large.path());

        // a file under a sixteenth of the target size is small: packed with the others
        MaintainCommand.compact(io.delta.tables.DeltaTable.forPath(spark(), table), large.bytes() * 32);
        assertThat(liveFiles(table)).hasSize(1);
        assertThat(spark().read().format("delta").load(table).count()).isEqualTo(200_040L);
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
