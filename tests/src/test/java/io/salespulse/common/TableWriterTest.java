package io.salespulse.common;

import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The one writer's sync: a table brought to exactly the computed rows, whatever was done to it in between. */
class TableWriterTest extends SparkTestBase {

    private static final StructType SCHEMA = new StructType().add("id", "string").add("value", "string");

    private static Dataset<Row> values(String columns, String values) {
        return spark().sql("SELECT * FROM VALUES " + values + " AS t(" + columns + ")");
    }

    @Test
    void rowsWrittenInRangesMakeFilesOfConsecutiveDates() {
        // 30 days of 4 users each, spread over 4 partitions in no order; 40 rows a file: 3 files
        Dataset<Row> rows = spark().sql("SELECT date_add(DATE'2026-01-01', CAST(id % 30 AS INT)) AS day, CAST(id AS STRING) AS user "
                + "FROM range(120)").repartition(4);
        String path = workDir("writer-ranges").resolve("t").toString();
        TableWriter.inRanges(rows, List.of("day"), 120, 40).write().format("delta").save(path);

        List<Row> files = fileBounds(path, "day");
        assertThat(files).hasSize(3);
        assertThat(files.stream().mapToLong(f -> f.getLong(3)).sum()).isEqualTo(120);
        assertThat(files.get(0).getDate(1)).isEqualTo(java.sql.Date.valueOf("2026-01-01"));
        assertThat(files.get(2).getDate(2)).isEqualTo(java.sql.Date.valueOf("2026-01-30"));
        for (int i = 1; i < files.size(); i++) {
            // no day in two files: each starts after the one before ends
            assertThat(files.get(i).getDate(1)).as("file %d's first day", i).isAfter(files.get(i - 1).getDate(2));
        }
        // a table of fewer rows than a file is written as one file, without a shuffle
        assertThat(TableWriter.inRanges(rows, List.of("day"), 120, 1_000).rdd().getNumPartitions()).isEqualTo(1);
    }

    @Test
    void aKeyDuplicatedByAnotherWriterIsLeftOnceByTheNextSync() {
        String root = workDir("writer").toString();
        TableWriter writer = new TableWriter(spark(), root, "test-run");
        Dataset<Row> rows = values("id, value", "('K1', 'a'), ('K2', 'b')");
        writer.sync("silver", "t", "test", SCHEMA, List.of("id"), rows, null, List.of());
        long synced = writer.version("silver", "t");

        // a second writer appends another row for K1 (a hand fix gone wrong)
        values("id, value", "('K1', 'x')").write().format("delta").mode("append").save(writer.location("silver", "t"));
        writer.sync("silver", "t", "test", SCHEMA, List.of("id"), rows, null, List.of());
        assertRows("after the next sync", List.<Object[]>of(row("K1", "a"), row("K2", "b")),
                rowsOf(writer.read("silver", "t").select("id", "value")));

        // and a sync of the same rows again commits nothing
        long repaired = writer.version("silver", "t");
        assertThat(repaired).isGreaterThan(synced + 1);
        writer.sync("silver", "t", "test", SCHEMA, List.of("id"), rows, null, List.of());
        assertThat(writer.version("silver", "t")).isEqualTo(repaired);
    }

    @Test
    void aWholeTableSyncIsOneVersionWhoseChangeFeedDeletesEveryOldRowAndInsertsEveryNewOne() {
        String root = workDir("writer-whole").toString();
        TableWriter writer = new TableWriter(spark(), root, "test-run");
        writer.recordChanges("silver");
        writer.sync("silver", "t", "test", SCHEMA, List.of("id"), values("id, value", "('K1', 'a'), ('K2', 'b')"), null, List.of());
        long first = writer.version("silver", "t");
        writer.sync("silver", "t", "test", SCHEMA, List.of("id"), values("id, value", "('K1', 'a'), ('K2', 'B'), ('K3', 'c')"),
                null, List.of());
        assertThat(writer.version("silver", "t")).isEqualTo(first + 1);
        // what AffectedDates cancels by key and commit: K1's two rows are the same, K2's differ, K3 is new
        assertRows("the change feed of the second sync", List.<Object[]>of(
                        row("K1", "a", "delete"), row("K1", "a", "insert"), row("K2", "b", "delete"), row("K2", "B", "insert"),
                        row("K3", "c", "insert")),
                rowsOf(writer.changes("silver", "t", first + 1, first + 1).select("id", "value", "_change_type")));
        assertRows("the table", List.<Object[]>of(row("K1", "a"), row("K2", "B"), row("K3", "c")),
                rowsOf(writer.read("silver", "t").select("id", "value")));
    }

