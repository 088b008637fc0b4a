package io.salespulse.gold;

import io.salespulse.common.Progress;
import io.salespulse.common.SalespulseConfig;
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
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;

/**
 * Silver → gold for a run date. Every KPI row for every date ≤ D is computed from silver as of D
 * (so late data and corrections reach the past rows and rolling windows they affect) and each table
 * is synced with one MERGE that writes only the rows whose values changed: a daily run rewrites
 * exactly the dates its changes reach. {@code rebuild} overwrites instead.
 */
public final class GoldBuild {

    public static final String LAYER = "gold";

    public static final List<TableSpec> TABLES = List.of(KpiDaily.TABLE, CohortClv.TABLE, RepDaily.TABLE,
            CampaignKpis.TABLE, Alerts.TABLE);

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
        Dataset<Row> dates = spark.range(1)
                .select(explode(sequence(lit(Date.valueOf(first)), lit(Date.valueOf(runDate)))).as("kpi_date"));
        GoldInputs in = new GoldInputs(dates, runDate, silver(FactLead.TABLE), silver(FactOpportunity.TABLE),
                silver(FactOpportunityStage.TABLE), silver(FactOrder.TABLE), silver(FactActivityDaily.TABLE),
                silver(DimCustomer.TABLE), silver(Dimensions.SALES_REP), silver(Dimensions.CAMPAIGN),
                silver(FactCampaignMember.TABLE), config.closedStages());
        List<Dataset<Row>> cached = new ArrayList<>();
        try {
            Dataset<Row> daily = TableWriter.conform(KpiDaily.build(in), KpiDaily.TABLE.schema()).cache();
            Dataset<Row> reps = TableWriter.conform(RepDaily.build(in), RepDaily.TABLE.schema()).cache();
            Dataset<Row> campaigns = TableWriter.conform(CampaignKpis.build(in), CampaignKpis.TABLE.schema()).cache();
            cached.addAll(List.of(daily, reps, campaigns));
            Map<TableSpec, Dataset<Row>> out = new LinkedHashMap<>();
            out.put(KpiDaily.TABLE, daily);
            out.put(CohortClv.TABLE, CohortClv.build(in));
            out.put(RepDaily.TABLE, reps);
            out.put(CampaignKpis.TABLE, campaigns);
            // kpi_campaign holds the state as of the run date: its rules are judged on that date
            out.put(Alerts.TABLE, Alerts.evaluate(Map.of(AlertRule.Grain.COMPANY, daily, AlertRule.Grain.REP, reps,
                    AlertRule.Grain.CAMPAIGN, campaigns.withColumn("kpi_date", lit(Date.valueOf(runDate)))), rules));
            // compute and count every table first: the quality gate sees them all before any is written
            Map<TableSpec, Dataset<Row>> computed = new LinkedHashMap<>();
            Map<TableSpec, Long> counts = new LinkedHashMap<>();
            List<CheckResult> keyChecks = new ArrayList<>();
            for (Map.Entry<TableSpec, Dataset<Row>> e : out.entrySet()) {
                TableSpec t = e.getKey();
                spark.sparkContext().setJobDescription("compute gold." + t.name());
                Dataset<Row> rows = TableWriter.conform(e.getValue(), t.schema()).cache();
                cached.add(rows);
                QualityChecks.Profile profile = QualityChecks.keys(LAYER, t, rows);
                counts.put(t, profile.rows());
                keyChecks.addAll(profile.checks());
                computed.put(t, rows);
            }
            gate.beforeGold(keyChecks, totals(daily, in, first, runDate));
            for (Map.Entry<TableSpec, Dataset<Row>> e : computed.entrySet()) {
                TableSpec t = e.getKey();
                Dataset<Row> rows = e.getValue();
                spark.sparkContext().setJobDescription("write gold." + t.name());
                List<String> partitions = List.of(rows.columns()).contains("kpi_month") ? List.of("kpi_month") : List.of();
                if (rebuild) {
                    writer.overwrite(LAYER, t.name(), t.comment(), t.schema(), rows, partitions);
                } else {
                    writer.sync(LAYER, t.name(), t.comment(), t.schema(), t.key(), rows, null, List.of(), partitions);
                }
                progress.step("gold", String.format("%-58s %,9d rows", LAYER + "." + t.name(), counts.get(t)));
            }
            List<Row> today = daily.where(col("kpi_date").equalTo(lit(Date.valueOf(runDate)))).collectAsList();
            return today.isEmpty() ? null : today.get(0);
        } finally {
            cached.forEach(Dataset::unpersist);
        }
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
    private static List<CheckResult> totals(Dataset<Row> daily, GoldInputs in, LocalDate first, LocalDate runDate) {
        Row g = daily.agg(sum("leads_created"), sum("won")).first();
        Column inRange = col("created_date").between(lit(Date.valueOf(first)), lit(Date.valueOf(runDate)));
        long leads = in.leads().where(inRange).count();
        long won = in.opportunities().where(col("is_closed").and(col("is_won"))
                .and(col("close_date").between(lit(Date.valueOf(first)), lit(Date.valueOf(runDate))))).count();
        return List.of(
                QualityChecks.total(KpiDaily.TABLE.name(), "leads_created summed over dates", g.isNullAt(0) ? 0 : g.getLong(0), leads),
                QualityChecks.total(KpiDaily.TABLE.name(), "won summed over dates", g.isNullAt(1) ? 0 : g.getLong(1), won));
    }

    private Dataset<Row> silver(TableSpec t) {
        return writer.read(SilverBuild.LAYER, t.name());
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
