package io.salespulse.common;

import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * The one place that writes tables. Every write is a single Delta commit, so a reader sees
 * the table before or after it, never half of it; every commit carries the run id.
 */
public final class TableWriter {

    private final SparkSession spark;
    private final String warehouseRoot;
    private final String runId;
    private final java.util.Set<String> changeFeedLayers = new java.util.HashSet<>();
    /**
     * Set by {@link #soleWriter}: no other process writes the warehouse while this writer is used, so
     * a table's log, once read, changes only through this JVM's own commits.
     */
    private volatile boolean sole;
    /** Tables whose log this writer has listed since {@link #soleWriter}. */
    private final java.util.Set<String> synced = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** A version's log files (commit, checksum) never change once written: read once per run, by path and name. */
    private final java.util.Map<String, Object> logFiles = new java.util.concurrent.ConcurrentHashMap<>();

    /** Delta's change data feed: which rows a commit inserted, updated or deleted, readable by version. */
    public static final String CHANGE_FEED = "delta.enableChangeDataFeed";

    /** Reads the log's JSON (commits, checksums) on the driver; thread-safe once configured. */
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    public TableWriter(SparkSession spark, String warehouseRoot, String runId) {
        this.spark = spark;
        this.warehouseRoot = warehouseRoot;
        this.runId = runId;
    }

    /** {@code layer/table} → its location under the warehouse root. */
    public String location(String layer, String table) {
        return Uris.join(warehouseRoot, layer, table);
    }

    /** Tables of {@code layer} created from now on record their changes (a later layer reads only what changed). */
    public void recordChanges(String layer) {
        changeFeedLayers.add(layer);
    }

    /** Turns the change feed on for an existing table (one metadata commit); versions before it have none. */
    public void enableChangeFeed(String layer, String table) {
        spark.sql("ALTER TABLE delta.`" + location(layer, table) + "` SET TBLPROPERTIES (" + CHANGE_FEED + " = true)");
    }

    /** Whether the table records its changes (its change feed is on). */
    public boolean recordsChanges(String layer, String table) {
        return changeFeedOn(snapshot(location(layer, table)).metadata());
    }

    private static boolean changeFeedOn(org.apache.spark.sql.delta.actions.Metadata metadata) {
        scala.Option<String> on = metadata.configuration().get(CHANGE_FEED);
        return on.isDefined() && "true".equalsIgnoreCase(on.get());
    }

    /** Whether the table's columns are mapped to other names in its files (read and replaced by Delta only). */
    private static boolean columnMapped(org.apache.spark.sql.delta.actions.Metadata metadata) {
        scala.Option<String> mapping = metadata.configuration().get("delta.columnMapping.mode");
        return mapping.isDefined() && !"none".equalsIgnoreCase(mapping.get());
    }

    /** The table's latest version. */
    public long version(String layer, String table) {
        return snapshot(location(layer, table)).version();
    }

    /**
     * The writer of a run that holds the warehouse ({@code RunLock}): from now on each table's log is
     * listed once, and its later versions are the ones this JVM commits, which Delta installs as the
     * table's snapshot after each commit. A nightly run asks for a table's latest version, statistics
     * or files several times; on an object store each ask was a listing of the log and a few reads.
     */
    public TableWriter soleWriter() {
        sole = true;
        return this;
    }

    /** The latest snapshot from the log itself (a listing and a few small reads on the driver, no Spark job). */
    private org.apache.spark.sql.delta.Snapshot snapshot(String path) {
        org.apache.spark.sql.delta.DeltaLog log = org.apache.spark.sql.delta.DeltaLog.forTable(spark, path);
        if (sole && synced.contains(path)) {
            return log.unsafeVolatileSnapshot();
        }
        org.apache.spark.sql.delta.Snapshot latest = log.update(false, scala.Option.empty(), scala.Option.empty());
        if (sole) {
            synced.add(path);
        }
        return latest;
    }

    /**
     * Rows the commits {@code from}..{@code to} (inclusive) inserted, updated (before and after
     * images) or deleted, with Delta's {@code _change_type}; fails when a version in the range has no
     * change feed (it was off, or its files were vacuumed).
     */
    public Dataset<Row> changes(String layer, String table, long from, long to) {
        return spark.read().format("delta").option("readChangeFeed", "true")
                .option("startingVersion", from).option("endingVersion", to).load(location(layer, table));
    }

    /**
     * Rows of the table's latest version, summed from the statistics its log keeps per file (no
     * data file is read; for a small table from its checksum file, without a Spark job); counted
     * from the files when a file has no statistics.
     */
    public long storedRows(String layer, String table) {
        String path = location(layer, table);
        org.apache.spark.sql.delta.Snapshot latest = snapshot(path);
        java.util.OptionalLong listed = rowsInChecksum(path, latest.version());
        if (listed.isPresent()) {
            return listed.getAsLong();
        }
        Column records = functions.get_json_object(functions.col("stats"), "$.numRecords").cast("long");
        Row r = latest.allFiles().toDF()
                .agg(functions.sum(records), functions.count(functions.when(records.isNull(), 1)))
                .first();
        return r.getLong(1) > 0 ? read(layer, table).count() : r.isNullAt(0) ? 0L : r.getLong(0);
    }

    /**
     * The rows of one version summed over the statistics of its files (as {@link #fileStatistics} lists them):
     * counting a small table costs no Spark job. Empty when the checksum lists no files or a file
     * has no row count.
     */
    private java.util.OptionalLong rowsInChecksum(String path, long version) {
        java.util.Optional<List<com.fasterxml.jackson.databind.JsonNode>> files = checksumStatistics(path, version);
        if (files.isEmpty()) {
            return java.util.OptionalLong.empty();
        }
        long rows = 0;
        for (com.fasterxml.jackson.databind.JsonNode stats : files.get()) {
            com.fasterxml.jackson.databind.JsonNode n = stats.get("numRecords");
            if (n == null || !n.canConvertToLong()) {
                return java.util.OptionalLong.empty();
            }
            rows += n.asLong();
        }
        return java.util.OptionalLong.of(rows);
    }