    @Test
    void aWholeWriteReplacesTheListedFilesInOneCommitWithNoJobButItsWriteAndFallsBackToDeltasOverwrite() {
        String root = workDir("writer-overwrite").toString();
        TableWriter writer = new TableWriter(spark(), root, "test-run");
        writer.overwrite("silver", "t", "test", SCHEMA, values("id, value", "('K1', 'a'), ('K2', 'b')"));
        long first = writer.version("silver", "t");
        // the files the checksum lists are removed as listed: the one Spark job is the new rows' write
        // (Delta's overwrite first reconstructs the table's state with a job of its own)
        Dataset<Row> next = values("id, value", "('K2', 'B'), ('K3', 'c')").localCheckpoint();
        try (StageMetrics metrics = StageMetrics.attach(spark().sparkContext())) {
            metrics.time("overwrite", () -> writer.overwrite("silver", "t", "test", SCHEMA, next));
            assertThat(metrics.snapshot().get("overwrite").jobs()).isEqualTo(1);
        }
        assertThat(writer.version("silver", "t")).isEqualTo(first + 1);
        assertRows("after the overwrite", List.<Object[]>of(row("K2", "B"), row("K3", "c")),
                rowsOf(writer.read("silver", "t").select("id", "value")));
        Row commit = spark().sql("DESCRIBE HISTORY delta.`" + writer.location("silver", "t") + "` LIMIT 1").first();
        assertThat((String) commit.getAs("operation")).isEqualTo("WRITE");
        assertThat((String) commit.getAs("userMetadata")).isEqualTo("test-run");
        // without a checksum to list the files (the log read again from storage: the JVM's Delta keeps
        // the checksums of its own commits), and with a column the table lacks, it is Delta's own
        // overwrite (which adds the column): the state job runs again
        deleteChecksums(java.nio.file.Path.of(root, "silver", "t"));
        org.apache.spark.sql.delta.DeltaLog.clearCache();
        Dataset<Row> unlisted = values("id, value", "('K4', 'd')").localCheckpoint();
        try (StageMetrics metrics = StageMetrics.attach(spark().sparkContext())) {
            metrics.time("overwrite", () -> writer.overwrite("silver", "t", "test", SCHEMA, unlisted));
            assertThat(metrics.snapshot().get("overwrite").jobs()).isGreaterThan(1);
        }
        assertRows("without checksums", List.<Object[]>of(row("K4", "d")), rowsOf(writer.read("silver", "t").select("id", "value")));
        StructType wider = SCHEMA.add("note", "string");
        writer.overwrite("silver", "t", "test", wider, values("id, value, note", "('K5', 'e', 'x')"));
        assertRows("with a new column", List.<Object[]>of(row("K5", "e", "x")),
                rowsOf(writer.read("silver", "t").select("id", "value", "note")));
    }

