package io.salespulse.gold;

import io.salespulse.common.Frames;
import io.salespulse.common.BuildState;
import io.salespulse.common.Progress;
import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.SideBySide;
import io.salespulse.common.SparkSessions;
import io.salespulse.common.TableWriter;
import io.salespulse.common.OpsTables;
import io.salespulse.silver.Dimensions;
import io.salespulse.silver.DimCustomer;
import io.salespulse.silver.FactActivityDaily;
import io.salespulse.silver.FactCampaignMember;
import io.salespulse.silver.FactLead;
import io.salespulse.silver.FactOpportunity;
import io.salespulse.silver.FactOpportunityStage;
import io.salespulse.silver.FactOrder;
import io.salespulse.silver.SilverBuild;
import io.salespulse.common.TableSpec;
import io.salespulse.quality.CheckResult;
import io.salespulse.quality.QualityChecks;
import io.salespulse.gate.QualityGate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;

/**
 * Silver → gold for a run date. KPI rows are computed from silver as of D for the dates that need
 * it: every date on the first build, after a rebuild or a settings change; otherwise the new dates
 * and the past dates that silver's changes since the last build reach ({@link AffectedDates}:
 * late data and corrections reach the past rows and rolling windows they affect, and no others).
 * Cohorts, campaigns and alerts are small and computed whole. Each table is synced (written only
 * when its rows changed; a large dated table's recomputed dates with one MERGE scoped to them, a
 * small one whole); {@code rebuild} overwrites instead.
 */
public final class GoldBuild {

    public static final String LAYER = "gold";

    /**
     * Every gold table, in build order: a model may read the gold tables it names, listed before it
     * (alerts read the KPI tables); the models that read no other are computed side by side. All are
     * computed and held before any is written, and then written side by side.
     * Adding a gold table is one class (its TableSpec and build) and one line here.
     */
    public static final List<GoldModel> MODELS = List.of(
            GoldModel.perDate(KpiDaily.TABLE, KpiDaily::build),
            GoldModel.whole(CohortClv.TABLE, CohortClv::build),
            GoldModel.perDate(RepDaily.TABLE, RepDaily::build),
            GoldModel.whole(CampaignKpis.TABLE, CampaignKpis::build),
            GoldModel.whole(Alerts.TABLE, Alerts::build).reading(KpiDaily.TABLE, RepDaily.TABLE, CampaignKpis.TABLE));

    public static final List<TableSpec> TABLES = MODELS.stream().map(GoldModel::table).toList();

    /** The silver tables gold reads. */
    public static final List<TableSpec> SILVER_INPUTS = List.of(FactLead.TABLE, FactOpportunity.TABLE,
            FactOpportunityStage.TABLE, FactOrder.TABLE, FactActivityDaily.TABLE, DimCustomer.TABLE, Dimensions.SALES_REP,
            Dimensions.CAMPAIGN, FactCampaignMember.TABLE);

    private final SparkSession spark;
    private final TableWriter writer;
    private final SalespulseConfig config;
    private final Progress progress;

    public GoldBuild(TableWriter writer, SalespulseConfig config, Progress progress) {
        this.spark = writer.spark();
        this.writer = writer;
        this.config = config;
        this.progress = progress;
    }

