package io.salespulse.cli;

import io.delta.tables.DeltaTable;
import io.salespulse.common.Progress;
import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.SparkSessions;
import io.salespulse.common.TableSpec;
import io.salespulse.common.TableWriter;
import io.salespulse.gold.GoldBuild;
import io.salespulse.ops.RunLock;
import io.salespulse.ops.RunLog;
import io.salespulse.silver.SilverBuild;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * {@code salespulse maintain [--vacuum-hours H]}: compacts every table's small files (Delta
 * {@code OPTIMIZE}) and removes the files no version within the last H hours needs ({@code VACUUM}).
 * Daily runs add a few small files per table; a weekly maintain keeps reads cheap. The default
 * retention (168 h, Delta's own) keeps a week of time travel and never breaks a reader that
 * started before the vacuum. Holds the warehouse like a run.
 */
final class MaintainCommand {

    static final int DEFAULT_RETENTION_HOURS = 168;

    /** Delta's setting under which VACUUM ignores the retention it is given (unless 0). */
    static final String RETENTION_WINDOW_IGNORED = "spark.databricks.delta.vacuum.retentionWindowIgnore.enabled";

    private MaintainCommand() {
    }

    static int execute(SparkSession spark, SalespulseConfig config, Args a, PrintStream out, PrintStream err) {
        int hours = a.intValue("vacuum-hours", DEFAULT_RETENTION_HOURS);
        if (hours < 0) {
            throw new UsageException("--vacuum-hours must be 0 or more");
        }
        Instant started = Instant.now();
        String runId = "maintain_" + RunCommand.newRunId(LocalDate.now(ZoneOffset.UTC), started);
        TableWriter writer = new TableWriter(spark, config.warehouseRoot(), runId);
        Progress progress = new Progress(out);
        RunLock lock = RunCommand.takeWarehouse(spark, config, runId, err);
        if (lock == null) {
            return Salespulse.BUSY;
        }
        try (lock) {
            List<String> names = TablesCommand.names(spark, config.warehouseRoot());
            // the session's settings below are set right before the try that unsets them
            if (hours < DEFAULT_RETENTION_HOURS) {
                progress.step("maintain", "retention " + hours + " h is under Delta's 168 h: time travel and readers "
                        + "older than that lose their files");
                spark.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
            }
            // Delta 4 ignores a VACUUM's own retention unless it is 0 (its table property, a week by
            // default, applies instead): a longer retention asked for would lose files it was to keep
            spark.conf().set(RETENTION_WINDOW_IGNORED, "false");
            long before = 0;
            long after = 0;
            try {
                for (String name : names) {
                    String[] p = name.split("\\.");
                    String path = writer.location(p[0], p[1]);
                    DeltaTable table = DeltaTable.forPath(spark, path);
                    long files = numFiles(table);
                    spark.sparkContext().setJobDescription("maintain " + name);
                    List<String> orderedBy = orderedBy(p[0], p[1]);
                    // a large table is rewritten with code generation, as a run builds it: at scale 1
                    // the activity's ordering took 40 s interpreted and 22 s compiled (a small table is
                    // a little faster interpreted)
                    boolean large = SparkSessions.rowsToCompile(writer, p[0], p[1],
                            config.getLong(SalespulseConfig.COMPILE_MIN_ROWS)).isPresent();
                    SparkSessions.compiledWhen(spark, large, () -> {
                        if (orderedBy.isEmpty()) {
                            compact(table, COMPACTED_FILE_BYTES);
                        } else {
                            orderAgain(table, orderedBy, writer.storedRows(p[0], p[1]));
                        }
                        return null;
                    });
                    table.vacuum(hours);
                    long now = numFiles(DeltaTable.forPath(spark, path));
                    before += files;
                    after += now;
                    progress.step("maintain", String.format("%-36s %,6d → %,6d live files", name, files, now));
                }
            } finally {
                spark.conf().unset("spark.databricks.delta.retentionDurationCheck.enabled");
                spark.conf().unset(RETENTION_WINDOW_IGNORED);
            }
            String message = String.format("maintain: %d tables, %,d → %,d live files; files older than %d h vacuumed",
                    names.size(), before, after, hours);
            new RunLog(writer).record("maintain", null, started, "success", Salespulse.OK, message, List.of(), List.of());
            progress.step("maintain", message);
        }
        return Salespulse.OK;
    }

    /** Delta's setting for the size of the files OPTIMIZE writes. */
    static final String MAX_FILE_SIZE = "spark.databricks.delta.optimize.maxFileSize";

    /** Delta's setting for the size under which OPTIMIZE counts a file as small (default 1 GB). */
    static final String MIN_FILE_SIZE = "spark.databricks.delta.optimize.minFileSize";

    /** A file under {@code 1 / SMALL_FILE_RATIO} of a compaction's file size is small: packed again. */
    static final long SMALL_FILE_RATIO = 16;

    /**
     * The size of the files a compaction writes: Spark's own split of a file for reading
     * ({@code spark.sql.files.maxPartitionBytes}), so a larger one reads no faster. Delta's
     * default, 1 GB, packs every file of a year's bronze into one: at scale 1 that rewrote
     * segment_events' 563 MB in one task on one core (255 s of a 431-s maintain), and every later
     * maintain rewrote it again with the week's files.
     */
    static final long COMPACTED_FILE_BYTES = 128L << 20;

    /**
     * Packs the table's small files into files of at most {@code fileBytes} (Delta {@code OPTIMIZE}:
     * one task per file written, several at once). A file of at least a sixteenth of that (8 MB) is
     * not small and stays as it is: a weekly maintain packs the week's small files, with the packed
     * file of the weeks before until that one reaches 8 MB, not the table. (With Delta's default,
     * every file under 1 GB counted as small: a year's bronze Lead at scale 1, 25 MB, was rewritten
     * with the week's nightly files at every maintain, 28–34 s of it.)
     */
    static void compact(DeltaTable table, long fileBytes) {
        table.sparkSession().conf().set(MAX_FILE_SIZE, fileBytes);
        table.sparkSession().conf().set(MIN_FILE_SIZE, fileBytes / SMALL_FILE_RATIO);
        try {
            table.optimize().executeCompaction();
        } finally {
            table.sparkSession().conf().unset(MAX_FILE_SIZE);
            table.sparkSession().conf().unset(MIN_FILE_SIZE);
        }
    }

    /**
     * Delta's random suffix to the Z-order values (against skew): with it a date on the edge of two
     * files lands in both, and a range of dates reads both.
     */
    static final String ADD_NOISE = "spark.databricks.io.skipping.mdc.addNoise";

    /**
     * Rewrites a table whose files hold ranges of {@code orderedBy} in that order again (a plain
     * compaction would pack the nightly files with the others in no order): {@code OPTIMIZE ZORDER
     * BY} those columns (one column is a sort by range), its files sized so each holds about
     * {@link TableWriter#ROWS_PER_ORDERED_FILE} rows, as when the table is written whole. Like every
     * compaction it commits with {@code dataChange=false}: the change feed and the activity's nightly
     * update see no change.
     */
    private static void orderAgain(DeltaTable table, List<String> orderedBy, long rows) {
        long bytes = table.detail().select("sizeInBytes").first().getLong(0);
        long perFile = Math.max(1L << 20, rows == 0 ? bytes : (long) ((double) bytes / rows * TableWriter.ROWS_PER_ORDERED_FILE));
        table.sparkSession().conf().set(MAX_FILE_SIZE, perFile);
        table.sparkSession().conf().set(ADD_NOISE, false);
        try {
            table.optimize().executeZOrderBy(orderedBy.toArray(String[]::new));
        } finally {
            table.sparkSession().conf().unset(MAX_FILE_SIZE);
            table.sparkSession().conf().unset(ADD_NOISE);
        }
    }

    /** The columns a table's files hold ranges of ({@link TableSpec#orderedBy}); none for most. */
    private static List<String> orderedBy(String layer, String name) {
        List<TableSpec> specs = layer.equals(SilverBuild.LAYER) ? SilverBuild.TABLES
                : layer.equals(GoldBuild.LAYER) ? GoldBuild.TABLES : List.of();
        return specs.stream().filter(t -> t.name().equals(name)).findFirst().map(TableSpec::orderedBy).orElse(List.of());
    }

    private static long numFiles(DeltaTable table) {
        Row r = table.detail().select("numFiles").first();
        return r.getLong(0);
    }
}