    @Test
    void aSmallTablesReplaceRewritesOnlyTheFilesHoldingReplacedRowsInTwoJobsAndFeedsOnlyTheChangedRows() {
        String root = workDir("writer-replace").toString();
        TableWriter writer = new TableWriter(spark(), root, "test-run");
        writer.recordChanges("silver");
        // two files: K1, K2, K3 (and a row whose id is null) written whole, then K4 appended by a replace that finds nothing
        writer.overwrite("silver", "t", "test", SCHEMA, values("id, value", "('K1', 'a'), ('K2', 'b'), ('K3', 'c'), (NULL, 'n')")
                .coalesce(1));
        writer.replaceWhere("silver", "t", values("id, value", "('K4', 'd')"), "id = 'K4'");
        long before = writer.version("silver", "t");
        java.util.Set<String> filesBefore = liveFiles(writer);
        assertThat(filesBefore).hasSize(2);
        String k4File = spark().read().format("delta").load(writer.location("silver", "t")).where("id = 'K4'")
                .select("_metadata.file_name").as(org.apache.spark.sql.Encoders.STRING()).first();

        // K2 changes and K5 is new: only the first file holds a replaced row; the null id is not replaced
        Dataset<Row> next = values("id, value", "('K2', 'B'), ('K5', 'e')").localCheckpoint();
        try (StageMetrics metrics = StageMetrics.attach(spark().sparkContext())) {
            metrics.time("replace", () -> writer.replaceWhere("silver", "t", next, "id IN ('K2', 'K5')"));
            // the search for the files holding replaced rows, and the write (Delta's replace: ~5)
            assertThat(metrics.snapshot().get("replace").jobs()).isEqualTo(2);
        }
        assertThat(writer.version("silver", "t")).isEqualTo(before + 1);
        assertRows("after the replace", List.<Object[]>of(row("K1", "a"), row("K2", "B"), row("K3", "c"), row("K4", "d"),
                row("K5", "e"), row(null, "n")), rowsOf(writer.read("silver", "t").select("id", "value")));
        // the file of K1, K2, K3 replaced by one new file; K4's file untouched
        java.util.Set<String> filesAfter = liveFiles(writer);
        assertThat(filesAfter).hasSize(2).contains(k4File);
        assertThat(filesAfter.stream().filter(filesBefore::contains).toList()).containsExactly(k4File);
        // the feed holds the rows that changed, as Delta's replace records them, not the rewritten file's other rows
        assertRows("the change feed of the replace", List.<Object[]>of(row("K2", "b", "delete"), row("K2", "B", "insert"),
                        row("K5", "e", "insert")),
                rowsOf(writer.changes("silver", "t", before + 1, before + 1).select("id", "value", "_change_type")));
        Row commit = spark().sql("DESCRIBE HISTORY delta.`" + writer.location("silver", "t") + "` LIMIT 1").first();
        assertThat((String) commit.getAs("operation")).isEqualTo("WRITE");
        assertThat((String) commit.getAs("userMetadata")).isEqualTo("test-run");
        assertThat(commit.<scala.collection.Map<String, String>>getAs("operationParameters").get("predicate").get())
                .contains("K2");

        // a new row outside the replaced part is refused, as Delta refuses it, and nothing is committed
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> writer.replaceWhere("silver", "t",
                        values("id, value", "('K6', 'f')"), "id = 'K7'"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id = 'K7'");
        assertThat(writer.version("silver", "t")).isEqualTo(before + 1);

        // a table the checksum does not list goes through Delta's replace, with the same rows
        deleteChecksums(java.nio.file.Path.of(root, "silver", "t"));
        org.apache.spark.sql.delta.DeltaLog.clearCache();
        Dataset<Row> unlisted = values("id, value", "('K1', 'A')").localCheckpoint();
        try (StageMetrics metrics = StageMetrics.attach(spark().sparkContext())) {
            metrics.time("replace", () -> writer.replaceWhere("silver", "t", unlisted, "id = 'K1'"));
            assertThat(metrics.snapshot().get("replace").jobs()).isGreaterThan(2);
        }
        assertRows("without checksums", List.<Object[]>of(row("K1", "A"), row("K2", "B"), row("K3", "c"), row("K4", "d"),
                row("K5", "e"), row(null, "n")), rowsOf(writer.read("silver", "t").select("id", "value")));
    }

    /** The names of the data files of the table's latest version. */
    private static java.util.Set<String> liveFiles(TableWriter writer) {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String file : spark().read().format("delta").load(writer.location("silver", "t")).inputFiles()) {
            names.add(file.substring(file.lastIndexOf('/') + 1));
        }
        return names;
    }

