package io.salespulse.ingest;

import io.salespulse.common.Frames;
import io.salespulse.common.Progress;
import io.salespulse.common.SideBySide;
import io.salespulse.common.SparkSessions;
import io.salespulse.common.TableWriter;
import io.salespulse.common.OpsTables;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.struct;

/**
 * Landing → bronze. Loads every complete snapshot dated on or before the run date that is not
 * yet in the ledger. A snapshot's rows land in one Delta commit that replaces its own
 * {@code _snapshot_date} slice, so a load retried after a crash can never double rows.
 * A rejected snapshot is retried only when its manifest changes (it was re-extracted).
 */
public final class BronzeIngest {

    public static final String LAYER = "bronze";

    /** What happened to one snapshot in this run. */
    public record SnapshotOutcome(LandingSnapshot snapshot, String status, long rowsRead, long rowsLoaded,
                                  long rowsQuarantined, String reason) {

        /** Rejected whole, or a re-delivery of a loaded snapshot that was ignored: both need a person (exit 3). */
        public boolean rejected() {
            return "rejected".equals(status) || "duplicate".equals(status);
        }
    }

    /**
     * @param loaded       snapshots handled by this run (loaded or rejected)
     * @param waiting      folders without a manifest yet
     * @param stillRejected snapshots rejected by an earlier run whose manifest has not changed
     */
    public record Outcome(List<SnapshotOutcome> loaded, List<String> waiting, List<String> stillRejected) {

        public List<SnapshotOutcome> rejected() {
            return loaded.stream().filter(SnapshotOutcome::rejected).toList();
        }
    }

    private final SparkSession spark;
    private final TableWriter writer;
    private final Configuration hadoopConf;
    private final String landingRoot;
    private final Progress progress;
    private final int atOnce;
    private final long compileMinRows;

    /**
     * @param atOnce         objects loaded side by side ({@code run.steps_at_once})
     * @param compileMinRows an object whose pending snapshots hold at least this many rows (by their
     *                       manifests) is loaded with code generation ({@code run.compile_min_rows})
     */
    public BronzeIngest(TableWriter writer, Configuration hadoopConf, String landingRoot, Progress progress, int atOnce,
                        long compileMinRows) {
        this.spark = writer.spark();
        this.writer = writer;
        this.hadoopConf = hadoopConf;
        this.landingRoot = landingRoot;
        this.progress = progress;
        this.atOnce = atOnce;
        this.compileMinRows = compileMinRows;
    }

    public Outcome execute(LocalDate runDate) {
        Map<String, Row> ledger = latestLedgerEntries();
        Map<String, String> loaded = new HashMap<>();
        ledger.forEach((key, entry) -> {
            if ("loaded".equals(entry.getAs("status")) && entry.getAs("manifest_listing") != null) {
                loaded.put(key, entry.getAs("manifest_listing"));
            }
        });
        LandingScanner.Scan scan = new LandingScanner(landingRoot, hadoopConf).scan(runDate, loaded);
        scan.waiting().forEach(w -> progress.step("ingest", "waiting for " + w + " (no " + LandingScanner.MANIFEST + " yet)"));
        SnapshotReader reader = new SnapshotReader(spark, hadoopConf);
        List<SnapshotOutcome> outcomes = new ArrayList<>();
        List<String> stillRejected = new ArrayList<>();
        Map<SourceObject, List<LandingSnapshot>> pending = new LinkedHashMap<>();
        for (LandingSnapshot snapshot : scan.complete()) {
            Row previous = ledger.get(LandingScanner.key(snapshot.object().bronzeTable(), snapshot.date()));
            if (previous != null && List.of("loaded", "duplicate").contains((String) previous.getAs("status"))) {
                redelivery(snapshot, previous, outcomes, stillRejected);
                continue;
            }
            if (previous != null && unchangedSinceRejection(snapshot, previous)) {
                stillRejected.add(snapshot.label() + ": " + previous.getAs("reason"));
                continue;
            }
            pending.computeIfAbsent(snapshot.object(), k -> new ArrayList<>()).add(snapshot);
        }
        List<Dataset<Row>> malformed = java.util.Collections.synchronizedList(new ArrayList<>());
        // each object is its own table: a few are loaded side by side, their progress lines as they come
        SideBySide.map(List.copyOf(pending.entrySet()), atOnce, e -> SparkSessions.compiledWhen(spark,
                        large(e.getKey(), e.getValue()), () -> loadObject(reader, e.getKey(), e.getValue(), malformed)))
                .forEach(outcomes::addAll);
        writeMalformed(malformed);
        recordInLedger(outcomes);
        return new Outcome(outcomes, scan.waiting(), stillRejected);
    }

