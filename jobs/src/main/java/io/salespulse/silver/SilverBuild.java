package io.salespulse.silver;

import io.salespulse.common.BuildState;
import io.salespulse.common.Frames;
import io.salespulse.common.TableSpec;
import io.salespulse.common.Progress;
import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.SideBySide;
import io.salespulse.common.SparkSessions;
import io.salespulse.common.TableWriter;
import io.salespulse.ingest.BronzeIngest;
import io.salespulse.ingest.SnapshotReader;
import io.salespulse.ingest.SourceObject;
import io.salespulse.intermediate.CurrentState;
import io.salespulse.intermediate.CustomerAcquisition;
import io.salespulse.common.OpsTables;
import io.salespulse.quality.CheckResult;
import io.salespulse.quality.QualityChecks;
import io.salespulse.quality.Reconciliation;
import io.salespulse.staging.StagedObject;
import io.salespulse.staging.Staging;
import io.salespulse.staging.Typing;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Bronze → silver for a run date: stage every object (type, rename, flag bad rows), take the
 * current state, build the conformed tables, and write them. A daily run writes a table only when
 * its rows changed ({@link TableWriter#sync}); {@code rebuild} overwrites them. Both compute
 * the same frames from the same bronze (snapshots dated ≤ the run date), so they agree row for row.
 */
public final class SilverBuild {

    public static final String LAYER = "silver";

    /**
     * Every silver table, in build order: a model may read the tables it names, listed before it
     * (dim_date spans the dates of the facts); the others are built and written side by side.
     * Adding a silver table is one class (its TableSpec and build) and one line here.
     */
    public static final List<SilverModel> MODELS = List.of(
            SilverModel.clean(Dimensions.SALES_REP, in -> Dimensions.salesReps(in.live(SourceObject.USER)))
                    .onePerRecordOf(SourceObject.USER),
            SilverModel.clean(Dimensions.PRODUCT, in -> Dimensions.products(in.live(SourceObject.PRODUCT)))
                    .onePerRecordOf(SourceObject.PRODUCT),
            SilverModel.of(Dimensions.CAMPAIGN, in -> Dimensions.campaigns(in.live(SourceObject.CAMPAIGN), in.rates(),
                    in.reportingCurrency())),
            SilverModel.clean(DimCustomer.TABLE, DimCustomer::build),
            SilverModel.clean(FactLead.TABLE, in -> FactLead.build(in.live(SourceObject.LEAD), in.live(SourceObject.CAMPAIGN_MEMBER),
                    in.acquisitions(), in.hash())).onePerRecordOf(SourceObject.LEAD),
            SilverModel.of(FactOpportunity.TABLE, in -> FactOpportunity.build(in.live(SourceObject.OPPORTUNITY), in.rates(),
                    in.reportingCurrency())),
            SilverModel.of(FactOpportunityStage.TABLE, FactOpportunityStage::build),
            SilverModel.of(FactOrder.TABLE, in -> FactOrder.build(in.orders(), in.live(SourceObject.ORDER_ITEM),
                    in.ranked(SourceObject.ORDER).select("id"), in.rates(), in.reportingCurrency(), in.acquisitions())),
            SilverModel.of(FactActivityDaily.TABLE, FactActivityDaily::build),
            SilverModel.clean(FactCampaignMember.TABLE, in -> FactCampaignMember.build(in.live(SourceObject.CAMPAIGN_MEMBER)))
                    .onePerRecordOf(SourceObject.CAMPAIGN_MEMBER),
            SilverModel.clean(Dimensions.DATE, Dimensions::dates)
                    .reading(FactLead.TABLE, FactOpportunity.TABLE, FactOrder.TABLE, FactActivityDaily.TABLE));

    public static final List<TableSpec> TABLES = MODELS.stream().map(SilverModel::table).toList();

    /**
     * @param keyChecks primary-key checks of every table, taken while counting it
     * @param inputs    what silver was computed from: recorded by {@link #recordInputs} once the
     *                  quality gate passed, null when silver was left as it is
     * @param tables    every table's rows as this run wrote them, still held for the quality gate
     *                  until {@link #close}: its checks need not read and plan every table again
     * @param pinned    the frames the run holds, released by {@link #close}
     */
    public record Outcome(Map<String, Long> rows, long quarantined, List<Reconciliation> reconciliation,
                          List<CheckResult> keyChecks, BuildState inputs, Map<TableSpec, Dataset<Row>> tables,
                          List<Dataset<Row>> pinned) implements AutoCloseable {

        static final Outcome UNCHANGED = new Outcome(Map.of(), 0, List.of(), List.of(), null, Map.of(), List.of());

        /** False when silver was left as it is: its inputs are those it was last computed (and checked) from. */
        public boolean computed() {
            return inputs != null;
        }

        /** Releases the rows the run held. */
        @Override
        public void close() {
            Frames.unpersistAll(pinned);
        }
    }

    private final SparkSession spark;
    private final TableWriter writer;
    private final SalespulseConfig config;
    private final EmailHash hash;
    private final Progress progress;
    /** Salesforce objects staged side by side ({@code run.steps_at_once}). */
    private final int atOnce;

    public SilverBuild(TableWriter writer, SalespulseConfig config, EmailHash hash, Progress progress) {
        this.spark = writer.spark();
        this.writer = writer;
        this.config = config;
        this.hash = hash;
        this.progress = progress;
        this.atOnce = (int) config.getLong(SalespulseConfig.STEPS_AT_ONCE);
    }

    /** @param rebuild overwrite every table instead of merging the changes */
    public Outcome execute(LocalDate runDate, boolean rebuild) {
        spark.sparkContext().setJobDescription("silver " + runDate);
        writer.recordChanges(LAYER); // gold reads only what changed (AffectedDates)
        String rc = config.get(SalespulseConfig.REPORTING_CURRENCY);
        BuildState inputs = new BuildState(versions(), runDate, settings(rc));
        BuildState previous = rebuild ? null : BuildState.read(writer, OpsTables.SILVER_STATE);
        if (inputs.equals(previous)) {
            // a rerun, a cleared task: every table would come out as it is, so nothing is computed or committed
            progress.step("silver", "unchanged: bronze, the date and the settings are those silver was computed from");
            return Outcome.UNCHANGED;
        }
        Map<SourceObject, Dataset<Row>> ranked = new EnumMap<>(SourceObject.class);
        Map<SourceObject, Dataset<Row>> live = new EnumMap<>(SourceObject.class);
        List<Dataset<Row>> quarantine = new ArrayList<>();
        List<Dataset<Row>> reconciliation = new ArrayList<>();
        // pinned from several threads while the objects are staged side by side
        List<Dataset<Row>> cached = java.util.Collections.synchronizedList(new ArrayList<>());
        boolean handedOver = false;
        try {
            // read once for all objects (a few rows a day at most): each object's ranking would otherwise
            // plan its own scan of the ledger
            List<Row> fullSnapshots = fullSnapshots(runDate).collectAsList();
            List<Staged> objects = SideBySide.map(List.copyOf(Staging.MODELS.entrySet()), atOnce,
                    e -> stage(e.getKey(), e.getValue(), runDate, fullSnapshots, cached));
            for (Staged o : objects) {
                quarantine.add(o.quarantined());
                ranked.put(o.object(), o.ranked());
                live.put(o.object(), o.ranked().where(col("_is_current").and(col("is_deleted").equalTo(false))).drop("_is_current"));
                reconciliation.add(o.reconciliation());
            }
            // intermediate steps several models share
            Dataset<Row> rates = live.get(SourceObject.DATED_CONVERSION_RATE);
            Dataset<Row> everAccounts = ranked.get(SourceObject.ACCOUNT).select("id");
            // held: the quarantine, gathered at the end, would otherwise join and convert the orders again (Built.split)
            Built orders = FactOrder.orders(live.get(SourceObject.ORDER), live.get(SourceObject.ACCOUNT), everAccounts, rates, rc)
                    .held(f -> Frames.pin(f, cached));
            quarantine.add(orders.quarantined());
            Dataset<Row> conformedOrders = Frames.pin(orders.rows(), cached);
            Dataset<Row> acquisitions = Frames.pin(CustomerAcquisition.acquisitions(conformedOrders), cached);
            FactActivityDaily.Increment increment = activityIncrement(previous, inputs, cached);
            if (increment != null) {
                progress.step("silver", "fact_activity_daily: adding the events landed after " + increment.appliedThrough());
            }
            SilverInputs in = new SilverInputs(runDate, live, ranked, bronze(SourceObject.SEGMENT_EVENTS, runDate), rates,
                    conformedOrders, acquisitions, CustomerAcquisition.channels(live.get(SourceObject.LEAD)), rc,
                    config.closedStages(), hash, increment, Map.of());

            Map<String, Long> counts = new LinkedHashMap<>();
            List<CheckResult> keyChecks = new ArrayList<>();
            long compileMinRows = config.getLong(SalespulseConfig.COMPILE_MIN_ROWS);
            List<SilverModel> left = new ArrayList<>(MODELS);
            while (!left.isEmpty()) {
                SilverInputs ready = in;
                List<SilverModel> wave = SideBySide.nextWave(left, m -> m.silverRead().stream().allMatch(ready::has));
                // a large table is built and written compiled (the many small ones stay interpreted). It runs
                // alone, after the others: compiledWhen switches the session's settings, so a small table beside
                // it would be compiled too, and its rows are the run's largest (two at once on a 2 GB heap at
                // scale 1 is untried; the activity's first build there needs its many partitions to fit)
                Map<SilverModel, OptionalLong> large = new LinkedHashMap<>();
                wave.forEach(m -> large.put(m, rowsToCompile(m, increment, compileMinRows)));
                List<SilverModel> small = wave.stream().filter(m -> large.get(m).isEmpty()).toList();
                List<Written> written = new ArrayList<>(SideBySide.map(small, atOnce, m -> write(m, ready, rebuild, cached)));
                for (SilverModel m : wave) {
                    large.get(m).ifPresent(n -> {
                        progress.step(LAYER, String.format("%s: %,d %s, built with code generation", m.table().name(), n,
                                fromAllEvents(m, increment) ? "events in bronze" : "rows stored"));
                        written.add(SparkSessions.compiledWhen(spark, true, () -> write(m, ready, rebuild, cached)));
                    });
                }
                written.sort(java.util.Comparator.comparingInt(w -> MODELS.indexOf(w.model()))); // the log's order
                for (Written w : written) {
                    quarantine.add(w.quarantined());
                    keyChecks.addAll(w.keyChecks());
                    counts.put(w.model().table().name(), w.stored());
                    in = in.with(w.model().table(), w.rows());
                }
                left.removeAll(wave);
            }
            // the quarantine and the reconciliation read every staged row again: compiled when the staging was
            boolean large = objects.stream().anyMatch(Staged::compiled);
            long quarantined = SparkSessions.compiledWhen(spark, large, () -> writeQuarantine(quarantine, cached, increment != null));
            List<Reconciliation> counted = SparkSessions.compiledWhen(spark, large, () -> collect(reconciliation));
            Outcome outcome = new Outcome(counts, quarantined, counted, keyChecks, inputs, in.tables(), cached);
            handedOver = true; // released by the caller once the quality gate has read the tables
            return outcome;
        } finally {
            if (!handedOver) {
                Frames.unpersistAll(cached);
            }
        }
    }

    /**
     * The rows a model's step works through when they are enough to compile it: the rows the table
     * holds, or for fact_activity_daily computed from all events (its first build, or one that
     * cannot be an increment) the events in bronze, which are more.
     */
    private OptionalLong rowsToCompile(SilverModel m, FactActivityDaily.Increment increment, long minRows) {
        if (fromAllEvents(m, increment)) {
            return SparkSessions.rowsToCompile(writer, BronzeIngest.LAYER, SourceObject.SEGMENT_EVENTS.bronzeTable(), minRows);
        }
        return SparkSessions.rowsToCompile(writer, LAYER, m.table().name(), minRows);
    }

    private static boolean fromAllEvents(SilverModel m, FactActivityDaily.Increment increment) {
        return m.table().equals(FactActivityDaily.TABLE) && increment == null;
    }

    /**
     * One object staged: its bad rows, its every version ranked, where each bronze row went, and
     * whether it was staged with code generation.
     */
    private record Staged(SourceObject object, Dataset<Row> quarantined, Dataset<Row> ranked, Dataset<Row> reconciliation,
                          boolean compiled) {
    }

    /**
     * Types an object's bronze rows and ranks its versions (both held for the run). An object of at
     * least {@code run.compile_min_rows} bronze rows (at scale 1: Lead, Opportunity and its history)
     * is typed and ranked here, compiled: otherwise its rows are computed by the first model that
     * reads them, a small one, interpreted.
     */
    private Staged stage(SourceObject object, StagedObject model, LocalDate runDate, List<Row> fullSnapshots,
                         List<Dataset<Row>> cached) {
        spark.sparkContext().setJobDescription("silver " + runDate + ": stage " + object.bronzeTable());
        Dataset<Row> staged = Frames.pin(Staging.stage(bronze(object, runDate), model), cached);
        Dataset<Row> full = deletingSnapshots(object, fullSnapshots);
        Dataset<Row> r = Frames.pin(CurrentState.rank(staged.where(col("_error").isNull()), full), cached);
        OptionalLong large = SparkSessions.rowsToCompile(writer, BronzeIngest.LAYER, object.bronzeTable(),
                config.getLong(SalespulseConfig.COMPILE_MIN_ROWS));
        if (large.isPresent()) {
            progress.step(LAYER, String.format("%s: %,d rows in bronze, staged with code generation", object.bronzeTable(),
                    large.getAsLong()));
            // one job computes and holds both: the ranking reads the staged rows as they are pinned
            SparkSessions.compiledWhen(spark, true, r::count);
        }
        return new Staged(object, Built.quarantine(staged.where(col("_error").isNotNull()), object.bronzeTable(), col("_error")),
                r, reconcile(object, staged, r), large.isPresent());
    }

    /** Rows of a replaced part of a table per file written: a night's replacement is one file. */
    static final long ROWS_PER_REPLACING_FILE = 1_000_000L;

    /**
     * One table built, checked and written.
     *
     * @param rows   the table's rows as the models after it read them
     * @param stored the rows the table holds now
     */
    private record Written(SilverModel model, Dataset<Row> rows, long stored, List<CheckResult> keyChecks,
                           Dataset<Row> quarantined) {
    }

    /**
     * Builds one model, checks its keys and writes it (all of it, or with an increment only the rows
     * that change).
     */
    private Written write(SilverModel m, SilverInputs in, boolean rebuild, List<Dataset<Row>> cached) {
        TableSpec t = m.table();
        spark.sparkContext().setJobDescription("write silver." + t.name());
        // a split build's frame held: its quarantine, gathered after every table, is then a filter of it
        Built built = m.build().apply(in).held(f -> Frames.pin(f, cached));
        // computed once: counted, then written from the pinned rows, and read from them by the models after it
        Dataset<Row> rows = Frames.pin(TableWriter.conform(built.rows(), t.schema()), cached);
        QualityChecks.Profile profile = QualityChecks.keys(LAYER, t, rows);
        long stored = profile.rows();
        if (built.partial()) {
            // the part of the stored table the build recomputed replaces that part, in one commit; the
            // models after it read the table whole
            if (profile.rows() > 0) {
                progress.step(LAYER, t.name() + ": replacing " + built.replacing().description());
                // Delta copies each touched file's other rows to one new file and adds these as they
                // are split: a night's few in one file, not one per partition (the table's files add up
                // until the weekly maintain compacts them)
                int files = (int) Math.min(rows.rdd().getNumPartitions(), 1 + profile.rows() / ROWS_PER_REPLACING_FILE);
                writer.replaceWhere(LAYER, t.name(), rows.coalesce(files), built.replacing().predicate());
            }
            rows = writer.read(LAYER, t.name());
            stored = writer.storedRows(LAYER, t.name());
        } else {
            // a table computed in many partitions (the activity from all events) is pinned as computed, a
            // small block per part, and written in the session's partitions: gathered before the pin, each
            // task's block held half the table, unrolled in memory beside the aggregation computing it,
            // which then ran out of a 2 GB heap at scale 1
            int session = spark.sessionState().conf().numShufflePartitions();
            writer.publish(LAYER, t, rows.rdd().getNumPartitions() > session ? rows.coalesce(session) : rows, rebuild, null);
        }
        progress.table(LAYER, t.name(), stored);
        return new Written(m, rows, stored, profile.checks(), built.quarantined());
    }

    /**
     * Records what silver was computed from, after the quality gate passed on it: a later run with
     * the same inputs leaves silver as it is and needs no key or foreign-key check of it (a silver
     * that failed the gate is never recorded, so its date stays blocked until its data changes).
     */
    public void recordInputs(Outcome outcome) {
        if (outcome.computed()) {
            // the silver tables' versions as this run left them: any later write to them (a hand fix,
            // forget, maintain) makes the next run compute and check silver again
            new BuildState(versions(), outcome.inputs().runDate(), outcome.inputs().settings())
                    .record(writer, OpsTables.SILVER_STATE, "What silver was last computed from", OpsTables.silverState());
        }
    }

    /**
     * Whether every silver table is as the run that last computed silver left it once the quality
     * gate had passed on it ({@link #recordInputs}): its keys, foreign keys and reconciliation then
     * stand as they were checked. Read from the tables' logs (no Spark job).
     */
    public boolean unchangedSinceChecked() {
        BuildState recorded = BuildState.read(writer, OpsTables.SILVER_STATE);
        if (recorded == null) {
            return false;
        }
        for (TableSpec t : TABLES) {
            long now = version(LAYER, t.name());
            if (now < 0 || recorded.versions().getOrDefault(LAYER + "." + t.name(), -1L) != now) {
                return false;
            }
        }
        return true;
    }

    /**
     * fact_activity_daily can take just the events landed since silver was last computed when the
     * table holds the rows that computation left (no run or hand fix wrote it since; the weekly
     * maintain's compaction rewrites its files, not its rows), the settings and
     * the date have not gone back, and bronze gained events only in folders after that date
     * (checked in the events table's commits: a forget, a re-landed old folder or a late folder
     * for an old date means computing it again from all events). Null otherwise.
     */
    private FactActivityDaily.Increment activityIncrement(BuildState previous, BuildState now, List<Dataset<Row>> pinned) {
        if (previous == null) {
            return null; // computed for the first time (or rebuilt): nothing to update
        }
        String table = SourceObject.SEGMENT_EVENTS.bronzeTable();
        String fact = LAYER + "." + FactActivityDaily.TABLE.name();
        String events = BronzeIngest.LAYER + "." + table;
        long stored = previous.versions().getOrDefault(fact, -1L);
        long before = previous.versions().getOrDefault(events, -1L);
        long after = now.versions().getOrDefault(events, -1L);
        String whole = null;
        if (!previous.settings().equals(now.settings())) {
            whole = "the settings changed";
        } else if (now.runDate().isBefore(previous.runDate())) {
            whole = "silver was computed as of a later date";
        } else if (stored < 0 || now.versions().get(fact) < stored
                || writer.rowsChanged(LAYER, FactActivityDaily.TABLE.name(), stored + 1, now.versions().get(fact))) {
            // the weekly maintain's compaction rewrites the table's files, not its rows: an increment still applies
            whole = fact + " was written since silver was last computed";
        } else if (before < 0 || after < before) {
            whole = events + " is not the table silver was computed from";
        } else {
            java.util.Optional<java.util.Set<String>> landed = writer.changedValues(BronzeIngest.LAYER, table, "_snapshot_date",
                    before + 1, after);
            if (landed.isEmpty()) {
                whole = "the folders " + events + " changed since then cannot be told from its commits";
            } else if (landed.get().stream().anyMatch(d -> !LocalDate.parse(d).isAfter(previous.runDate()))) {
                whole = events + " changed in folders on or before " + previous.runDate();
            }
        }
        if (whole != null) {
            progress.step(LAYER, "fact_activity_daily: computed from all events (" + whole + ")");
            return null;
        }
        return new FactActivityDaily.Increment(previous.runDate(), writer.read(LAYER, FactActivityDaily.TABLE.name()), pinned);
    }

    /**
     * layer.table → Delta version (-1 before it exists) of every table silver reads and of silver's
     * own tables, read from the logs (no Spark job).
     */
    private Map<String, Long> versions() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (SourceObject o : SourceObject.values()) {
            out.put(BronzeIngest.LAYER + "." + o.bronzeTable(), version(BronzeIngest.LAYER, o.bronzeTable()));
        }
        out.put(OpsTables.LAYER + "." + OpsTables.SNAPSHOT_LEDGER, version(OpsTables.LAYER, OpsTables.SNAPSHOT_LEDGER));
        for (TableSpec t : TABLES) {
            out.put(LAYER + "." + t.name(), version(LAYER, t.name()));
        }
        return out;
    }

    private long version(String layer, String table) {
        return writer.exists(layer, table) ? writer.version(layer, table) : -1L;
    }

    /**
     * What silver's values depend on besides bronze and the date: the reporting currency and time
     * zone, the closed stages, the email-hashing key (by its id, never itself) and the silver columns.
     * A change in a formula without a new column is not seen here: after such an upgrade, run
     * {@code rebuild} once (docs/performance.md).
     */
    private String settings(String rc) {
        return "reporting_currency=" + rc + "; time_zone=" + config.get(SalespulseConfig.REPORTING_TIMEZONE)
                + "; closed stages #" + BuildState.digest(config.closedStages())
                + "; email key " + hash.keyId() + "; silver columns #" + BuildState.columnsDigest(TABLES);
    }

    /** Bronze rows of an object landed on or before the run date (an empty frame before the first load). */
    private Dataset<Row> bronze(SourceObject object, LocalDate runDate) {
        if (!writer.exists(BronzeIngest.LAYER, object.bronzeTable())) {
            StructType schema = new StructType();
            for (String c : object.isSegment() ? SnapshotReader.SEGMENT_FIELDS : object.requiredColumns()) {
                schema = schema.add(c, DataTypes.StringType);
            }
            schema = schema.add("_snapshot_date", DataTypes.DateType).add("_source_file", DataTypes.StringType)
                    .add("_row_number", DataTypes.LongType);
            return spark.createDataFrame(List.of(), schema);
        }
        Dataset<Row> df = writer.read(BronzeIngest.LAYER, object.bronzeTable())
                .where(col("_snapshot_date").leq(lit(Date.valueOf(runDate))));
        if (!List.of(df.columns()).contains("_row_number")) {
            df = df.withColumn("_row_number", lit(0L));
        }
        return df;
    }

    /** Full snapshots loaded so far: table_name, snapshot_date, extracted_at (timestamp). */
    private Dataset<Row> fullSnapshots(LocalDate runDate) {
        if (!writer.exists(OpsTables.LAYER, OpsTables.SNAPSHOT_LEDGER)) {
            return spark.createDataFrame(List.of(), new StructType().add("table_name", DataTypes.StringType)
                    .add("snapshot_date", DataTypes.DateType).add("extracted_at", DataTypes.TimestampType));
        }
        return writer.read(OpsTables.LAYER, OpsTables.SNAPSHOT_LEDGER)
                .where(col("status").equalTo("loaded").and(col("mode").equalTo("full"))
                        .and(col("snapshot_date").leq(lit(Date.valueOf(runDate)))))
                .select(col("table_name"), col("snapshot_date"),
                        Typing.parse(col("extracted_at"), Typing.Type.TIMESTAMP).as("extracted_at"))
                .distinct();
    }

    /**
     * The object's full snapshots that can delete a record by its absence ({@link CurrentState#canDelete}),
     * as a local frame: most objects' only full snapshot is their first extract, so that most
     * rankings plan no deletion branch at all (Spark prunes a join with an empty local frame): two
     * Spark jobs and a join over every version less per object.
     */
    private Dataset<Row> deletingSnapshots(SourceObject object, List<Row> fullSnapshots) {
        java.util.Optional<LocalDate> earliest = earliestSnapshot(object);
        List<Row> rows = new ArrayList<>();
        for (Row r : fullSnapshots) {
            if (r.getString(0).equals(object.bronzeTable()) && CurrentState.canDelete(r.getDate(1).toLocalDate(), earliest)) {
                rows.add(org.apache.spark.sql.RowFactory.create(r.get(1), r.get(2)));
            }
        }
        return spark.createDataFrame(rows, new StructType().add("snapshot_date", DataTypes.DateType)
                .add("extracted_at", DataTypes.TimestampType));
    }

    /**
     * The earliest {@code _snapshot_date} in the object's bronze table, from its files' statistics
     * (no Spark job); empty when the table does not exist, holds no row, or the statistics cannot tell.
     */
    private java.util.Optional<LocalDate> earliestSnapshot(SourceObject object) {
        if (!writer.exists(BronzeIngest.LAYER, object.bronzeTable())) {
            return java.util.Optional.empty();
        }
        return writer.fileStatistics(BronzeIngest.LAYER, object.bronzeTable())
                .flatMap(files -> TableWriter.dateBound(files, "_snapshot_date", true))
                .flatMap(earliest -> earliest);
    }

    /**
     * Where every bronze row of an object went: quarantined (could not be typed), superseded by a
     * later version (a record deleted by absence from a full snapshot has its last real version
     * superseded by that synthetic deletion), a deletion, or the current version of a live record:
     * one row per bronze row, its table and state, counted for all objects at once by {@link #collect}.
     */
    private static Dataset<Row> reconcile(SourceObject object, Dataset<Row> staged, Dataset<Row> ranked) {
        Dataset<Row> errors = staged.where(col("_error").isNotNull()).select(lit("quarantined").as("_state"));
        Dataset<Row> versions = ranked.where(col("_source_file").notEqual(CurrentState.ABSENT))
                .select(when(col("_is_current").equalTo(false), lit("superseded"))
                        .when(col("is_deleted"), lit("deleted")).otherwise(lit("current")).as("_state"));
        return errors.unionByName(versions).select(lit(object.bronzeTable()).as("table_name"), col("_state"));
    }

    /** One job for all objects' counts, over every object's rows gathered (one task per core, not per part). */
    private static List<Reconciliation> collect(List<Dataset<Row>> parts) {
        Dataset<Row> all = Frames.gathered(parts).groupBy(col("table_name"))
                .agg(count(lit(1)).as("rows_in"),
                        sum(when(col("_state").equalTo("quarantined"), 1L).otherwise(0L)).as("quarantined"),
                        sum(when(col("_state").equalTo("superseded"), 1L).otherwise(0L)).as("superseded"),
                        sum(when(col("_state").equalTo("deleted"), 1L).otherwise(0L)).as("deleted"),
                        sum(when(col("_state").equalTo("current"), 1L).otherwise(0L)).as("current"));
        List<Reconciliation> out = new ArrayList<>();
        for (Row r : all.collectAsList()) {
            out.add(new Reconciliation(r.getString(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5)));
        }
        // a row per object, sorted here: a distributed sort would scan every part once more to sample it
        out.sort(java.util.Comparator.comparing(Reconciliation::tableName));
        return out;
    }

    /**
     * Replaces the silver part of ops.quarantine; rows already there keep their first run id. When
     * the events were only added to ({@code eventsAdded}), the events' rows are only added to too:
     * their earlier rows were not computed again.
     *
     * @return the silver rows in quarantine
     */
    private long writeQuarantine(List<Dataset<Row>> parts, List<Dataset<Row>> cached, boolean eventsAdded) {
        Dataset<Row> all = Frames.gathered(parts);
        // the time as a literal taken once: the pinned rows are then what the MERGE reads, not a plan
        // it would recompute from every model's intermediate frames
        Dataset<Row> rows = Frames.pin(all.select(lit(writer.runId()).as("run_id"), lit(LAYER).as("layer"), col("table_name"),
                col("record_id"), col("source_file"), col("snapshot_date"), col("reason"),
                lit(java.sql.Timestamp.from(java.time.Instant.now())).as("quarantined_at")).distinct(), cached);
        String events = "'" + SourceObject.SEGMENT_EVENTS.bronzeTable() + "'";
        writer.sync(OpsTables.LAYER, OpsTables.QUARANTINE, "Rows that could not be loaded or conformed, with the reason",
                OpsTables.quarantine(), List.of("layer", "table_name", "record_id", "source_file", "snapshot_date", "reason"),
                rows, eventsAdded ? "t.layer = 'silver' AND t.table_name <> " + events : "t.layer = 'silver'",
                List.of("run_id", "quarantined_at"));
        return eventsAdded ? writer.read(OpsTables.LAYER, OpsTables.QUARANTINE).where(col("layer").equalTo(LAYER)).count()
                : rows.count();
    }

}
