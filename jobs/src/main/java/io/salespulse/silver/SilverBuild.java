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
import org.apache.spark.sql.Column;
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
import java.util.Set;

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
            SilverModel.clean(FactCampaignMember.TABLE, in -> FactCampaignMember.build(in.live(SourceObject.CAMPAIGN_MEMBER)))
                    .onePerRecordOf(SourceObject.CAMPAIGN_MEMBER),
            SilverModel.clean(FactLead.TABLE, in -> FactLead.build(in.live(SourceObject.LEAD), in.leadMembers(), in.acquisitions(),
                    in.hash())).onePerRecordOf(SourceObject.LEAD).reading(FactCampaignMember.TABLE),
            // channels from fact_lead (every live lead): the Lead staging is then only the reached leads' on most nights
            SilverModel.clean(DimCustomer.TABLE, DimCustomer::build).reading(FactLead.TABLE),
            SilverModel.of(FactOpportunity.TABLE, in -> FactOpportunity.build(in.live(SourceObject.OPPORTUNITY), in.rates(),
                    in.reportingCurrency())),
            SilverModel.of(FactOpportunityStage.TABLE, FactOpportunityStage::build),
            SilverModel.of(FactOrder.TABLE, in -> FactOrder.build(in.orders(), in.live(SourceObject.ORDER_ITEM),
                    in.ranked(SourceObject.ORDER).select("id"), in.rates(), in.reportingCurrency(), in.acquisitions())),
            SilverModel.clean(DimAnalyticsUser.TABLE, DimAnalyticsUser::build),
            SilverModel.of(FactActivityDaily.TABLE, FactActivityDaily::build).reading(DimAnalyticsUser.TABLE),
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
    /** Where each object's bronze rows went, as recorded with silver's state: read once, when an increment needs it. */
    private Map<String, long[]> recordedCounts;

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
            Map<String, long[]> counted = new LinkedHashMap<>();
            List<RecordsReached> reached = new ArrayList<>();
            OpportunityIncrement opps = opportunityIncrement(previous, inputs, fullSnapshots, counted, cached);
            if (opps != null) {
                reached.add(opps);
            }
            // the leads are reached by the customers' acquisitions too, computed from the staged orders below:
            // whether they can be an increment is told now, their records once the acquisitions are known
            Map<String, long[]> leadCounts = new LinkedHashMap<>();
            String leadsWhole = previous == null ? "" : whyWholeRecords(previous, inputs, LeadIncrement.TABLES, LeadIncrement.OBJECTS,
                    List.of(), fullSnapshots, leadCounts);
            List<Map.Entry<SourceObject, StagedObject>> stagedNow = Staging.MODELS.entrySet().stream()
                    .filter(e -> leadsWhole != null || !LeadIncrement.OBJECTS.contains(e.getKey())).toList();
            List<Staged> objects = new ArrayList<>(SideBySide.map(stagedNow, atOnce,
                    e -> opps != null && OpportunityIncrement.OBJECTS.contains(e.getKey())
                            ? stageReached(e.getKey(), opps, fullSnapshots, cached)
                            : stage(e.getKey(), e.getValue(), runDate, fullSnapshots, cached)));
            java.util.function.Consumer<Staged> add = o -> {
                quarantine.add(o.quarantined());
                ranked.put(o.object(), o.ranked());
                live.put(o.object(), o.ranked().where(col("_is_current").and(col("is_deleted").equalTo(false))).drop("_is_current"));
                reconciliation.add(o.reconciliation());
            };
            objects.forEach(add);
            // intermediate steps several models share
            Dataset<Row> rates = live.get(SourceObject.DATED_CONVERSION_RATE);
            Dataset<Row> everAccounts = ranked.get(SourceObject.ACCOUNT).select("id");
            // held: the quarantine, gathered at the end, would otherwise join and convert the orders again (Built.split)
            Built orders = FactOrder.orders(live.get(SourceObject.ORDER), live.get(SourceObject.ACCOUNT), everAccounts, rates, rc)
                    .held(f -> Frames.pin(f, cached));
            quarantine.add(orders.quarantined());
            Dataset<Row> conformedOrders = Frames.pin(orders.rows(), cached);
            Dataset<Row> acquisitions = Frames.pin(CustomerAcquisition.acquisitions(conformedOrders), cached);
            LeadIncrement leads = leadsWhole == null ? leadIncrement(previous, runDate, acquisitions, cached) : null;
            if (leadsWhole != null && previous != null) {
                progress.step(LAYER, "fact_lead, fact_campaign_member: computed from every lead (" + leadsWhole + ")");
            }
            if (leads != null) {
                reached.add(leads);
                counted.putAll(leadCounts);
            }
            if (leadsWhole == null) {
                // staged after the acquisitions, which reach leads: the reached records', or every row when they cannot be named
                for (SourceObject o : LeadIncrement.OBJECTS) {
                    Staged s = leads != null ? stageReached(o, leads, fullSnapshots, cached)
                            : stage(o, Staging.MODELS.get(o), runDate, fullSnapshots, cached);
                    objects.add(s);
                    add.accept(s);
                }
            }
            FactActivityDaily.Increment increment = activityIncrement(previous, inputs);
            if (increment != null) {
                progress.step("silver", "fact_activity_daily: adding the events landed after " + increment.appliedThrough());
            }
            SilverInputs in = new SilverInputs(runDate, live, ranked, bronze(SourceObject.SEGMENT_EVENTS, runDate), rates,
                    conformedOrders, acquisitions, leads == null ? null : leads.leads, rc,
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
                // a large table updated with the night's rows (the activity's increment) or for the records the night
                // reaches holds few new ones, so it runs compiled beside the small ones, started first as the longest
                // (they are compiled too while it runs: a little code generation each). Its replaced part rewrites
                // whole files of the table, faster compiled: fact_opportunity_stage's 254 k rows at scale 1 in 4.5 s
                // against 9.2 s interpreted, fact_lead's 270 k in 3.0 s against 7.7 s
                List<SilverModel> beside = wave.stream().filter(m -> large.get(m).isPresent()
                        && (updatedWithTheNight(m, increment) || reachedOf(reached, m.table()) != null)).toList();
                List<SilverModel> together = new ArrayList<>(beside);
                wave.stream().filter(m -> large.get(m).isEmpty()).forEach(together::add);
                List<Written> written = new ArrayList<>(SideBySide.map(together, atOnce, m -> large.get(m).isEmpty()
                        ? write(m, ready, rebuild, reached, cached) : writeCompiled(m, large.get(m).getAsLong(), ready, rebuild, reached,
                        increment, cached)));
                for (SilverModel m : wave) {
                    if (large.get(m).isPresent() && !beside.contains(m)) {
                        written.add(writeCompiled(m, large.get(m).getAsLong(), ready, rebuild, reached, increment, cached));
                    }
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
            String kept = increment == null ? null : "t.table_name = '" + SourceObject.SEGMENT_EVENTS.bronzeTable() + "'";
            for (RecordsReached r : reached) {
                kept = (kept == null ? "" : kept + " OR ") + r.quarantineKept();
            }
            String keptRows = kept;
            long quarantined = SparkSessions.compiledWhen(spark, large, () -> writeQuarantine(quarantine, cached, keptRows));
            List<Reconciliation> reconciled = SparkSessions.compiledWhen(spark, large, () -> collect(reconciliation, counted));
            Outcome outcome = new Outcome(counts, quarantined, reconciled, keyChecks, inputs, in.tables(), cached);
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
        return EVENT_TABLES.contains(m.table()) && increment == null;
    }

    /** The table is updated with the night's events instead of computed from all of them. */
    private static boolean updatedWithTheNight(SilverModel m, FactActivityDaily.Increment increment) {
        return EVENT_TABLES.contains(m.table()) && increment != null;
    }

    /** {@link #write} with code generation, for a table of {@code rows} rows (or events to compute it from). */
    private Written writeCompiled(SilverModel m, long rows, SilverInputs in, boolean rebuild, List<RecordsReached> reached,
                                  FactActivityDaily.Increment increment, List<Dataset<Row>> cached) {
        progress.step(LAYER, String.format("%s: %,d %s, built with code generation", m.table().name(), rows,
                fromAllEvents(m, increment) ? "events in bronze" : "rows stored"));
        return SparkSessions.compiledWhen(spark, true, () -> write(m, in, rebuild, reached, cached));
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

    /**
     * One object staged for the records the night's rows reach ({@link OpportunityIncrement}): their
     * every version ranked, the new rows that could not be typed, and how the night changed where
     * the object's bronze rows went (each reached version's state now, counted +1, and before the
     * night, counted -1; added to the counts recorded with silver's state by {@link #collect}).
     */
    private Staged stageReached(SourceObject object, RecordsReached reached, List<Row> fullSnapshots,
                                List<Dataset<Row>> cached) {
        Dataset<Row> versions = reached.versions(object).where(col("_error").isNull());
        Dataset<Row> full = deletingSnapshots(object, fullSnapshots);
        Dataset<Row> r = Frames.pin(CurrentState.rank(versions, full), cached);
        Dataset<Row> before = CurrentState.rank(versions.where(col("_snapshot_date").leq(lit(Date.valueOf(reached.appliedThrough)))), full);
        Dataset<Row> landed = reached.landed(object);
        Dataset<Row> change = reconcile(object, landed.where(col("_error").isNotNull()), r)
                .unionByName(reconcile(object, landed.limit(0), before).withColumn("_n", lit(-1L)));
        return new Staged(object, Built.quarantine(landed.where(col("_error").isNotNull()), object.bronzeTable(), col("_error")),
                r, change, false);
    }

    /**
     * The opportunities' tables computed for the records the rows landed since silver was last
     * computed reach ({@link OpportunityIncrement}), when that gives what a computation from all of
     * bronze gives: null (and why, in the progress) when they must be computed whole. Fills
     * {@code counted} with the counts recorded for the two objects, which the night's change adds to.
     */
    private OpportunityIncrement opportunityIncrement(BuildState previous, BuildState now, List<Row> fullSnapshots,
                                                      Map<String, long[]> counted, List<Dataset<Row>> pinned) {
        if (previous == null) {
            return null;
        }
        Map<String, long[]> recorded = new LinkedHashMap<>();
        String whole = whyWholeRecords(previous, now, OpportunityIncrement.TABLES, OpportunityIncrement.OBJECTS,
                List.of(SourceObject.DATED_CONVERSION_RATE), fullSnapshots, recorded);
        OpportunityIncrement reached = null;
        String rated = "";
        if (whole == null) {
            try {
                // new exchange rates convert some stored amounts differently: those records are reached too
                // most nights land an empty rates snapshot: its commit adds no row, and nothing is staged for it
                boolean ratesLanded = changedFolders(previous, now, SourceObject.DATED_CONVERSION_RATE).map(v -> !v.isEmpty()).orElse(true);
                Map<String, LocalDate> newRates = ratesLanded ? changedRates(previous.runDate(), now.runDate(), fullSnapshots) : Map.of();
                Set<String> opps = new java.util.TreeSet<>();
                Set<String> history = new java.util.TreeSet<>();
                if (!newRates.isEmpty()) {
                    opps.addAll(idsConverted(FactOpportunity.TABLE, "opportunity_id", newRates));
                    opps.addAll(idsConverted(FactOpportunityStage.TABLE, "opportunity_id", newRates));
                    opps.addAll(quarantined(FactOpportunity.TABLE));
                    history.addAll(quarantined(FactOpportunityStage.TABLE));
                    rated = " (with the amounts new rates convert: " + newRates.entrySet().stream()
                            .map(e -> e.getKey() + " from " + e.getValue()).collect(java.util.stream.Collectors.joining(", ")) + ")";
                }
                reached = OpportunityIncrement.reach(previous.runDate(), bronze(SourceObject.OPPORTUNITY, now.runDate()),
                        bronze(SourceObject.OPPORTUNITY_HISTORY, now.runDate()), opps, history, pinned);
            } catch (IllegalStateException e) {
                whole = e.getMessage();
            }
        }
        if (whole != null) {
            progress.step(LAYER, "fact_opportunity, fact_opportunity_stage: computed from every opportunity (" + whole + ")");
            return null;
        }
        counted.putAll(recorded);
        progress.step(LAYER, String.format("fact_opportunity, fact_opportunity_stage: the %,d opportunities and %,d history rows"
                + " the rows landed after %s reach%s", reached.opportunities.size(), reached.history.size(), reached.appliedThrough, rated));
        return reached;
    }

    /**
     * Why tables computed for the records a night reaches ({@link RecordsReached}) must be computed
     * from all of bronze instead, or null when they need not: {@link #whyWhole} for the tables and
     * the objects they read ({@code objects}, whose rows are counted, and {@code alsoRead}), a full
     * snapshot of one of those landed since (it deletes records by their absence), or no counts of
     * the objects recorded with silver's state. Fills {@code counted} with those counts.
     */
    private String whyWholeRecords(BuildState previous, BuildState now, List<TableSpec> tables, List<SourceObject> objects,
                                   List<SourceObject> alsoRead, List<Row> fullSnapshots, Map<String, long[]> counted) {
        List<SourceObject> read = new ArrayList<>(objects);
        read.addAll(alsoRead);
        String whole = whyWhole(previous, now, tables, read);
        if (whole != null) {
            return whole;
        }
        for (SourceObject o : read) {
            for (Row full : fullSnapshots) {
                if (full.getString(0).equals(o.bronzeTable()) && full.getDate(1).toLocalDate().isAfter(previous.runDate())) {
                    return "a full snapshot of " + o.bronzeTable() + " landed";
                }
            }
        }
        if (recordedCounts == null) {
            recordedCounts = BuildState.readCounts(writer, OpsTables.SILVER_STATE);
        }
        for (SourceObject o : objects) {
            long[] c = recordedCounts.get(BronzeIngest.LAYER + "." + o.bronzeTable());
            if (c == null) {
                return "no counts of " + o.bronzeTable() + " recorded with silver's state";
            }
            counted.put(o.bronzeTable(), c);
        }
        return null;
    }

    /**
     * The leads' tables computed for the records the rows landed since silver was last computed
     * reach ({@link LeadIncrement}), with the leads whose conversion outcome the run's acquisitions
     * move; null (and why, in the progress) when they are too many to name.
     */
    private LeadIncrement leadIncrement(BuildState previous, LocalDate runDate, Dataset<Row> acquisitions,
                                        List<Dataset<Row>> pinned) {
        spark.sparkContext().setJobDescription("silver " + runDate + ": leads reached");
        try {
            Set<String> acquired = RecordsReached.strings(FactLead.outcomeMoved(writer.read(LAYER, FactLead.TABLE.name()), acquisitions));
            RecordsReached.tooMany(acquired.size(), "leads whose customer's acquisition moved");
            LeadIncrement leads = LeadIncrement.reach(previous.runDate(), bronze(SourceObject.LEAD, runDate),
                    bronze(SourceObject.CAMPAIGN_MEMBER, runDate), acquired, pinned);
            progress.step(LAYER, String.format("fact_lead, fact_campaign_member: the %,d leads and %,d campaign members the rows"
                    + " landed after %s reach (%,d by their customer's acquisition)", leads.leads.size(), leads.members.size(),
                    leads.appliedThrough, leads.byAcquisition));
            return leads;
        } catch (IllegalStateException e) {
            progress.step(LAYER, "fact_lead, fact_campaign_member: computed from every lead (" + e.getMessage() + ")");
            return null;
        }
    }

    /**
     * The currencies whose live exchange rates differ between silver's last date and the run date,
     * each with the earliest date a changed rate was valid from (a rate added, changed or gone: an
     * amount dated from then on may convert differently); empty when none changed. The rates are few:
     * staged whole, compared on the driver.
     */
    private Map<String, LocalDate> changedRates(LocalDate before, LocalDate now, List<Row> fullSnapshots) {
        SourceObject object = SourceObject.DATED_CONVERSION_RATE;
        Dataset<Row> staged = Staging.stage(bronze(object, now), Staging.MODELS.get(object)).where(col("_error").isNull());
        Dataset<Row> full = deletingSnapshots(object, fullSnapshots);
        java.util.function.Function<Dataset<Row>, Set<List<Object>>> rates = versions -> {
            Set<List<Object>> out = new java.util.HashSet<>();
            for (Row r : CurrentState.live(versions, full).select("iso_code", "conversion_rate", "start_date", "next_start_date")
                    .collectAsList()) {
                out.add(java.util.Arrays.asList(r.get(0), r.get(1), r.get(2), r.get(3)));
            }
            return out;
        };
        Set<List<Object>> was = rates.apply(staged.where(col("_snapshot_date").leq(lit(Date.valueOf(before)))));
        Set<List<Object>> is = rates.apply(staged);
        Set<List<Object>> changed = new java.util.HashSet<>(was);
        changed.addAll(is);
        Set<List<Object>> kept = new java.util.HashSet<>(was);
        kept.retainAll(is);
        changed.removeAll(kept);
        Map<String, LocalDate> from = new java.util.TreeMap<>();
        for (List<Object> rate : changed) {
            from.merge(String.valueOf(rate.get(0)), ((Date) rate.get(2)).toLocalDate(), (a, b) -> a.isBefore(b) ? a : b);
        }
        return from;
    }

    /**
     * The {@code column} values of the stored rows of {@code table} (as silver last computed it) in a
     * currency and dated on or after the date {@code newRates} gives it, by {@code close_date}.
     */
    private Set<String> idsConverted(TableSpec table, String column, Map<String, LocalDate> newRates) {
        String predicate = newRates.entrySet().stream()
                .map(e -> "(currency = " + FactActivityDaily.sqlString(e.getKey()) + " AND close_date >= DATE'" + e.getValue() + "')")
                .collect(java.util.stream.Collectors.joining(" OR "));
        return RecordsReached.strings(writer.read(LAYER, table.name())
                .where(org.apache.spark.sql.functions.expr(predicate)).select(column));
    }

    /** Ids of the records of {@code table} in silver's quarantine (an amount without a rate: a new rate may convert it). */
    private Set<String> quarantined(TableSpec table) {
        if (!writer.exists(OpsTables.LAYER, OpsTables.QUARANTINE)) {
            return Set.of();
        }
        return RecordsReached.strings(writer.read(OpsTables.LAYER, OpsTables.QUARANTINE)
                .where(col("layer").equalTo(LAYER).and(col("table_name").equalTo(table.name()))).select("record_id"));
    }

    /**
     * Why silver tables that can take only the rows landed since silver was last computed must be
     * computed from all of bronze instead, or null when they need not: the settings or the date
     * went back, one of the {@code tables} was written since (a compaction does not count), bronze of
     * the {@code added} objects changed in a folder silver had already read (a forget, a re-landed or
     * late old folder). Read from the logs (no Spark job).
     */
    private String whyWhole(BuildState previous, BuildState now, List<TableSpec> tables, List<SourceObject> added) {
        if (!previous.settings().equals(now.settings())) {
            return "the settings changed";
        }
        if (now.runDate().isBefore(previous.runDate())) {
            return "silver was computed as of a later date";
        }
        for (TableSpec t : tables) {
            String fact = LAYER + "." + t.name();
            long stored = previous.versions().getOrDefault(fact, -1L);
            if (stored < 0 || now.versions().get(fact) < stored
                    || writer.rowsChanged(LAYER, t.name(), stored + 1, now.versions().get(fact))) {
                // the weekly maintain's compaction rewrites the table's files, not its rows: an increment still applies
                return fact + " was written since silver was last computed";
            }
        }
        for (SourceObject o : added) {
            String name = BronzeIngest.LAYER + "." + o.bronzeTable();
            long before = previous.versions().getOrDefault(name, -1L);
            long after = now.versions().getOrDefault(name, -1L);
            if (before < 0 || after < before) {
                return name + " is not the table silver was computed from";
            }
            java.util.Optional<Set<String>> landed = changedFolders(previous, now, o);
            if (landed.isEmpty()) {
                return "the folders " + name + " changed since then cannot be told from its commits";
            }
            if (landed.get().stream().anyMatch(d -> !LocalDate.parse(d).isAfter(previous.runDate()))) {
                return name + " changed in folders on or before " + previous.runDate();
            }
        }
        return null;
    }

    /**
     * The snapshot dates whose rows {@code object}'s bronze table changed between the versions silver
     * was last computed from and now ({@link TableWriter#changedValues}; none when the version is the
     * same); empty when its commits cannot tell.
     */
    private java.util.Optional<Set<String>> changedFolders(BuildState previous, BuildState now, SourceObject object) {
        String name = BronzeIngest.LAYER + "." + object.bronzeTable();
        long before = previous.versions().getOrDefault(name, -1L);
        long after = now.versions().getOrDefault(name, -1L);
        return before == after ? java.util.Optional.of(Set.of())
                : writer.changedValues(BronzeIngest.LAYER, object.bronzeTable(), "_snapshot_date", before + 1, after);
    }

    /** The records reached this run whose rows of {@code table} it computes, or null when it computes the table whole. */
    private static RecordsReached reachedOf(List<RecordsReached> reached, TableSpec table) {
        return reached.stream().filter(r -> r.tables().contains(table)).findFirst().orElse(null);
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
    private Written write(SilverModel m, SilverInputs in, boolean rebuild, List<RecordsReached> reached, List<Dataset<Row>> cached) {
        TableSpec t = m.table();
        spark.sparkContext().setJobDescription("write silver." + t.name());
        // a split build's frame held: its quarantine, gathered after every table, is then a filter of it
        Built built = m.build().apply(in).held(f -> Frames.pin(f, cached));
        RecordsReached records = reachedOf(reached, t);
        if (records != null) {
            // built from the reached records' rows only: those are the part of the table it replaces
            built = built.replacing(records.replacement(t));
        }
        // computed once: counted, then written from the pinned rows, and read from them by the models after it
        Dataset<Row> rows = Frames.pin(TableWriter.conform(built.rows(), t.schema()), cached);
        QualityChecks.Profile profile = QualityChecks.keys(LAYER, t, rows);
        long stored = profile.rows();
        if (built.partial()) {
            // the part of the stored table the build recomputed replaces that part, in one commit; the
            // models after it read the table whole
            // a part that now holds no row still replaces the rows stored for it (its records deleted)
            if (profile.rows() > 0 || !built.replacing().predicate().equals("false")) {
                progress.step(LAYER, t.name() + ": replacing " + built.replacing().description());
                // the replace copies each touched file's other rows to a new file and adds these as they
                // are split (a small table's replace writes both into as many files as it touched): a
                // night's few in one file, not one per partition (the table's files add up until the
                // weekly maintain compacts them)
                int files = (int) Math.min(rows.rdd().getNumPartitions(), 1 + profile.rows() / ROWS_PER_REPLACING_FILE);
                writer.replaceWhere(LAYER, t.name(), rows.coalesce(files), built.replacing().predicate());
            }
            rows = writer.read(LAYER, t.name());
            stored = writer.storedRows(LAYER, t.name());
        } else {
            // a table computed in many partitions (the activity from all events) is pinned as computed, a
            // small block per part, and written by as many tasks as the session runs at once: gathered
            // before the pin, each task's block held half the table, unrolled in memory beside the
            // aggregation computing it, which then ran out of a 2 GB heap at scale 1
            int cores = spark.sparkContext().defaultParallelism();
            writer.publish(LAYER, t, rows.rdd().getNumPartitions() > cores ? rows.coalesce(cores) : rows, rebuild, null);
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
            // with where each Salesforce object's rows went: a night that stages only the records its rows reach adds to them
            Map<String, long[]> counts = new LinkedHashMap<>();
            for (SourceObject o : Staging.MODELS.keySet()) {
                counts.put(BronzeIngest.LAYER + "." + o.bronzeTable(), new long[BuildState.COUNTS.size()]);
            }
            for (Reconciliation r : outcome.reconciliation()) {
                counts.put(BronzeIngest.LAYER + "." + r.tableName(),
                        new long[]{r.rowsIn(), r.quarantined(), r.superseded(), r.deleted(), r.current()});
            }
            new BuildState(versions(), outcome.inputs().runDate(), outcome.inputs().settings())
                    .record(writer, OpsTables.SILVER_STATE, "What silver was last computed from", OpsTables.silverState(), counts);
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

    /** The tables computed from the Segment events, updated with the night's events together or computed whole together. */
    static final List<TableSpec> EVENT_TABLES = List.of(FactActivityDaily.TABLE, DimAnalyticsUser.TABLE);

    /**
     * The {@link #EVENT_TABLES} can take just the events landed since silver was last computed when
     * they hold the rows that computation left (no run or hand fix wrote them since; the weekly
     * maintain's compaction rewrites their files, not their rows), the settings and
     * the date have not gone back, and bronze gained events only in folders after that date
     * (checked in the events table's commits: a forget, a re-landed old folder or a late folder
     * for an old date means computing them again from all events). Null otherwise.
     */
    private FactActivityDaily.Increment activityIncrement(BuildState previous, BuildState now) {
        if (previous == null) {
            return null; // computed for the first time (or rebuilt): nothing to update
        }
        String whole = whyWhole(previous, now, EVENT_TABLES, List.of(SourceObject.SEGMENT_EVENTS));
        if (whole != null) {
            progress.step(LAYER, "fact_activity_daily, dim_analytics_user: computed from all events (" + whole + ")");
            return null;
        }
        // the dimension as stored before this run writes it: the activity's update compares it with the new one
        String users = DimAnalyticsUser.TABLE.name();
        return new FactActivityDaily.Increment(previous.runDate(), writer.read(LAYER, FactActivityDaily.TABLE.name()),
                writer.read(LAYER, users, now.versions().get(LAYER + "." + users)));
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
        return errors.unionByName(versions).select(lit(object.bronzeTable()).as("table_name"), col("_state"), lit(1L).as("_n"));
    }

    /**
     * One job for all objects' counts, over every object's rows gathered (one task per core, not per
     * part). A row counts {@code _n}: -1 takes back a state a version had before the night, for an
     * object whose counts are {@code base} (bronze table → counts recorded with silver's state) plus
     * the night's change.
     */
    private static List<Reconciliation> collect(List<Dataset<Row>> parts, Map<String, long[]> base) {
        Column n = col("_n");
        Dataset<Row> all = Frames.gathered(parts).groupBy(col("table_name"))
                .agg(sum(n).as("rows_in"),
                        sum(when(col("_state").equalTo("quarantined"), n).otherwise(0L)).as("quarantined"),
                        sum(when(col("_state").equalTo("superseded"), n).otherwise(0L)).as("superseded"),
                        sum(when(col("_state").equalTo("deleted"), n).otherwise(0L)).as("deleted"),
                        sum(when(col("_state").equalTo("current"), n).otherwise(0L)).as("current"));
        Map<String, long[]> counts = new LinkedHashMap<>();
        base.forEach((table, c) -> counts.put(table, c.clone()));
        for (Row r : all.collectAsList()) {
            long[] c = counts.computeIfAbsent(r.getString(0), k -> new long[5]);
            for (int i = 0; i < c.length; i++) {
                c[i] += r.getLong(1 + i);
            }
        }
        List<Reconciliation> out = new ArrayList<>();
        // an object without a row in bronze is not listed (its counts recorded as zeros for the next night)
        counts.forEach((table, c) -> {
            if (c[0] != 0) {
                out.add(new Reconciliation(table, c[0], c[1], c[2], c[3], c[4]));
            }
        });
        // a row per object, sorted here: a distributed sort would scan every part once more to sample it
        out.sort(java.util.Comparator.comparing(Reconciliation::tableName));
        return out;
    }

    /**
     * Replaces the silver part of ops.quarantine; rows already there keep their first run id. The
     * rows matching {@code kept} (a condition on alias {@code t}; null for none) stay as they are and
     * are only added to: those of the events when they were only added to, and those of records a
     * night did not reach, which were not computed again.
     *
     * @return the silver rows in quarantine
     */
    private long writeQuarantine(List<Dataset<Row>> parts, List<Dataset<Row>> cached, String kept) {
        Dataset<Row> all = Frames.gathered(parts);
        // the time as a literal taken once: the pinned rows are then what the MERGE reads, not a plan
        // it would recompute from every model's intermediate frames
        Dataset<Row> rows = Frames.pin(all.select(lit(writer.runId()).as("run_id"), lit(LAYER).as("layer"), col("table_name"),
                col("record_id"), col("source_file"), col("snapshot_date"), col("reason"),
                lit(java.sql.Timestamp.from(java.time.Instant.now())).as("quarantined_at")).distinct(), cached);
        writer.sync(OpsTables.LAYER, OpsTables.QUARANTINE, "Rows that could not be loaded or conformed, with the reason",
                OpsTables.quarantine(), List.of("layer", "table_name", "record_id", "source_file", "snapshot_date", "reason"),
                rows, kept != null ? "t.layer = 'silver' AND NOT (" + kept + ")" : "t.layer = 'silver'",
                List.of("run_id", "quarantined_at"));
        return kept != null ? writer.read(OpsTables.LAYER, OpsTables.QUARANTINE).where(col("layer").equalTo(LAYER)).count()
                : rows.count();
    }

}