    /**
     * Whether an object's pending snapshots are many rows (a catch-up's events, a large first
     * extract), counted from their manifests before anything is read: parsing, numbering and
     * writing them then runs compiled, as silver's large tables do (interpreted, the events of a
     * year at scale 1 took ~5 of a catch-up's 9 minutes of ingest to write). A day's snapshots stay
     * interpreted.
     */
    private boolean large(SourceObject object, List<LandingSnapshot> snapshots) {
        long rows = snapshots.stream().filter(s -> s.manifest() != null).mapToLong(s -> s.manifest().records()).sum();
        boolean large = rows >= compileMinRows && SparkSessions.interpretsByDefault(spark);
        if (large) {
            progress.step("ingest", String.format("%s: %,d rows in %d snapshots, loaded with code generation",
                    object.bronzeTable(), rows, snapshots.size()));
        }
        return large;
    }

    /**
     * Reads the pending snapshots of one object — CSV, JSON and Segment ones in one batch (one read,
     * one counting job), others one by one — and writes the good ones to bronze in a single commit
     * that replaces exactly their {@code _snapshot_date} slices.
     */
    private List<SnapshotOutcome> loadObject(SnapshotReader reader, SourceObject object, List<LandingSnapshot> snapshots,
                                             List<Dataset<Row>> malformed) {
        Map<LandingSnapshot, SnapshotOutcome> outcomes = new LinkedHashMap<>();
        List<SnapshotReader.Result> results = new ArrayList<>();
        List<BatchReader.Batch> batches = new ArrayList<>();
        List<Dataset<Row>> slices = new ArrayList<>();
        List<LandingSnapshot> batchable = new ArrayList<>();
        List<LandingSnapshot> single = new ArrayList<>();
        for (LandingSnapshot snapshot : snapshots) {
            outcomes.put(snapshot, null); // keeps the snapshots' order for the log and the ledger
            try {
                refuseEmptyFullOverHistory(snapshot);
            } catch (SnapshotRejectedException e) {
                outcomes.put(snapshot, new SnapshotOutcome(snapshot, "rejected", 0, 0, 0, e.getMessage()));
                continue;
            }
            (BatchReader.batchable(snapshot) ? batchable : single).add(snapshot);
        }
        try {
            if (!batchable.isEmpty()) {
                spark.sparkContext().setJobDescription("ingest " + object.bronzeTable() + ": " + batchable.size() + " snapshots");
                try {
                    BatchReader.Batch batch = new BatchReader(spark, reader).read(object, batchable);
                    batches.add(batch);
                    batch.outcomes().forEach((snapshot, c) -> outcomes.put(snapshot, c.reason() != null
                            ? new SnapshotOutcome(snapshot, "rejected", 0, 0, 0, c.reason())
                            : new SnapshotOutcome(snapshot, "loaded", c.rowsRead(), c.rowsRead() - c.rowsMalformed(),
                            c.rowsMalformed(), null)));
                    if (batch.rows() != null) {
                        if (batch.outcomes().values().stream().anyMatch(c -> c.rowsMalformed() > 0)) {
                            malformed.add(materialize(batch.malformed().select(lit(object.bronzeTable()).as("table_name"),
                                    col("snapshot_date"), col("record_id"), col("reason"), col("raw_record"), col("_source_file"))));
                        }
                        slices.add(batch.rows().withColumn("_ingested_at", current_timestamp())
                                .withColumn("_run_id", lit(writer.runId())));
                    }
                    single.addAll(batch.single()); // last: a failure above reads every snapshot of the batch alone, once
                } catch (RuntimeException e) {
                    // some file cannot be read at all: one snapshot at a time finds and names it
                    progress.step("ingest", "batch read of " + object.bronzeTable() + " failed (" + SnapshotReader.oneLine(e)
                            + "); reading its snapshots one by one");
                    single.addAll(batchable);
                }
            }
            for (LandingSnapshot snapshot : single) {
                spark.sparkContext().setJobDescription("ingest " + snapshot.label());
                SnapshotReader.Result result;
                try {
                    result = reader.read(snapshot);
                } catch (SnapshotRejectedException e) {
                    outcomes.put(snapshot, new SnapshotOutcome(snapshot, "rejected", 0, 0, 0, e.getMessage()));
                    continue;
                }
                results.add(result);
                slices.add(withLoadColumns(result.rows(), snapshot.date()));
                if (result.rowsMalformed() > 0) {
                    malformed.add(quarantineRows(snapshot, result.malformed()));
                }
                outcomes.put(snapshot, new SnapshotOutcome(snapshot, "loaded", result.rowsRead(),
                        result.rowsRead() - result.rowsMalformed(), result.rowsMalformed(), null));
            }
            List<java.time.LocalDate> dates = new ArrayList<>();
            long total = 0;
            for (SnapshotOutcome o : outcomes.values()) {
                if (o.status().equals("rejected")) {
                    progress.step("ingest", "REJECTED " + o.reason());
                    continue;
                }
                total += o.rowsLoaded();
                dates.add(o.snapshot().date());
                progress.step("ingest", String.format("%-58s %,9d rows%s", o.snapshot().label(), o.rowsLoaded(),
                        o.rowsQuarantined() > 0 ? String.format(" (%,d malformed → quarantine)", o.rowsQuarantined()) : ""));
            }
            // a slice with no rows needs no commit: a retry of the same snapshot would write nothing either
            if (!slices.isEmpty() && total > 0) {
                spark.sparkContext().setJobDescription("write bronze." + object.bronzeTable());
                // created without a partition per day (a file a day per object, forever, and costly to write in a catch-up):
                // the date's statistics prune reads, and the slices are replaced by the date's rows (docs/ingestion.md)
                writer.replaceDates(LAYER, object.bronzeTable(), Frames.unionByNameAllowingMissing(slices), "_snapshot_date", dates);
            } else if (!dates.isEmpty() && !writer.exists(LAYER, object.bronzeTable())) {
                // the object's first snapshots are empty: its table exists from now on, with its columns and no rows,
                // so a query of it finds an empty table rather than none
                spark.sparkContext().setJobDescription("create bronze." + object.bronzeTable());
                writer.replaceDates(LAYER, object.bronzeTable(), emptyTable(object), "_snapshot_date", dates);
            }
        } finally {
            results.forEach(SnapshotReader.Result::release);
            batches.forEach(BatchReader.Batch::release);
        }
        return new ArrayList<>(outcomes.values());
    }