    @Test
    void afterAnotherWritersCommitTheSameRowsAreFoundUnchangedInTheTableItselfAndNotWrittenAgain() {
        String root = workDir("writer-foreign").toString();
        TableWriter writer = new TableWriter(spark(), root, "test-run");
        Dataset<Row> rows = values("id, value", "('K1', 'a'), ('K2', 'b'), ('K3', null)");
        writer.sync("silver", "t", "test", SCHEMA, List.of("id"), rows, null, List.of());
        // a commit that changes no row and records no fingerprint (a property set by hand)
        spark().sql("ALTER TABLE delta.`" + writer.location("silver", "t") + "` SET TBLPROPERTIES ('salespulse.steward' = 'sales-ops')");
        long before = writer.version("silver", "t");
        // the table's own rows are fingerprinted: the same rows, whole or in a scope, commit nothing
        writer.sync("silver", "t", "test", SCHEMA, List.of("id"), rows, null, List.of());
        writer.sync("silver", "t", "test", SCHEMA, List.of("id"), rows.where("id <> 'K1'"), "t.id <> 'K1'", List.of());
        assertThat(writer.version("silver", "t")).isEqualTo(before);
        // an empty scope too
        writer.sync("silver", "t", "test", SCHEMA, List.of("id"), rows.where("id = 'K9'"), "t.id = 'K9'", List.of());
        assertThat(writer.version("silver", "t")).isEqualTo(before);
        // and a changed row is written
        writer.sync("silver", "t", "test", SCHEMA, List.of("id"), values("id, value", "('K1', 'a'), ('K2', 'B'), ('K3', null)"),
                null, List.of());
        assertThat(writer.version("silver", "t")).isEqualTo(before + 1);
        assertRows("after the change", List.<Object[]>of(row("K1", "a"), row("K2", "B"), row("K3", null)),
                rowsOf(writer.read("silver", "t").select("id", "value")));
    }