    /**
     * The statistics of every file of the table's latest version ({@code numRecords}, and per column
     * {@code minValues}, {@code maxValues}, {@code nullCount}), when the log lists them on the driver:
     * Delta writes the file list into the version's checksum file for a table of few files. Empty for
     * a larger table, without a checksum, or when a file has no statistics; then ask Spark.
     */
    public java.util.Optional<List<com.fasterxml.jackson.databind.JsonNode>> fileStatistics(String layer, String table) {
        String path = location(layer, table);
        return checksumStatistics(path, snapshot(path).version());
    }

    /**
     * The least or greatest date of a column over files' statistics (as {@link #fileStatistics} lists
     * them): empty inside when no file holds a value; empty outside when a file that may hold values
     * has no bound for the column (Delta keeps bounds for the first 32 columns only), or a bound is not
     * a date, so that the rows must be read.
     */
    public static java.util.Optional<java.util.Optional<java.time.LocalDate>> dateBound(
            List<com.fasterxml.jackson.databind.JsonNode> files, String column, boolean least) {
        java.time.LocalDate found = null;
        for (com.fasterxml.jackson.databind.JsonNode stats : files) {
            long rows = stats.path("numRecords").asLong(-1);
            com.fasterxml.jackson.databind.JsonNode bound = stats.path(least ? "minValues" : "maxValues").get(column);
            if (bound != null && !bound.isNull()) {
                java.time.LocalDate date;
                try {
                    date = java.time.LocalDate.parse(bound.asText());
                } catch (java.time.format.DateTimeParseException e) {
                    return java.util.Optional.empty(); // not a date bound: the rows tell
                }
                found = found == null || (least ? date.isBefore(found) : date.isAfter(found)) ? date : found;
            } else if (rows < 0 || (rows > 0 && stats.path("nullCount").path(column).asLong(-1) != rows)) {
                // a file that may hold values (no row count, or rows that are not all null) without a bound
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.of(java.util.Optional.ofNullable(found));
    }

    private java.util.Optional<List<com.fasterxml.jackson.databind.JsonNode>> checksumStatistics(String path, long version) {
        java.util.Optional<List<com.fasterxml.jackson.databind.JsonNode>> files = checksumFiles(path, version);
        if (files.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<com.fasterxml.jackson.databind.JsonNode> out = new java.util.ArrayList<>();
        try {
            for (com.fasterxml.jackson.databind.JsonNode file : files.get()) {
                com.fasterxml.jackson.databind.JsonNode stats = statsOf(file);
                if (stats == null) {
                    return java.util.Optional.empty();
                }
                out.add(stats);
            }
        } catch (java.io.IOException e) {
            return java.util.Optional.empty(); // statistics Delta could not have written: let Spark read the files
        }
        return java.util.Optional.of(out);
    }

    /**
     * The add actions of every file of one version, as its checksum file lists them: Delta writes the
     * list there for a table of few files (50 by default). Empty without a checksum or such a list.
     */
    private java.util.Optional<List<com.fasterxml.jackson.databind.JsonNode>> checksumFiles(String path, long version) {
        String name = String.format("%020d.crc", version);
        com.fasterxml.jackson.databind.JsonNode checksum = logFile(path, name, in -> JSON.readTree(in));
        if (checksum == null) {
            return java.util.Optional.empty();
        }
        com.fasterxml.jackson.databind.JsonNode files = checksum.get("allFiles");
        if (files == null || !files.isArray() || files.size() != checksum.path("numFiles").asLong(-1)) {
            return java.util.Optional.empty();
        }
        List<com.fasterxml.jackson.databind.JsonNode> out = new java.util.ArrayList<>();
        files.forEach(out::add);
        return java.util.Optional.of(out);
    }

    public boolean exists(String layer, String table) {
        return isTable(location(layer, table));
    }

    /** Whether a Delta table is at {@code path}; a sole writer asks its log's snapshot, which it lists once. */
    private boolean isTable(String path) {
        if (sole) {
            return snapshot(path).version() >= 0;
        }
        return DeltaTable.isDeltaTable(spark, path);
    }

    /**
     * The table's rows. With {@link #READ_LISTED_FILES} on (local mode, {@link SparkSessions#SMALL_DATA}),
     * a table whose checksum lists its files is read as those Parquet files with the table's schema
     * ({@link #listedFiles}); any other table through Delta's scan.
     */
    public Dataset<Row> read(String layer, String table) {
        return scan(location(layer, table));
    }

    /**
     * The table's rows at {@code version}: those of that version even when a write of the table lands
     * before the query runs (a read without a version takes the one current when its query runs, on
     * a cluster). Read from the checksum's list as {@link #read} does when it is the latest version.
     */
    public Dataset<Row> read(String layer, String table, long version) {
        String path = location(layer, table);
        if (readsListedFiles() && snapshot(path).version() == version) {
            java.util.Optional<Dataset<Row>> listed = listedFiles(path);
            if (listed.isPresent()) {
                return listed.get();
            }
        }
        return spark.read().format("delta").option("versionAsOf", version).load(path);
    }

    private Dataset<Row> scan(String path) {
        if (readsListedFiles()) {
            java.util.Optional<Dataset<Row>> listed = listedFiles(path);
            if (listed.isPresent()) {
                return listed.get();
            }
        }
        return spark.read().format("delta").load(path);
    }

    /**
     * Spark setting: read a table of few files from the file list of its checksum ({@link #read}).
     * Delta plans every query over a table with a Spark job that lists its files from the log's
     * state (~0.1–0.2 s each, ~60–90 of them in a small nightly run), where the checksum file already
     * names them. Set in local mode only (a cluster's tables are larger than the checksum lists).
     */
    public static final String READ_LISTED_FILES = "spark.salespulse.readListedFiles";

    /**
     * The latest version's rows as the Parquet files its checksum lists, in Delta's own frame over
     * named files: the files Delta's scan would read, without its planning, and with each file's size
     * from the list (Spark's reader of named files asked an object store for every file's status
     * first: ~290 of the ~3,700 requests of a small nightly run on S3). A partitioned table's values
     * come from the list too (Delta's index takes them from each file's entry, and prunes by them).
     * Only without column mapping or deletion vectors, and when the checksum lists the files (a
     * table of up to 50 files, {@link #checksumFiles}); empty otherwise. The rows are those of the
     * version current when this is called, where a Delta read takes the version current when its
     * query runs: the same as long as no caller holds a frame across a write of its own table (none does).
     */
    private java.util.Optional<Dataset<Row>> listedFiles(String path) {
        org.apache.spark.sql.delta.Snapshot latest = snapshot(path);
        if (columnMapped(latest.metadata())) {
            return java.util.Optional.empty();
        }
        java.util.Optional<List<com.fasterxml.jackson.databind.JsonNode>> adds = checksumFiles(path, latest.version());
        if (adds.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<org.apache.spark.sql.delta.actions.AddFile> files = new java.util.ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode add : adds.get()) {
            com.fasterxml.jackson.databind.JsonNode dv = add.get("deletionVector");
            if (dv != null && !dv.isNull()) {
                return java.util.Optional.empty();
            }
            try {
                files.add(org.apache.spark.sql.delta.util.JsonUtils.mapper().treeToValue(add, org.apache.spark.sql.delta.actions.AddFile.class));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return java.util.Optional.empty(); // not a file entry Delta could read back: let its scan list them
            }
        }
        // Delta's own frame over exactly these files: its file index knows each file's size, so no file
        // is asked for its status (on an object store, a request per file and read)
        return java.util.Optional.of(org.apache.spark.sql.delta.DeltaLog.forTable(spark, path).createDataFrame(latest,
                scala.jdk.javaapi.CollectionConverters.asScala(files).toList(), false, scala.Option.apply("read")));
    }

    /** Appends rows; new columns are added to the table (schema drift is expected upstream). */
    public void append(String layer, String table, Dataset<Row> rows, List<String> partitionBy) {
        rows.write().format("delta")
                .mode("append")
                .option("mergeSchema", "true")
                .option("userMetadata", runId)
                .partitionBy(partitionBy.toArray(String[]::new))
                .save(location(layer, table));
    }

    /**
     * Atomically replaces the rows matching {@code predicate} with {@code rows}: writing the same
     * slice twice gives the same table, which is what makes a retried load harmless. A new table is
     * created unpartitioned; an existing one keeps its layout (bronze tables partitioned by day in
     * warehouses created before 2026-12-04). A small table whose checksum lists its files is replaced
     * by this writer's own transaction ({@link #replaceListed}), any other by Delta's {@code replaceWhere}.
     */
    public void replaceWhere(String layer, String table, Dataset<Row> rows, String predicate) {
        String path = location(layer, table);
        if (readsListedFiles() && isTable(path) && replaceListed(path, rows, predicate)) {
            return;
        }
        rows.write().format("delta")
                .mode("overwrite")
                .option("replaceWhere", predicate)
                .option("mergeSchema", "true")
                .option("userMetadata", runId)
                .save(path);
    }

    /**
     * Largest table (rows, counted from its checksum's file list) that {@link #replaceListed} replaces
     * a part of: it looks for the replaced rows in every file, where Delta's replace first skips the
     * files whose statistics cannot hold one (the activity's date ranges at scale 1).
     */
    static final long LISTED_REPLACE_MAX_ROWS = 1_000_000L;

    /**
     * {@link #replaceWhere} for a small table whose checksum lists its files, in one transaction of
     * its own: Delta's replace runs ~5 Spark jobs per table, one of them the reconstruction of the
     * version's state for a metric (the file count the checksum holds), then the new rows' write,
     * the search for the files holding replaced rows, their rewrite and a last one; here it is two,
     * one to find those files (and any new row outside the predicate, which Delta's replace refuses
     * too) and one write of the new rows with the found files' other rows. With the change feed on,
     * the replaced rows are written to it as deleted and the new ones as inserted, as Delta's replace
     * records them: a reader of the feed sees only the rows that changed, not the files rewritten.
     * False, with nothing done, when it does not apply (a partitioned table, column mapping, deletion
     * vectors, no complete list, other columns than the table's, more rows than
     * {@link #LISTED_REPLACE_MAX_ROWS}).
     */
    private boolean replaceListed(String path, Dataset<Row> rows, String predicate) {
        org.apache.spark.sql.delta.OptimisticTransaction txn = transaction(path);
        org.apache.spark.sql.delta.actions.Metadata metadata = txn.metadata();
        java.util.Optional<List<org.apache.spark.sql.delta.actions.AddFile>> listed = checksumList(txn);
        if (!metadata.partitionColumns().isEmpty() || columnMapped(metadata) || listed.isEmpty()
                || !sameColumns(metadata.schema(), rows.schema())) {
            return false;
        }
        List<org.apache.spark.sql.delta.actions.AddFile> files = listed.get();
        long stored = 0;
        for (org.apache.spark.sql.delta.actions.AddFile file : files) {
            if (file.deletionVector() != null || file.numLogicalRecords().isEmpty()) {
                return false;
            }
            stored += (Long) file.numLogicalRecords().get();
        }
        if (stored > LISTED_REPLACE_MAX_ROWS) {
            return false;
        }
        Column replaced = functions.coalesce(functions.expr(predicate), functions.lit(false));
        // one job: the names of the files holding a replaced row, and a null for a new row outside the predicate
        List<Row> found = listedRows(txn, files).where(replaced).select(functions.col("_metadata.file_name").as("file"))
                .unionByName(rows.where(functions.not(replaced)).select(functions.lit(null).cast("string").as("file")))
                .distinct().collectAsList();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Row r : found) {
            if (r.isNullAt(0)) {
                throw new IllegalArgumentException("rows written to " + path + " are not all in the part they replace ("
                        + predicate + ")");
            }
            names.add(r.getString(0));
        }
        List<org.apache.spark.sql.delta.actions.AddFile> touched = new java.util.ArrayList<>();
        for (org.apache.spark.sql.delta.actions.AddFile file : files) {
            if (names.remove(file.toPath().getName())) {
                touched.add(file);
            }
        }
        if (!names.isEmpty()) {
            return false; // a file name not told apart from the list's paths: Delta's replace, as before
        }
        txn.readWholeTable();
        Dataset<Row> written = rows;
        if (!touched.isEmpty()) {
            Dataset<Row> old = listedRows(txn, touched);
            Dataset<Row> kept = old.where(functions.not(replaced));
            if (changeFeedOn(metadata)) {
                // rows with a change type go to the feed's files, the others (null) to the table's
                Column notChange = functions.lit(null).cast("string");
                written = rows.withColumn(CHANGE_TYPE, notChange)
                        .unionByName(kept.withColumn(CHANGE_TYPE, notChange))
                        .unionByName(old.where(replaced).withColumn(CHANGE_TYPE, functions.lit("delete")))
                        .unionByName(rows.withColumn(CHANGE_TYPE, functions.lit("insert")));
            } else {
                written = rows.unionByName(kept);
            }
            written = written.coalesce(touched.size());
        }
        commitWrite(txn, touched, written, scala.Option.apply(predicate), runId);
        return true;
    }

    /**
     * The files of the transaction's version as its checksum lists them; empty when it lists none or
     * not all (a table of more than 50 files).
     */
    private static java.util.Optional<List<org.apache.spark.sql.delta.actions.AddFile>> checksumList(
            org.apache.spark.sql.delta.OptimisticTransaction txn) {
        scala.Option<org.apache.spark.sql.delta.VersionChecksum> checksum = txn.snapshot().checksumOpt();
        if (checksum.isEmpty() || checksum.get().allFiles().isEmpty()
                || checksum.get().allFiles().get().size() != checksum.get().numFiles()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(scala.jdk.javaapi.CollectionConverters.asJava(checksum.get().allFiles().get()));
    }

    /**
     * Commits {@code removed} as removed and {@code written}, written by the transaction (Delta's
     * writer, with its statistics and the table's constraints), as one {@code WRITE} in mode
     * {@code Overwrite} with the predicate (none for a whole table) and the user metadata.
     */
    private static void commitWrite(org.apache.spark.sql.delta.OptimisticTransaction txn,
                                    List<org.apache.spark.sql.delta.actions.AddFile> removed, Dataset<Row> written,
                                    scala.Option<String> predicate, String userMetadata) {
        List<org.apache.spark.sql.delta.actions.Action> actions = new java.util.ArrayList<>();
        long now = System.currentTimeMillis();
        for (org.apache.spark.sql.delta.actions.AddFile file : removed) {
            actions.add(file.removeWithTimestamp(now, true));
        }
        actions.addAll(scala.jdk.javaapi.CollectionConverters.asJava(txn.writeFiles(written)));
        txn.commit(scala.jdk.javaapi.CollectionConverters.asScala(actions).toSeq(),
                new org.apache.spark.sql.delta.DeltaOperations.Write(org.apache.spark.sql.SaveMode.Overwrite, scala.Option.empty(),
                        predicate, scala.Option.apply(userMetadata), scala.Option.empty(), scala.Option.empty(),
                        scala.Option.empty(), scala.Option.empty(), scala.Option.empty()));
    }

    /** Delta's column of a change feed row's kind; on rows a write gets, those it sends to the feed's files. */
    private static final String CHANGE_TYPE = "_change_type";

    /** The rows of the named files of the transaction's version, in Delta's own frame (sizes from the list: no status asked). */
    private static Dataset<Row> listedRows(org.apache.spark.sql.delta.OptimisticTransaction txn,
                                           List<org.apache.spark.sql.delta.actions.AddFile> files) {
        return txn.deltaLog().createDataFrame(txn.snapshot(), scala.jdk.javaapi.CollectionConverters.asScala(files).toList(), false,
                scala.Option.apply("replace"));
    }

    /**
     * A transaction on the table's latest version; a sole writer starts it from the snapshot it holds
     * (no listing of the log: the version is the one its own last commit made).
     */
    private org.apache.spark.sql.delta.OptimisticTransaction transaction(String path) {
        org.apache.spark.sql.delta.DeltaLog log = org.apache.spark.sql.delta.DeltaLog.forTable(spark, path);
        return sole ? log.startTransaction(scala.Option.empty(), scala.Option.apply(snapshot(path))) : log.startTransaction();
    }

    private boolean readsListedFiles() {
        return Boolean.parseBoolean(spark.conf().get(READ_LISTED_FILES, "false"));
    }

    /**
     * Replaces the rows whose date {@code column} is one of {@code dates} with {@code rows}, as
     * {@link #replaceWhere} does. When the log's checksum lists every file of the table with the
     * column's bounds and none can hold one of the dates (the usual case: a day loaded for the first
     * time), there is nothing to replace and the rows are appended: Delta's replace first
     * reconstructs the table's file list, skips files by their statistics and scans the rest for the
     * dates, three Spark jobs that would find nothing. The caller holds the warehouse's run lock, so
     * no other writer can add such rows between the check and the append.
     */
    public void replaceDates(String layer, String table, Dataset<Row> rows, String column, java.util.Collection<java.time.LocalDate> dates) {
        String path = location(layer, table);
        boolean nothingToReplace = exists(layer, table)
                && mayHoldDates(path, column, dates).map(may -> !may).orElse(false);
        if (nothingToReplace) {
            rows.write().format("delta").mode("append").option("mergeSchema", "true").option("userMetadata", runId).save(path);
            return;
        }
        String predicate = "`" + column + "` IN (" + dates.stream().map(d -> "DATE'" + d + "'")
                .collect(java.util.stream.Collectors.joining(", ")) + ")";
        replaceWhere(layer, table, rows, predicate);
    }

    /**
     * Whether a file of the table's latest version may hold one of the dates in {@code column}, told
     * from the bounds the checksum lists for each file (no Spark job); empty when it cannot be told
     * that way (no checksum, too many files for it to list them, a file without bounds for the column).
     */
    private java.util.Optional<Boolean> mayHoldDates(String path, String column, java.util.Collection<java.time.LocalDate> dates) {
        java.util.Optional<List<com.fasterxml.jackson.databind.JsonNode>> files = checksumFiles(path, snapshot(path).version());
        if (files.isEmpty()) {
            return java.util.Optional.empty();
        }
        for (com.fasterxml.jackson.databind.JsonNode file : files.get()) {
            List<String> bounds = valuesOf(file, column);
            if (bounds == null) {
                return java.util.Optional.empty();
            }
            if (bounds.isEmpty()) {
                continue; // a file without rows
            }
            java.time.LocalDate least;
            java.time.LocalDate greatest;
            try {
                least = java.time.LocalDate.parse(bounds.get(0));
                greatest = java.time.LocalDate.parse(bounds.get(bounds.size() - 1));
            } catch (java.time.format.DateTimeParseException e) {
                return java.util.Optional.empty(); // not a date column as this method expects: let Delta look
            }
            for (java.time.LocalDate d : dates) {
                if (!d.isBefore(least) && !d.isAfter(greatest)) {
                    return java.util.Optional.of(true);
                }
            }
        }
        return java.util.Optional.of(false);
    }

    /**
     * Brings a table (or the part of it matching {@code scope}) to exactly {@code rows}, committing
     * nothing when it already holds them. The whole table is written as one new version; a scope
     * with one MERGE that updates rows whose values differ, inserts new keys and deletes the scope's
     * keys that are gone. Creates the table (with its column comments) on first use.
     *
     * @param scope when not null, only target rows matching this condition (on alias {@code t})
     *              belong to this sync and may be deleted
     * @param ignoredForChange columns whose difference alone does not update a stored row (the
     *              stored value is kept); a sync that ignores columns is always a MERGE
     */
    public void sync(String layer, String table, String comment, StructType schema, List<String> key,
                     Dataset<Row> rows, String scope, List<String> ignoredForChange) {
        sync(layer, table, comment, schema, key, rows, scope, ignoredForChange, List.of());
    }

    /** As above, creating the table partitioned by {@code partitionBy} on first use. */
    public void sync(String layer, String table, String comment, StructType schema, List<String> key,
                     Dataset<Row> rows, String scope, List<String> ignoredForChange, List<String> partitionBy) {
        sync(layer, table, comment, schema, key, rows, scope, ignoredForChange, partitionBy, List.of());
    }

    /** As above, a table written whole in ranges of {@code orderedBy} when it has any ({@link #inRanges}). */
    public void sync(String layer, String table, String comment, StructType schema, List<String> key,
                     Dataset<Row> rows, String scope, List<String> ignoredForChange, List<String> partitionBy,
                     List<String> orderedBy) {
        String path = location(layer, table);
        ensureTable(layer, path, comment, schema, partitionBy);
        Dataset<Row> shaped = conform(rows, schema);
        // Delta commits a write even when it changes nothing; an unchanged table must keep its version
        // (a rerun of a day must not grow history). Same row count and the same order-independent sum
        // of row hashes means the same rows. The target's fingerprint is the one the last sync wrote
        // into its commit; only when another writer committed since (forget, maintain, rebuild) is
        // the target scanned for it
        String fingerprint = contentHash(shaped, schema, ignoredForChange);
        boolean whole = scope == null && ignoredForChange.isEmpty();
        String previous = lastSyncFingerprint(path, scope);
        if (previous == null) {
            Dataset<Row> target = scan(path).as("t");
            if (scope != null) {
                target = target.where(functions.expr(scope));
            }
            // the fingerprint and whether a key is duplicated, in one scan of the target; a table written
            // whole needs no key check (a duplicate goes with the overwrite), so it is summed without a
            // grouping by its key (6.3 M keys for fact_activity_daily at scale 1, held in memory beside
            // the table's pinned rows when a late folder or a forget has it computed again)
            Row r = whole
                    ? target.agg(functions.count(functions.lit(1)), rowHashSum(schema, ignoredForChange), functions.lit(1L)).first()
                    : target.groupBy(keyColumns(key)).agg(functions.count(functions.lit(1)).as("n"),
                            rowHashSum(schema, ignoredForChange).as("h")).agg(functions.sum("n"), functions.sum("h"), functions.max("n")).first();
            previous = (r.isNullAt(0) ? 0L : r.getLong(0)) + ":" + r.get(1);
            if (!r.isNullAt(2) && r.getLong(2) > 1 && !whole) {
                removeDuplicateKeys(path, target, key, scope);
            }
        }
        if (previous.equals(fingerprint)) {
            return;
        }
        if (whole) {
            // a MERGE that deletes the keys missing from its source marks every file of the table
            // touched and rewrites them all; writing the rows as the new version is that same write
            // without the join that finds the touched files (two Spark jobs per table). The change
            // feed then shows every row deleted and inserted; a reader cancels the two out by key
            // and commit (AffectedDates), as it does an update's two images
            // the fingerprint counted the rows: no job more to know how many files they make
            Dataset<Row> written = orderedBy.isEmpty() ? shaped
                    : inRanges(shaped, orderedBy, Long.parseLong(fingerprint.substring(0, fingerprint.indexOf(':'))));
            writeWhole(path, written, runId + FINGERPRINT + scopeTag(null) + "=" + fingerprint);
            return;
        }
        Column on = sameKey(schema, key);
        Column same = sameValues(schema, key, ignoredForChange);
        var merge = DeltaTable.forPath(spark, path).as("t").merge(shaped.as("s"), on)
                .whenMatched(functions.not(same)).updateAll()
                .whenNotMatched().insertAll();
        merge = scope == null ? merge.whenNotMatchedBySource().delete()
                : merge.whenNotMatchedBySource(functions.expr(scope)).delete();
        withCommitInfo(runId + FINGERPRINT + scopeTag(scope) + "=" + fingerprint, merge::execute);
    }

    /** {@code t} and {@code s} rows have the same key. */
    private static Column sameKey(StructType schema, List<String> key) {
        Column on = null;
        for (StructField f : schema.fields()) {
            if (key.contains(f.name())) {
                Column eq = functions.col("t.`" + f.name() + "`").eqNullSafe(functions.col("s.`" + f.name() + "`"));
                on = on == null ? eq : on.and(eq);
            }
        }
        return on;
    }

    /** {@code t} and {@code s} rows have the same values outside the key and the ignored columns. */
    private static Column sameValues(StructType schema, List<String> key, List<String> ignored) {
        Column same = functions.lit(true);
        for (StructField f : schema.fields()) {
            if (!key.contains(f.name()) && !ignored.contains(f.name())) {
                same = same.and(functions.col("t.`" + f.name() + "`").eqNullSafe(functions.col("s.`" + f.name() + "`")));
            }
        }
        return same;
    }

    /**
     * Publishes a layer's table as its {@link TableSpec} says (columns, comments, partitioning):
     * {@code rebuild} replaces the whole table; otherwise {@link #sync} brings it (or the part of it
     * matching {@code scope}, on alias {@code t}) to exactly {@code rows}, committing nothing when it
     * holds them already.
     */
    public void publish(String layer, TableSpec t, Dataset<Row> rows, boolean rebuild, String scope) {
        if (rebuild) {
            Dataset<Row> shaped = conform(rows, t.schema());
            overwrite(layer, t.name(), t.comment(), t.schema(),
                    t.orderedBy().isEmpty() ? shaped : inRanges(shaped, t.orderedBy(), shaped.count()), t.partitionBy());
        } else {
            sync(layer, t.name(), t.comment(), t.schema(), t.key(), rows, scope, List.of(), t.partitionBy(), t.orderedBy());
        }
    }

    /** Rows per file of a table written whole in ranges of its {@link TableSpec#orderedBy} columns. */
    public static final long ROWS_PER_ORDERED_FILE = 1_000_000L;

    /**
     * The rows as a table ordered by {@code orderedBy} is written whole: a file per
     * {@link #ROWS_PER_ORDERED_FILE} rows, each holding one range of those columns (Spark samples
     * the rows for the bounds, then shuffles them by range). A predicate on those columns, a reader's
     * or a {@code replaceWhere}'s, then skips the other files by their statistics.
     */
    public static Dataset<Row> inRanges(Dataset<Row> rows, List<String> orderedBy, long count) {
        return inRanges(rows, orderedBy, count, ROWS_PER_ORDERED_FILE);
    }

    /** As above, with {@code rowsPerFile} rows per file. */
    public static Dataset<Row> inRanges(Dataset<Row> rows, List<String> orderedBy, long count, long rowsPerFile) {
        int files = (int) Math.max(1, (count + rowsPerFile - 1) / rowsPerFile);
        return files == 1 ? rows.coalesce(1)
                : rows.repartitionByRange(files, orderedBy.stream().map(c -> functions.col("`" + c + "`")).toArray(Column[]::new));
    }

    /**
     * Another writer (a hand fix, a bad import) may have left two rows with one key; the MERGE would
     * update both and keep the duplicate, so every copy of such a key is deleted first and the MERGE
     * inserts it once. Called only when the scan that takes the target's fingerprint (when the last
     * commit was not a sync's) found a key stored twice, so it costs a daily run nothing.
     */
    private void removeDuplicateKeys(String path, Dataset<Row> target, List<String> key, String scope) {
        Dataset<Row> duplicated = target.groupBy(keyColumns(key)).count().where(functions.col("count").gt(1)).drop("count");
        Column on = null;
        for (String k : key) {
            Column eq = functions.col("t.`" + k + "`").eqNullSafe(functions.col("d.`" + k + "`"));
            on = on == null ? eq : on.and(eq);
        }
        if (scope != null) {
            on = on.and(functions.expr(scope));
        }
        Column match = on;
        withCommitInfo(runId + " duplicate keys removed", () -> DeltaTable.forPath(spark, path).as("t")
                .merge(duplicated.as("d"), match).whenMatched().delete().execute());
    }

    private static Column[] keyColumns(List<String> key) {
        return key.stream().map(k -> functions.col("`" + k + "`")).toArray(Column[]::new);
    }

    /** In a sync's commit metadata: {@code <run id> content[<scope>]=<count>:<hash sum>}. */
    private static final String FINGERPRINT = " content";

    private static String scopeTag(String scope) {
        if (scope == null) {
            return "";
        }
        // a long scope (a list of dates) is named by a digest: the tag only has to match the same scope again
        return "[" + (scope.length() <= 120 ? scope : "sha256:" + sha256(scope)) + "]";
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The fingerprint the table's latest commit recorded for this scope, or null when that commit was not such a sync. */
    private String lastSyncFingerprint(String path, String scope) {
        String meta = lastCommitMetadata(path);
        String marker = FINGERPRINT + scopeTag(scope) + "=";
        int at = meta == null ? -1 : meta.indexOf(marker);
        return at < 0 ? null : meta.substring(at + marker.length());
    }

    /**
     * The user metadata of the table's latest commit, read from its commit file on the driver
     * (Delta's history() would run a Spark job for the same line).
     */
    private String lastCommitMetadata(String path) {
        List<com.fasterxml.jackson.databind.JsonNode> actions = commit(path, snapshot(path).version());
        for (com.fasterxml.jackson.databind.JsonNode action : actions == null ? List.<com.fasterxml.jackson.databind.JsonNode>of() : actions) {
            com.fasterxml.jackson.databind.JsonNode info = action.get("commitInfo");
            if (info != null) {
                com.fasterxml.jackson.databind.JsonNode meta = info.get("userMetadata");
                return meta == null || meta.isNull() ? null : meta.asText();
            }
        }
        return null;
    }

    /**
     * The values of {@code column} in the files that the commits {@code from}..{@code to} added or
     * removed as a change of data (a compaction rewrites the same rows: not one), read from the
     * commit files on the driver (no Spark job): a file's partition value when the table is
     * partitioned by the column, else the least and the greatest value its statistics hold — so the
     * least value returned is the earliest one changed. Delta's own commands write no statistics
     * into a remove action (this writer's transactions do): a removed file's bounds are then those of
     * its add, when that was one of these commits (a retried load replacing the slice a killed run wrote). Empty when it cannot be told: a commit
     * file is gone (the log was cleaned up), or a changed file has no partition value and no
     * statistics for the column here.
     */
    public java.util.Optional<java.util.Set<String>> changedValues(String layer, String table, String column, long from, long to) {
        String path = location(layer, table);
        java.util.Set<String> values = new java.util.TreeSet<>();
        java.util.Map<String, List<String>> added = new java.util.HashMap<>(); // path → bounds, of the adds seen so far
        for (long v = from; v <= to; v++) {
            List<com.fasterxml.jackson.databind.JsonNode> actions = commit(path, v);
            if (actions == null) {
                return java.util.Optional.empty();
            }
            for (com.fasterxml.jackson.databind.JsonNode action : actions) {
                for (String kind : List.of("add", "remove")) {
                    com.fasterxml.jackson.databind.JsonNode file = action.get(kind);
                    if (file == null) {
                        continue;
                    }
                    List<String> bounds = valuesOf(file, column);
                    if (bounds == null && kind.equals("remove")) {
                        bounds = added.get(file.path("path").asText());
                    }
                    if (kind.equals("add") && bounds != null) {
                        added.put(file.path("path").asText(), bounds); // a compaction's too: a later change may remove it
                    }
                    if (!file.path("dataChange").asBoolean(true)) {
                        continue;
                    }
                    if (bounds == null) {
                        return java.util.Optional.empty();
                    }
                    values.addAll(bounds);
                }
            }
        }
        return java.util.Optional.of(values);
    }

    /** A file action's partition value of the column, or its least and greatest value; null when it names neither. */
    private static List<String> valuesOf(com.fasterxml.jackson.databind.JsonNode file, String column) {
        com.fasterxml.jackson.databind.JsonNode partition = file.path("partitionValues").get(column);
        if (partition != null && !partition.isNull()) {
            return List.of(partition.asText());
        }
        try {
            com.fasterxml.jackson.databind.JsonNode parsed = statsOf(file);
            if (parsed == null) {
                return null;
            }
            com.fasterxml.jackson.databind.JsonNode least = parsed.path("minValues").get(column);
            com.fasterxml.jackson.databind.JsonNode greatest = parsed.path("maxValues").get(column);
            if (least == null || greatest == null || least.isNull() || greatest.isNull()) {
                // a file without rows has no bounds and changes nothing; any other file must have them
                return parsed.path("numRecords").asLong(-1) == 0 ? List.of() : null;
            }
            return List.of(least.asText(), greatest.asText());
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** A file action's statistics (Delta keeps them as JSON text), parsed; null when it has none. */
    private static com.fasterxml.jackson.databind.JsonNode statsOf(com.fasterxml.jackson.databind.JsonNode file) throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode stats = file.get("stats");
        return stats == null || stats.isNull() ? null : JSON.readTree(stats.asText());
    }

    /**
     * Whether a commit from version {@code from} to {@code to} may have changed the table's rows or
     * columns: one that adds or removes a file as a data change, or changes the metadata. A
     * compaction ({@code OPTIMIZE}: its files are added and removed with {@code dataChange=false}), a
     * vacuum's commits and an empty range change nothing. Read from the log (no Spark job); true when a
     * commit file is gone.
     */
    public boolean rowsChanged(String layer, String table, long from, long to) {
        String path = location(layer, table);
        for (long v = from; v <= to; v++) {
            List<com.fasterxml.jackson.databind.JsonNode> actions = commit(path, v);
            if (actions == null) {
                return true;
            }
            for (com.fasterxml.jackson.databind.JsonNode action : actions) {
                if (action.has("metaData")) {
                    return true;
                }
                for (String kind : List.of("add", "remove")) {
                    com.fasterxml.jackson.databind.JsonNode file = action.get(kind);
                    if (file != null && file.path("dataChange").asBoolean(true)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The actions of one commit of the table, one JSON object per line; null when its file is gone. */
    private List<com.fasterxml.jackson.databind.JsonNode> commit(String path, long version) {
        return logFile(path, String.format("%020d.json", version), file -> {
            List<com.fasterxml.jackson.databind.JsonNode> actions = new java.util.ArrayList<>();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(file, java.nio.charset.StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    actions.add(JSON.readTree(line));
                }
            }
            return actions;
        });
    }

    /** Parses one file of the log. */
    private interface LogFileParser<T> {
        T parse(java.io.InputStream in) throws java.io.IOException;
    }

    /**
     * A file of the table's log ({@code _delta_log/<name>}) parsed on the driver; null when it does not
     * exist. A sole writer keeps what it parsed (the files of a written version never change; a file
     * not there yet is asked for again).
     */
    @SuppressWarnings("unchecked")
    private <T> T logFile(String path, String name, LogFileParser<T> parser) {
        String key = path + "/_delta_log/" + name;
        Object kept = sole ? logFiles.get(key) : null;
        if (kept != null) {
            return (T) kept;
        }
        try (var in = openLogFile(path, name)) {
            if (in == null) {
                return null;
            }
            T parsed = parser.parse(in);
            if (sole) {
                logFiles.put(key, parsed);
            }
            return parsed;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + name + " of " + path, e);
        }
    }

    /** A file of the table's log ({@code _delta_log/<name>}) opened for reading on the driver; null when it does not exist. */
    private java.io.InputStream openLogFile(String path, String name) throws java.io.IOException {
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(path, "_delta_log"), name);
        org.apache.hadoop.fs.FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
        try {
            return fs.open(file); // no exists() first: on an object store that is a request more
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
    }

    /** Row count and the sum of 64-bit row hashes over the compared columns, as text. */
    private static String contentHash(Dataset<Row> rows, StructType schema, List<String> ignored) {
        Row r = rows.agg(functions.count(functions.lit(1)), rowHashSum(schema, ignored)).first();
        return r.getLong(0) + ":" + r.get(1);
    }

    /** The sum of 64-bit row hashes over the compared columns (exact: a decimal; null without rows). */
    private static Column rowHashSum(StructType schema, List<String> ignored) {
        List<Column> cols = new java.util.ArrayList<>();
        for (StructField f : schema.fields()) {
            if (!ignored.contains(f.name())) {
                cols.add(functions.col("`" + f.name() + "`"));
            }
        }
        return functions.sum(functions.xxhash64(cols.toArray(Column[]::new)).cast("decimal(38,0)"));
    }

    /** Replaces a whole table's content in one commit (used by rebuild). */
    public void overwrite(String layer, String table, String comment, StructType schema, Dataset<Row> rows) {
        overwrite(layer, table, comment, schema, rows, List.of());
    }

    public void overwrite(String layer, String table, String comment, StructType schema, Dataset<Row> rows,
                          List<String> partitionBy) {
        String path = location(layer, table);
        ensureTable(layer, path, comment, schema, partitionBy);
        writeWhole(path, conform(rows, schema), runId);
    }

    /**
     * Writes {@code rows} as the table's next version in place of every file it holds, as Delta's
     * overwrite does, but without its reconstruction of the table's state: Delta 4.4's overwrite asks
     * the version for its domain metadata, which runs a Spark job over the log ("Compute snapshot",
     * one per table written whole: ~11 a nightly run) although the version's checksum lists every
     * file. With that list the files are removed as listed, in one commit with the new ones, and the
     * transaction reads the whole table (a concurrent append fails it, as it fails Delta's overwrite).
     * Without the list (a table of many files), or when the rows' columns are not the table's (a
     * column added to a spec reaches the table here), it is Delta's overwrite, merging the schema.
     */
    private void writeWhole(String path, Dataset<Row> rows, String userMetadata) {
        org.apache.spark.sql.delta.OptimisticTransaction txn = transaction(path);
        java.util.Optional<List<org.apache.spark.sql.delta.actions.AddFile>> listed = checksumList(txn);
        if (listed.isEmpty() || !sameColumns(txn.metadata().schema(), rows.schema())) {
            rows.write().format("delta").mode("overwrite").option("mergeSchema", "true").option("userMetadata", userMetadata).save(path);
            return;
        }
        txn.readWholeTable();
        commitWrite(txn, listed.get(), rows, scala.Option.empty(), userMetadata);
    }

    /** The same column names, in the same order, of the same types (nullability and comments aside). */
    private static boolean sameColumns(StructType table, StructType rows) {
        if (table.fields().length != rows.fields().length) {
            return false;
        }
        for (int i = 0; i < table.fields().length; i++) {
            StructField a = table.fields()[i];
            StructField b = rows.fields()[i];
            if (!a.name().equals(b.name()) || !a.dataType().asNullable().equals(b.dataType().asNullable())) {
                return false;
            }
        }
        return true;
    }

    private void ensureTable(String layer, String path, String comment, StructType schema, List<String> partitionBy) {
        if (!isTable(path)) {
            // Hadoop's spelling of the path (file:/x, not file:///x), or Delta sees two locations
            String location = new org.apache.hadoop.fs.Path(path).toString();
            var builder = DeltaTable.createIfNotExists(spark).location(location).comment(comment).addColumns(schema);
            if (changeFeedLayers.contains(layer)) {
                builder = builder.property(CHANGE_FEED, "true");
            }
            if (!partitionBy.isEmpty()) {
                builder = builder.partitionedBy(partitionBy.toArray(String[]::new));
            }
            builder.execute();
        }
    }

    /** Columns in the declared order and types, carrying their comments. */
    public static Dataset<Row> conform(Dataset<Row> rows, StructType schema) {
        Column[] cols = new Column[schema.fields().length];
        for (int i = 0; i < cols.length; i++) {
            StructField f = schema.fields()[i];
            cols[i] = functions.col("`" + f.name() + "`").cast(f.dataType()).as(f.name(), f.metadata());
        }
        return rows.select(cols);
    }

    /**
     * Runs a MERGE with the commit's user metadata and schema evolution set in the session (a MERGE
     * takes no write options). One at a time in the JVM: steps run side by side ({@link SideBySide})
     * share the session, and each MERGE must commit its own metadata. A write with options meanwhile
     * is unaffected (its own {@code userMetadata} and {@code mergeSchema} options win).
     */
    private void withCommitInfo(String metadata, Runnable write) {
        String key = "spark.databricks.delta.commitInfo.userMetadata";
        // a column added to a table's spec reaches the existing table through its next sync
        String evolve = "spark.databricks.delta.schema.autoMerge.enabled";
        synchronized (MERGE_SETTINGS) {
            spark.conf().set(key, metadata);
            spark.conf().set(evolve, "true");
            try {
                write.run();
            } finally {
                spark.conf().unset(key);
                spark.conf().unset(evolve);
            }
        }
    }

    private static final Object MERGE_SETTINGS = new Object();

    public String runId() {
        return runId;
    }

    public SparkSession spark() {
        return spark;
    }
}