    /**
     * A full snapshot with no rows says every record was deleted. On the first day that is an empty
     * object; after records have landed it is far likelier a failed export, so it is rejected.
     */
    private void refuseEmptyFullOverHistory(LandingSnapshot snapshot) {
        Manifest m = snapshot.manifest();
        if (m == null || !"full".equals(m.mode()) || m.records() != 0
                || !writer.exists(LAYER, snapshot.object().bronzeTable())) {
            return;
        }
        boolean hasHistory = !writer.read(LAYER, snapshot.object().bronzeTable())
                .where(col("_snapshot_date").lt(lit(Date.valueOf(snapshot.date())))).limit(1).isEmpty();
        if (hasHistory) {
            throw new SnapshotRejectedException(snapshot.label() + ": full snapshot with 0 records would delete every "
                    + snapshot.object().bronzeTable() + " record loaded so far; rejected as a likely failed export");
        }
    }

    /** No rows, the object's contract columns as text, and the load columns. */
    private Dataset<Row> emptyTable(SourceObject object) {
        StructType schema = new StructType();
        for (String c : object.isSegment() ? SnapshotReader.SEGMENT_FIELDS : object.requiredColumns()) {
            schema = schema.add(c, DataTypes.StringType, true);
        }
        schema = schema.add("_source_file", DataTypes.StringType, true).add("_row_number", DataTypes.LongType, true)
                .add("_snapshot_date", DataTypes.DateType, true).add("_ingested_at", DataTypes.TimestampType, true)
                .add("_run_id", DataTypes.StringType, true);
        return spark.createDataFrame(List.of(), schema);
    }