    @Test
    void aSmallTableIsReadFromTheFilesItsChecksumListsWithTheRowsDeltaReads() {
        assertThat(spark().conf().get(TableWriter.READ_LISTED_FILES)).isEqualTo("true"); // local mode: SparkSessions.SMALL_DATA
        String root = workDir("writer-listed").toString();
        TableWriter writer = new TableWriter(spark(), root, "test-run");
        // three versions, the last rewriting a file: the folder holds a file no longer in the table,
        // and a column added by a later write is null in the older file
        writer.sync("silver", "t", "test", SCHEMA, List.of("id"), values("id, value", "('K1', 'a'), ('K2', 'b')"), null, List.of());
        writer.append("silver", "t", values("id, value, note", "('K3', 'c', 'new')"), List.of());
        writer.sync("silver", "t", "test", SCHEMA.add("note", "string"), List.of("id"),
                values("id, value, note", "('K1', 'a', null), ('K2', 'b', null), ('K3', 'C', 'new')"), null, List.of());
        List<Object[]> expected = List.<Object[]>of(row("K1", "a", null), row("K2", "b", null), row("K3", "C", "new"));
        String path = writer.location("silver", "t");
        Dataset<Row> viaDelta = spark().read().format("delta").load(path);
        assertRows("as Delta reads it", expected, rowsOf(viaDelta.select("id", "value", "note")));

        Dataset<Row> listed = writer.read("silver", "t");
        assertThat(listed.schema()).isEqualTo(viaDelta.schema());
        assertRows("read from the listed files", expected, rowsOf(listed.select("id", "value", "note")));
        // Delta's frame over the files named, not a scan of its log: no more than the table's current files
        assertThat(fileIndex(listed)).isEqualTo("TahoeBatchFileIndex");
        assertThat(listed.inputFiles()).hasSize(viaDelta.inputFiles().length);
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of(path))) {
            assertThat(files.filter(f -> f.toString().endsWith(".parquet")).count()).isGreaterThan(listed.inputFiles().length);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        // without the checksum files (another writer keeps none), Delta reads it, with the same rows
        deleteChecksums(java.nio.file.Path.of(path));
        Dataset<Row> fallback = writer.read("silver", "t");
        assertThat(fileIndex(fallback)).isEqualTo("TahoeLogFileIndex");
        assertRows("read by Delta", expected, rowsOf(fallback.select("id", "value", "note")));

        // a partitioned table (gold's dated tables by month) too: its values come from the list's
        // entries, and a filter on them reads only the matching partition's files
        writer.append("bronze", "p", spark().sql("SELECT * FROM VALUES ('m1', DATE'2026-03-01'), ('m2', DATE'2026-04-02') AS v(id, d)"),
                List.of("d"));
        writer.append("bronze", "p", spark().sql("SELECT 'm3' AS id, DATE'2026-04-02' AS d"), List.of("d"));
        Dataset<Row> partitioned = writer.read("bronze", "p");
        assertThat(fileIndex(partitioned)).isEqualTo("TahoeBatchFileIndex");
        assertThat(partitioned.schema()).isEqualTo(spark().read().format("delta").load(writer.location("bronze", "p")).schema());
        assertRows("partitioned", List.<Object[]>of(row("m1", java.sql.Date.valueOf("2026-03-01")),
                row("m2", java.sql.Date.valueOf("2026-04-02")), row("m3", java.sql.Date.valueOf("2026-04-02"))),
                rowsOf(partitioned.select("id", "d")));
        Dataset<Row> april = partitioned.where("d = DATE'2026-04-02'");
        assertRows("one partition", List.<Object[]>of(row("m2", java.sql.Date.valueOf("2026-04-02")),
                row("m3", java.sql.Date.valueOf("2026-04-02"))), rowsOf(april.select("id", "d")));
        assertThat(april.collectAsList()).hasSize(2); // runs the plan whose scan is read below
        var scan = april.queryExecution().executedPlan().collectLeaves().head();
        assertThat(scan).isInstanceOf(org.apache.spark.sql.execution.FileSourceScanExec.class);
        assertThat(scan.metrics().apply("numFiles").value()).as("files read for one partition").isEqualTo(2);
    }

    /** What lists the files of a read: Spark's index of named files, or Delta's log. */
    private static String fileIndex(Dataset<Row> df) {
        var leaf = df.queryExecution().analyzed().collectLeaves().head();
        assertThat(leaf).isInstanceOf(org.apache.spark.sql.execution.datasources.LogicalRelation.class);
        var relation = ((org.apache.spark.sql.execution.datasources.LogicalRelation) leaf).relation();
        assertThat(relation).isInstanceOf(org.apache.spark.sql.execution.datasources.HadoopFsRelation.class);
        return ((org.apache.spark.sql.execution.datasources.HadoopFsRelation) relation).location().getClass().getSimpleName();
    }

    @Test
    void changedPartitionsNameWhatCommitsChangedAndNotWhatCompactionRewrote() {
        String root = workDir("writer-partitions").toString();
        TableWriter writer = new TableWriter(spark(), root, "test-run");
        // created partitioned by day, as bronze was before 2026-12-04: later loads keep that layout
        writer.append("bronze", "events", spark().sql("SELECT 'm1' AS id, DATE'2026-03-01' AS d"), List.of("d"));
        writer.append("bronze", "events", spark().sql("SELECT 'm2' AS id, DATE'2026-03-01' AS d"), List.of("d"));
        long first = writer.version("bronze", "events");
        writer.replaceWhere("bronze", "events", spark().sql("SELECT 'm3' AS id, DATE'2026-03-02' AS d"), "d IN ('2026-03-02')");
        writer.replaceWhere("bronze", "events", spark().sql("SELECT 'm4' AS id, DATE'2026-03-03' AS d"), "d IN ('2026-03-03')");
        assertThat(writer.changedValues("bronze", "events", "d", first + 1, writer.version("bronze", "events")))
                .contains(java.util.Set.of("2026-03-02", "2026-03-03"));

        // compacting the first day's two files (two commits) rewrites the same rows: not a change
        compactionChangesNothing(writer);

        // deleting a row of the first day is
        long before = writer.version("bronze", "events");
        spark().sql("DELETE FROM delta.`" + writer.location("bronze", "events") + "` WHERE id = 'm1'");
        assertThat(writer.changedValues("bronze", "events", "d", before + 1, writer.version("bronze", "events")))
                .contains(java.util.Set.of("2026-03-01"));
        assertThat(writer.rowsChanged("bronze", "events", before + 1, writer.version("bronze", "events"))).isTrue();
        // a version whose commit file is gone (log clean-up) cannot be told
        assertThat(writer.changedValues("bronze", "events", "d", 0, writer.version("bronze", "events") + 1)).isEmpty();
    }

    @Test
    void changedValuesOfAnUnpartitionedTableAreEachFilesBoundsFromItsStatistics() {
        // bronze is no longer partitioned by day (a folder a day made a file a day, forever): a
        // commit's dates are the least and greatest of each file it added or removed
        String root = workDir("writer-bounds").toString();
        TableWriter writer = new TableWriter(spark(), root, "test-run");
        writer.replaceWhere("bronze", "events", spark().sql("SELECT * FROM VALUES ('m1', DATE'2026-03-01'), ('m2', DATE'2026-03-04') "
                + "AS v(id, d)").coalesce(1), "d IN ('2026-03-01', '2026-03-04')");
        long first = writer.version("bronze", "events");
        writer.replaceWhere("bronze", "events", spark().sql("SELECT 'm3' AS id, DATE'2026-03-06' AS d"), "d IN ('2026-03-06')");
        writer.replaceWhere("bronze", "events", spark().sql("SELECT 'm4' AS id, DATE'2026-03-07' AS d"), "d IN ('2026-03-07')");
        assertThat(writer.changedValues("bronze", "events", "d", first + 1, writer.version("bronze", "events")))
                .contains(java.util.Set.of("2026-03-06", "2026-03-07"));
        assertThat(spark().read().format("delta").load(writer.location("bronze", "events")).count()).isEqualTo(4);

        compactionChangesNothing(writer);

        // a late day inside the compacted file's range adds a file and removes none: just that day
        long before = writer.version("bronze", "events");
        writer.replaceWhere("bronze", "events", spark().sql("SELECT 'm5' AS id, DATE'2026-03-05' AS d"), "d IN ('2026-03-05')");
        assertThat(writer.changedValues("bronze", "events", "d", before + 1, writer.version("bronze", "events")))
                .contains(java.util.Set.of("2026-03-05"));

        // a day loaded again replaces its rows: the file that held them (the compacted 03-01 … 03-07) is
        // removed, and its other rows written again with the new one; the writer's replace keeps the
        // removed file's statistics in its remove action, so both files' bounds are the change
        before = writer.version("bronze", "events");
        writer.replaceWhere("bronze", "events", spark().sql("SELECT 'm6' AS id, DATE'2026-03-04' AS d"), "d IN ('2026-03-04')");
        assertThat(writer.changedValues("bronze", "events", "d", before + 1, writer.version("bronze", "events")))
                .contains(java.util.Set.of("2026-03-01", "2026-03-07"));
        assertThat(spark().read().format("delta").load(writer.location("bronze", "events")).select("id")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList()).containsExactlyInAnyOrder("m1", "m3", "m4", "m5", "m6");
        // Delta's own commands write no statistics into a remove action: which days a file added before
        // these commits held cannot be told
        before = writer.version("bronze", "events");
        spark().sql("DELETE FROM delta.`" + writer.location("bronze", "events") + "` WHERE id = 'm6'");
        assertThat(writer.changedValues("bronze", "events", "d", before + 1, writer.version("bronze", "events"))).isEmpty();

        // but one added by these commits can (a retried load replacing what a killed run wrote), also
        // when Delta's replace removed it (a table larger than the writer's own replace takes)
        before = writer.version("bronze", "events");
        String listedBefore = spark().conf().get(TableWriter.READ_LISTED_FILES);
        spark().conf().set(TableWriter.READ_LISTED_FILES, "false");
        try {
            writer.replaceWhere("bronze", "events", spark().sql("SELECT 'm7' AS id, DATE'2026-03-08' AS d"), "d IN ('2026-03-08')");
            writer.replaceWhere("bronze", "events", spark().sql("SELECT 'm8' AS id, DATE'2026-03-08' AS d"), "d IN ('2026-03-08')");
        } finally {
            spark().conf().set(TableWriter.READ_LISTED_FILES, listedBefore);
        }
        assertThat(writer.changedValues("bronze", "events", "d", before + 1, writer.version("bronze", "events")))
                .contains(java.util.Set.of("2026-03-08"));
        assertThat(writer.changedValues("bronze", "events", "d", before + 2, writer.version("bronze", "events"))).isEmpty();
        // the writer's own replace of the same day names it from its remove's statistics alone
        before = writer.version("bronze", "events");
        writer.replaceWhere("bronze", "events", spark().sql("SELECT 'm9' AS id, DATE'2026-03-08' AS d"), "d IN ('2026-03-08')");
        assertThat(writer.changedValues("bronze", "events", "d", before + 1, writer.version("bronze", "events")))
                .contains(java.util.Set.of("2026-03-08"));
        assertThat(spark().read().format("delta").load(writer.location("bronze", "events")).select("id")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList()).containsExactlyInAnyOrder("m1", "m3", "m4", "m5", "m9");
    }

    /** OPTIMIZE commits a new version that rewrites the same rows: no value changed, no row either (nor does a VACUUM). */
    private void compactionChangesNothing(TableWriter writer) {
        long before = writer.version("bronze", "events");
        assertThat(writer.rowsChanged("bronze", "events", before, before)).as("the commit before").isTrue();
        spark().sql("OPTIMIZE delta.`" + writer.location("bronze", "events") + "`");
        assertThat(writer.version("bronze", "events")).isGreaterThan(before);
        assertThat(writer.changedValues("bronze", "events", "d", before + 1, writer.version("bronze", "events")))
                .contains(java.util.Set.of());
        spark().sql("VACUUM delta.`" + writer.location("bronze", "events") + "` RETAIN 168 HOURS");
        assertThat(writer.rowsChanged("bronze", "events", before + 1, writer.version("bronze", "events"))).isFalse();
    }

    @Test
    void datesNoFileHoldsAreAppendedAndDatesAFileMayHoldAreReplaced() {
        String root = workDir("writer-dates").toString();
        TableWriter writer = new TableWriter(spark(), root, "test-run");
        // created by the first load: one file holding 03-01 and 03-04
        writer.replaceDates("bronze", "events", spark().sql("SELECT * FROM VALUES ('m1', DATE'2026-03-01'), ('m2', DATE'2026-03-04') "
                + "AS v(id, d)").coalesce(1), "d", List.of(java.time.LocalDate.of(2026, 3, 1), java.time.LocalDate.of(2026, 3, 4)));

        // a day after every file's last: nothing to replace, appended
        writer.replaceDates("bronze", "events", spark().sql("SELECT 'm3' AS id, DATE'2026-03-06' AS d"), "d",
                List.of(java.time.LocalDate.of(2026, 3, 6)));
        assertThat(lastWriteMode(writer)).isEqualTo("Append");
        assertIds(writer, "m1", "m2", "m3");

        // the same day loaded again: its file holds it, so its row is replaced, not doubled
        writer.replaceDates("bronze", "events", spark().sql("SELECT 'm4' AS id, DATE'2026-03-06' AS d"), "d",
                List.of(java.time.LocalDate.of(2026, 3, 6)));
        assertThat(lastWriteMode(writer)).isEqualTo("Overwrite");
        assertIds(writer, "m1", "m2", "m4");

        // a day inside the first file's bounds (03-01 … 03-04) it does not hold: only Delta can tell, so replaced
        writer.replaceDates("bronze", "events", spark().sql("SELECT 'm5' AS id, DATE'2026-03-02' AS d"), "d",
                List.of(java.time.LocalDate.of(2026, 3, 2)));
        assertThat(lastWriteMode(writer)).isEqualTo("Overwrite");
        assertIds(writer, "m1", "m2", "m4", "m5");

        // without the checksum files (another writer may not write them) nothing is assumed: replaced
        deleteChecksums(java.nio.file.Path.of(root, "bronze", "events"));
        writer.replaceDates("bronze", "events", spark().sql("SELECT 'm6' AS id, DATE'2026-03-09' AS d"), "d",
                List.of(java.time.LocalDate.of(2026, 3, 9)));
        assertThat(lastWriteMode(writer)).isEqualTo("Overwrite");
        assertIds(writer, "m1", "m2", "m4", "m5", "m6");
    }

    private static String lastWriteMode(TableWriter writer) {
        return io.delta.tables.DeltaTable.forPath(spark(), writer.location("bronze", "events")).history(1)
                .selectExpr("operationParameters['mode']").as(org.apache.spark.sql.Encoders.STRING()).first();
    }

    private static void assertIds(TableWriter writer, String... ids) {
        assertThat(writer.read("bronze", "events").select("id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
                .containsExactlyInAnyOrder(ids);
    }

    @Test
    void storedRowsAreCountedFromTheLogAfterAReplace() {
        String root = workDir("writer-rows").toString();
        TableWriter writer = new TableWriter(spark(), root, "test-run");
        writer.sync("silver", "t", "test", SCHEMA, List.of("id"), values("id, value", "('K1', 'a'), ('K2', 'b'), ('K3', 'c')"),
                null, List.of());
        assertThat(writer.storedRows("silver", "t")).isEqualTo(3);
        // one key replaced, two new: 5 rows, whatever files the replace rewrote
        writer.replaceWhere("silver", "t", values("id, value", "('K2', 'B'), ('K4', 'd'), ('K5', 'e')"), "id >= 'K2' AND id <> 'K3'");
        assertThat(writer.storedRows("silver", "t")).isEqualTo(5);
        // a small table's count comes from the checksum file's list of files: no Spark job
        try (StageMetrics metrics = StageMetrics.attach(spark().sparkContext())) {
            assertThat(metrics.time("count", () -> writer.storedRows("silver", "t"))).isEqualTo(5);
            assertThat(metrics.snapshot().get("count").jobs()).isZero();
        }
        // without the checksum file (another writer may not write one) the files' statistics still count
        deleteChecksums(java.nio.file.Path.of(root, "silver", "t"));
        assertThat(writer.storedRows("silver", "t")).isEqualTo(5);
    }

    @Test
    void aLargeStepCompilesOnlyWhileItRunsAndOnlyWhenTheSessionInterpretsByDefault() {
        assertThat(SparkSessions.interpretsByDefault(spark())).isTrue();
        String wholeStage = "spark.sql.codegen.wholeStage";
        assertThat(SparkSessions.compiledWhen(spark(), true, () -> spark().conf().get(wholeStage))).isEqualTo("true");
        assertThat(SparkSessions.compiledWhen(spark(), false, () -> spark().conf().get(wholeStage))).isEqualTo("false");
        assertThat(spark().conf().get(wholeStage)).isEqualTo("false");
        // restored when the step fails too
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SparkSessions.compiledWhen(spark(), true, () -> {
            throw new IllegalStateException("step failed");
        })).hasMessage("step failed");
        assertThat(spark().conf().get(wholeStage)).isEqualTo("false");
        assertThat(spark().conf().get("spark.sql.codegen.factoryMode")).isEqualTo("NO_CODEGEN");
        // a small step's shuffles in one task; a large one's on each of the session's two cores
        String partitions = "spark.sql.shuffle.partitions";
        assertThat(spark().conf().get(partitions)).isEqualTo("1");
        assertThat(SparkSessions.compiledWhen(spark(), true, () -> spark().conf().get(partitions))).isEqualTo("2");
        assertThat(SparkSessions.compiledWhen(spark(), false, () -> spark().conf().get(partitions))).isEqualTo("1");
        assertThat(spark().conf().get(partitions)).isEqualTo("1");
    }

    /** Steps side by side: A starts, B starts, A ends while B runs, B ends. */
    @Test
    void largeStepsSideBySideKeepCompilingUntilTheLastEnds() throws Exception {
        String wholeStage = "spark.sql.codegen.wholeStage";
        CountDownLatch aStarted = new CountDownLatch(1);
        CountDownLatch bStarted = new CountDownLatch(1);
        CountDownLatch aEnded = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> a = pool.submit(() -> {
                String seen = SparkSessions.compiledWhen(spark(), true, () -> {
                    aStarted.countDown();
                    await(bStarted);
                    return spark().conf().get(wholeStage);
                });
                aEnded.countDown();
                return seen;
            });
            Future<String> bAfterA = pool.submit(() -> SparkSessions.compiledWhen(spark(), true, () -> {
                await(aStarted);
                bStarted.countDown();
                await(aEnded);
                return spark().conf().get(wholeStage);
            }));
            assertThat(a.get(60, TimeUnit.SECONDS)).isEqualTo("true");
            assertThat(bAfterA.get(60, TimeUnit.SECONDS)).as("B still compiled after A ended").isEqualTo("true");
        } finally {
            pool.shutdownNow();
        }
        assertThat(spark().conf().get(wholeStage)).as("restored once both ended").isEqualTo("false");
        assertThat(spark().conf().get("spark.sql.codegen.factoryMode")).isEqualTo("NO_CODEGEN");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(60, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