    /** @return the run date's kpi_daily row (null before any KPI date) */
    public Row execute(LocalDate runDate, boolean rebuild, QualityGate gate) {
        spark.sparkContext().setJobDescription("gold " + runDate);
        List<AlertRule> rules = alertRules(config);
        LocalDate first = firstKpiDate(runDate);
        String settings = settings(first, rules, config);
        AffectedDates affected = new AffectedDates(writer);
        AffectedDates.Plan plan = affected.plan(first, runDate, settings, rebuild);
        if (plan.unchanged()) {
            // a rerun, a cleared task: the tables would come out as they are, so nothing is computed or committed
            progress.step("gold", "unchanged: silver, the date and the settings are those gold was computed from");
            List<Row> today = TableWriter.conform(writer.read(LAYER, KpiDaily.TABLE.name()), KpiDaily.TABLE.schema())
                    .where(col("kpi_date").equalTo(lit(Date.valueOf(runDate)))).collectAsList();
            return today.isEmpty() ? null : today.get(0);
        }
        boolean everyDate = plan.everyDate();
        java.util.SortedSet<LocalDate> recomputed = everyDate ? null : plan.dates();
        // the first date computed; the day after the run date when none is
        LocalDate from = everyDate ? first : recomputed.isEmpty() ? runDate.plusDays(1) : recomputed.first();
        progress.step("gold", everyDate ? "computing every KPI date from " + first + " (" + plan.reason() + ")"
                : recomputed.isEmpty() ? "no KPI date to recompute (" + plan.reason() + ")"
                : "recomputing " + recomputed.size() + " KPI dates, " + from + " … " + recomputed.last()
                + " (" + plan.reason() + ")");
        Dataset<Row> dates = everyDate
                ? spark.range(1).select(explode(sequence(lit(Date.valueOf(first)), lit(Date.valueOf(runDate)))).as("kpi_date"))
                : kpiDates(recomputed);
        // pinned from several threads while the KPI tables are computed side by side
        List<Dataset<Row>> cached = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            GoldInputs in = new GoldInputs(dates, from, runDate, silverInputs(cached), config.closedStages(), rules,
                    everyDate ? null : engagement(recomputed, plan.activityDates(), runDate));
            // compute and count every table first: the quality gate sees them all before any is written
            Map<TableSpec, Dataset<Row>> computed = new LinkedHashMap<>();
            Map<TableSpec, Long> counts = new LinkedHashMap<>();
            List<CheckResult> keyChecks = new ArrayList<>();
            GoldInputs inputs = in;
            in = SparkSessions.compiledWhen(spark, large(), () -> compute(inputs, everyDate, recomputed, cached, computed, counts, keyChecks));
            GoldInputs finished = in;
            long wholeMaxRows = config.getLong(SalespulseConfig.GOLD_WHOLE_MAX_ROWS);
            gate.beforeGold(keyChecks, totals(computed.get(KpiDaily.TABLE), in));
            // every table is computed and held: each write is its own commit, so they go side by side
            // (a write is mostly the driver's Delta work, the cores free meanwhile); the record of what
            // gold was computed from comes only after all of them
            SideBySide.map(MODELS, (int) config.getLong(SalespulseConfig.STEPS_AT_ONCE), m -> {
                TableSpec t = m.table();
                spark.sparkContext().setJobDescription("write gold." + t.name());
                if (rebuild || !m.dated() || everyDate) {
                    writer.publish(LAYER, t, computed.get(t), rebuild, null);
                } else if (!recomputed.isEmpty()) {
                    if (writer.storedRows(LAYER, t.name()) + counts.get(t) <= wholeMaxRows) {
                        // a small table is written whole, its kept dates with the recomputed ones (held for the
                        // alerts already): one write, where the MERGE scoped to the dates planned and ran three
                        // jobs (kpi_rep_daily, a row per rep and day, holds 15,330 rows after a year at scale 1)
                        writer.publish(LAYER, t, finished.table(t), false, null);
                    } else {
                        // only the recomputed dates belong to this sync; the other rows stay as they are
                        writer.publish(LAYER, t, computed.get(t), false, "t.kpi_date IN (" + dateList(recomputed) + ")");
                    }
                }
                progress.table(LAYER, t.name(), counts.get(t));
                return t;
            });
            affected.record(plan, runDate, settings);
            List<Row> today = in.table(KpiDaily.TABLE).where(col("kpi_date").equalTo(lit(Date.valueOf(runDate)))).collectAsList();
            return today.isEmpty() ? null : today.get(0);
        } finally {
            Frames.unpersistAll(cached);
        }
    }

    /**
     * The engagement KPIs of an incremental run, when the activity's changes reach fewer of the
     * recomputed dates than the other silver tables' do: computed for those, read from kpi_daily as
     * stored for the others (a few hundred rows at most, held on the driver). Null, and computed for
     * every recomputed date, when they all need it or a stored row is missing.
     */
    private GoldInputs.Engagement engagement(java.util.SortedSet<LocalDate> recomputed, java.util.SortedSet<LocalDate> activity,
                                             LocalDate runDate) {
        if (activity.size() == recomputed.size()) {
            return null;
        }
        java.util.SortedSet<LocalDate> keptDates = new java.util.TreeSet<>(recomputed);
        keptDates.removeAll(activity);
        List<String> columns = new ArrayList<>(List.of("kpi_date"));
        columns.addAll(RevenueKpis.ENGAGEMENT);
        Dataset<Row> stored = TableWriter.conform(writer.read(LAYER, KpiDaily.TABLE.name()), KpiDaily.TABLE.schema())
                .where(functions.expr("kpi_date IN (" + dateList(keptDates) + ")"))
                .select(columns.stream().map(functions::col).toArray(org.apache.spark.sql.Column[]::new));
        List<Row> kept = stored.collectAsList();
        if (kept.size() != keptDates.size()) {
            progress.step(LAYER, "engagement KPIs computed for every recomputed date (" + kept.size() + " of "
                    + keptDates.size() + " stored rows found)");
            return null;
        }
        progress.step(LAYER, "engagement KPIs (from " + FactActivityDaily.TABLE.name() + ") recomputed for " + activity.size()
                + " of those dates, kept as stored for the other " + keptDates.size());
        return new GoldInputs.Engagement(
                kpiDates(activity),
                activity.isEmpty() ? runDate.plusDays(1) : activity.first(),
                spark.createDataFrame(kept, stored.schema()));
    }

    /**
     * The silver tables gold reads. One smaller than {@code run.compile_min_rows} is read once and
     * held for the run: the models read each table several times, and every read of a stored table
     * plans a Delta scan and lists its files with a Spark job of its own (~20 of gold's ~130 jobs
     * at scale 0.01). A large one (the activity table past a small company's first months) stays a
     * scan, so that the models' date filters skip its files and its rows are not held beside gold's
     * aggregations.
     */
    private Map<TableSpec, Dataset<Row>> silverInputs(List<Dataset<Row>> cached) {
        long large = config.getLong(SalespulseConfig.COMPILE_MIN_ROWS);
        Map<TableSpec, Dataset<Row>> silver = new LinkedHashMap<>();
        for (TableSpec t : SILVER_INPUTS) {
            Dataset<Row> stored = writer.read(SilverBuild.LAYER, t.name());
            silver.put(t, writer.storedRows(SilverBuild.LAYER, t.name()) < large ? Frames.pin(stored, cached) : stored);
        }
        return silver;
    }

    /**
     * Computes and counts every KPI table (cached for the writes), in waves: the models whose gold
     * inputs are computed go side by side ({@code run.steps_at_once}), then those that read them.
     *
     * @return the inputs with every gold table as it will be after the run, for the gate's totals
     */
    private GoldInputs compute(GoldInputs in, boolean everyDate, java.util.SortedSet<LocalDate> recomputed,
                               List<Dataset<Row>> cached, Map<TableSpec, Dataset<Row>> computed, Map<TableSpec, Long> counts,
                               List<CheckResult> keyChecks) {
        int atOnce = (int) config.getLong(SalespulseConfig.STEPS_AT_ONCE);
        List<GoldModel> left = new ArrayList<>(MODELS);
        while (!left.isEmpty()) {
            GoldInputs ready = in;
            List<GoldModel> wave = SideBySide.nextWave(left, m -> m.goldRead().stream().allMatch(ready::has));
            List<Computed> done = SideBySide.map(wave, atOnce, m -> compute(m, ready, everyDate, recomputed, cached));
            for (Computed c : done) {
                TableSpec t = c.model().table();
                counts.put(t, c.profile().rows());
                keyChecks.addAll(c.profile().checks());
                computed.put(t, c.rows());
                in = in.with(t, c.after());
            }
            left.removeAll(wave);
        }
        return in;
    }

    /**
     * One KPI table computed and counted.
     *
     * @param after the table as the models after it read it: with the dates this run keeps as they are
     */
    private record Computed(GoldModel model, Dataset<Row> rows, Dataset<Row> after, QualityChecks.Profile profile) {
    }

    private Computed compute(GoldModel m, GoldInputs in, boolean everyDate, java.util.SortedSet<LocalDate> recomputed,
                             List<Dataset<Row>> cached) {
        TableSpec t = m.table();
        spark.sparkContext().setJobDescription("compute gold." + t.name());
        Dataset<Row> rows = Frames.pin(TableWriter.conform(m.build().apply(in), t.schema()), cached);
        QualityChecks.Profile profile = QualityChecks.keys(LAYER, t, rows);
        Dataset<Row> after = rows;
        if (m.dated() && !everyDate) {
            after = Frames.pin(kept(t, recomputed).unionByName(rows), cached);
        }
        return new Computed(m, rows, after, profile);
    }

    /**
     * Whether the KPIs are computed with Spark's code generation: in local mode, when the activity
     * rows (by far gold's largest input) are at least {@code run.gold_compile_min_rows}. Counted from
     * the table's log, and only where the session could compile.
     */
    private boolean large() {
        OptionalLong activity = SparkSessions.rowsToCompile(writer, SilverBuild.LAYER, FactActivityDaily.TABLE.name(),
                config.getLong(SalespulseConfig.GOLD_COMPILE_MIN_ROWS));
        activity.ifPresent(n -> progress.step(LAYER, String.format("%s: %,d rows stored, KPIs computed with code generation",
                FactActivityDaily.TABLE.name(), n)));
        return activity.isPresent();
    }

    /** Rows of a dated gold table outside the recomputed dates: the dates this run keeps as they are. */
    private Dataset<Row> kept(TableSpec t, java.util.SortedSet<LocalDate> recomputed) {
        Dataset<Row> rows = writer.read(LAYER, t.name());
        if (!recomputed.isEmpty()) {
            rows = rows.where(functions.expr("kpi_date IN (" + dateList(recomputed) + ")").equalTo(false));
        }
        return TableWriter.conform(rows, t.schema());
    }

    /** One row per date, {@code kpi_date}: the spine of the dates a run computes. */
    private Dataset<Row> kpiDates(java.util.SortedSet<LocalDate> dates) {
        return spark.createDataFrame(dates.stream().map(d -> RowFactory.create(Date.valueOf(d))).toList(),
                new StructType().add("kpi_date", DataTypes.DateType));
    }

    private static String dateList(java.util.SortedSet<LocalDate> dates) {
        return dates.stream().map(d -> "DATE'" + d + "'").collect(java.util.stream.Collectors.joining(", "));
    }

    /**
     * What the KPI values depend on besides silver: the first KPI date, the gold tables' columns (a
     * new KPI column is computed for every date), the closed stages (open pipeline) and the alert
     * rules. A change recomputes every date.
     */
    private static String settings(LocalDate first, List<AlertRule> rules, SalespulseConfig config) {
        return "first_kpi_date=" + first + "; gold columns #" + BuildState.columnsDigest(TABLES)
                + "; closed stages #" + BuildState.digest(config.closedStages())
                + "; alert rules #" + BuildState.digest(rules);
    }

    /**
     * The configured alert rules, checked against the KPI tables' columns: a bad rule is an
     * {@link IllegalArgumentException} naming it, raised before a run writes anything.
     */
    public static List<AlertRule> alertRules(SalespulseConfig config) {
        List<AlertRule> rules = AlertRule.parse(config.get(SalespulseConfig.ALERT_RULES));
        AlertRule.validate(rules, Map.of(AlertRule.Grain.COMPANY, KpiDaily.TABLE, AlertRule.Grain.REP, RepDaily.TABLE,
                AlertRule.Grain.CAMPAIGN, CampaignKpis.TABLE));
        return rules;
    }

    /** Daily lead and win counts summed over the KPI dates must equal the silver rows in those dates. */
    private static List<CheckResult> totals(Dataset<Row> daily, GoldInputs in) {
        Row g = daily.agg(sum("leads_created"), sum("won")).first();
        Dataset<Row> dates = in.dates();
        Dataset<Row> leadRows = in.table(FactLead.TABLE);
        long leads = leadRows.join(dates, leadRows.col("created_date").equalTo(dates.col("kpi_date")), "left_semi").count();
        Dataset<Row> won = in.table(FactOpportunity.TABLE).where(col("is_closed").and(col("is_won")));
        long wonCount = won.join(dates, won.col("close_date").equalTo(dates.col("kpi_date")), "left_semi").count();
        return List.of(
                QualityChecks.total(KpiDaily.TABLE.name(), "leads_created summed over dates", g.isNullAt(0) ? 0 : g.getLong(0), leads),
                QualityChecks.total(KpiDaily.TABLE.name(), "won summed over dates", g.isNullAt(1) ? 0 : g.getLong(1), wonCount));
    }

    /** kpi.start_date, else the first landed snapshot date, never after the run date. */
    private LocalDate firstKpiDate(LocalDate runDate) {
        String configured = config.get(SalespulseConfig.KPI_START_DATE);
        LocalDate first = runDate;
        if (configured != null && !configured.isBlank()) {
            first = LocalDate.parse(configured.trim());
        } else if (writer.exists(OpsTables.LAYER, OpsTables.SNAPSHOT_LEDGER)) {
            Row r = writer.read(OpsTables.LAYER, OpsTables.SNAPSHOT_LEDGER).where(col("status").equalTo("loaded"))
                    .agg(min("snapshot_date")).first();
            if (!r.isNullAt(0)) {
                first = r.getDate(0).toLocalDate();
            }
        }
        return first.isAfter(runDate) ? runDate : first;
    }
}