    private Dataset<Row> withLoadColumns(Dataset<Row> rows, LocalDate date) {
        return rows.withColumn("_snapshot_date", lit(Date.valueOf(date)))
                .withColumn("_ingested_at", current_timestamp())
                .withColumn("_run_id", lit(writer.runId()));
    }

    /** Malformed rows, materialized now (their source frames are released after the object is written). */
    private Dataset<Row> quarantineRows(LandingSnapshot snapshot, Dataset<Row> malformed) {
        return materialize(malformed.select(lit(snapshot.object().bronzeTable()).as("table_name"),
                lit(Date.valueOf(snapshot.date())).as("snapshot_date"),
                col("record_id"), col("reason"), col("raw_record"), col("_source_file")));
    }

    private Dataset<Row> materialize(Dataset<Row> rows) {
        return spark.createDataFrame(rows.collectAsList(), rows.schema());
    }

    /**
     * Raw text of malformed rows goes to bronze (it may hold personal data); the reason and the
     * record id to ops.quarantine. One commit each, replacing the slices of this run's snapshots.
     */
    private void writeMalformed(List<Dataset<Row>> malformed) {
        if (malformed.isEmpty()) {
            return;
        }
        Dataset<Row> all = Frames.unionByName(malformed);
        List<Row> slices = all.select("table_name", "snapshot_date").distinct().collectAsList();
        List<String> bronzeSlice = new ArrayList<>();
        List<String> opsSlice = new ArrayList<>();
        for (Row r : slices) {
            String cond = "table_name = '" + r.getString(0) + "' AND snapshot_date = '" + r.getDate(1) + "'";
            bronzeSlice.add("(source_table = '" + r.getString(0) + "' AND _snapshot_date = '" + r.getDate(1) + "')");
            opsSlice.add("(layer = 'bronze' AND " + cond + ")");
        }
        Dataset<Row> raw = all.select(col("table_name").as("source_table"), col("record_id"), col("raw_record"),
                        col("_source_file"), col("snapshot_date").as("_snapshot_date"))
                .withColumn("_ingested_at", current_timestamp())
                .withColumn("_run_id", lit(writer.runId()));
        writer.replaceWhere(LAYER, OpsTables.MALFORMED_ROWS, raw, String.join(" OR ", bronzeSlice));
        Dataset<Row> quarantine = all.select(
                lit(writer.runId()).as("run_id"), lit(LAYER).as("layer"), col("table_name"),
                col("record_id"), col("_source_file").as("source_file"), col("snapshot_date"), col("reason"),
                current_timestamp().as("quarantined_at"));
        writer.replaceWhere(OpsTables.LAYER, OpsTables.QUARANTINE,
                spark.createDataFrame(quarantine.rdd(), OpsTables.quarantine()), String.join(" OR ", opsSlice));
    }

    /**
     * A folder for a date that is already loaded, with a different manifest: a second delivery of
     * the same snapshot. Loading it would silently rewrite history the silver layer already used,
     * so the loaded version stays and the new one is reported once (status duplicate, exit 3);
     * corrections belong in a newer snapshot.
     */
    private void redelivery(LandingSnapshot snapshot, Row previous, List<SnapshotOutcome> outcomes, List<String> stillRejected) {
        String fingerprint = snapshot.manifest() == null ? null : snapshot.manifest().fingerprint();
        boolean same = java.util.Objects.equals(fingerprint, previous.getAs("manifest_fingerprint"));
        if ("loaded".equals(previous.getAs("status")) && same) {
            return;
        }
        if ("duplicate".equals(previous.getAs("status")) && same) {
            stillRejected.add(snapshot.label() + ": " + previous.getAs("reason"));
            return;
        }
        String reason = snapshot.label() + ": delivered again after it was loaded (different manifest); the loaded "
                + "version stays, land corrections as a newer snapshot";
        progress.step("ingest", "IGNORED " + reason);
        outcomes.add(new SnapshotOutcome(snapshot, "duplicate", 0, 0, 0, reason));
    }

    /** Same manifest (or the same unusable manifest) as when it was rejected: nothing new to try. */
    private static boolean unchangedSinceRejection(LandingSnapshot snapshot, Row previous) {
        if (snapshot.manifest() != null) {
            return snapshot.manifest().fingerprint().equals(previous.getAs("manifest_fingerprint"));
        }
        String reason = previous.getAs("reason");
        return previous.getAs("manifest_fingerprint") == null && reason != null && reason.endsWith(snapshot.manifestError());
    }

    private Map<String, Row> latestLedgerEntries() {
        Map<String, Row> out = new HashMap<>();
        if (!writer.exists(OpsTables.LAYER, OpsTables.SNAPSHOT_LEDGER)) {
            return out;
        }
        Dataset<Row> entries = writer.read(OpsTables.LAYER, OpsTables.SNAPSHOT_LEDGER);
        if (!List.of(entries.columns()).contains("manifest_listing")) {
            entries = entries.withColumn("manifest_listing", lit(null).cast(DataTypes.StringType)); // a ledger from before 2026-12-04
        }
        List<Row> rows = entries.groupBy("table_name", "snapshot_date")
                .agg(max_by(struct("status", "manifest_fingerprint", "reason", "manifest_listing"), col("recorded_at")).as("last"))
                .select("table_name", "snapshot_date", "last.status", "last.manifest_fingerprint", "last.reason", "last.manifest_listing")
                .collectAsList();
        for (Row r : rows) {
            out.put(LandingScanner.key(r.getString(0), r.getDate(1).toLocalDate()), r);
        }
        return out;
    }

    private void recordInLedger(List<SnapshotOutcome> outcomes) {
        if (outcomes.isEmpty()) {
            return;
        }
        Timestamp now = Timestamp.from(Instant.now());
        List<Row> rows = new ArrayList<>();
        for (SnapshotOutcome o : outcomes) {
            LandingSnapshot s = o.snapshot();
            Manifest m = s.manifest();
            rows.add(RowFactory.create(s.object().bronzeTable(), s.label(), Date.valueOf(s.date()),
                    m == null ? null : m.mode(), m == null ? null : m.extractedAt(),
                    m == null ? null : m.records(), m == null ? null : m.fingerprint(),
                    o.status(), o.rowsLoaded(), o.rowsQuarantined(), o.reason(), writer.runId(), now, s.manifestListing()));
        }
        writer.append(OpsTables.LAYER, OpsTables.SNAPSHOT_LEDGER,
                spark.createDataFrame(rows, OpsTables.snapshotLedger()), List.of());
    }

}
