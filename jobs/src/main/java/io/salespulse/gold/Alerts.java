package io.salespulse.gold;

import io.salespulse.common.Frames;
import io.salespulse.common.TableSchema;
import io.salespulse.common.TableSpec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.dayofweek;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.unix_date;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * {@code gold.kpi_alerts}: every configured rule breached on a KPI date, one row per date, rule and
 * subject (the company, a rep or a campaign). Evaluated for every date, so a rebuild and the daily
 * runs agree; delivery and the scheduler read the run date's rows.
 */
public final class Alerts {

    /** subject_id of a company-wide alert (key columns are never null). */
    public static final String COMPANY = "company";

    public static final TableSpec TABLE = new TableSpec("kpi_alerts",
            "Threshold rules breached, one row per KPI date, rule and subject (company, rep or campaign)",
            TableSchema.of()
                    .col("kpi_date", DateType, "KPI date on which the rule was breached (kpi_campaign rules: the run date)")
                    .col("rule_id", StringType, "Rule id from configuration (alerts.rules)")
                    .col("grain", StringType, "company (kpi_daily), rep (kpi_rep_daily) or campaign (kpi_campaign)")
                    .col("subject_id", StringType, "'company', the rep's owner_id or the campaign_id")
                    .col("subject_name", StringType, "'company-wide', the rep's or the campaign's name")
                    .col("metric", StringType, "KPI column the rule watches")
                    .col("value", DoubleType, "The metric's value on kpi_date")
                    .col("threshold", DoubleType, "The threshold it crossed")
                    .col("baseline", DoubleType, "What the threshold is relative to: the 7-day trailing mean, or the median of the same weekday over the previous N weeks; null for an absolute threshold")
                    .col("deviation_mad", DoubleType, "Weekday rules: (value - baseline) / median absolute deviation; null when the MAD is 0 or for other rules")
                    .col("severity", StringType, "info, warning or critical")
                    .col("rule", StringType, "The rule as configured")
                    .struct(),
            List.of("kpi_date", "rule_id", "subject_id"));

    private Alerts() {
    }

    /**
     * The configured rules over the KPI tables as they will be after this run (kept dates too:
     * a rule compares a date with the weeks before it). kpi_campaign holds the state as of the run
     * date, so its rules are judged on that date.
     */
    public static Dataset<Row> build(GoldInputs in) {
        return evaluate(Map.of(AlertRule.Grain.COMPANY, in.table(KpiDaily.TABLE), AlertRule.Grain.REP, in.table(RepDaily.TABLE),
                AlertRule.Grain.CAMPAIGN, in.table(CampaignKpis.TABLE).withColumn("kpi_date",
                        lit(java.sql.Date.valueOf(in.runDate())))), in.alertRules());
    }

    /** Company-level rules only (a convenience for kpi_daily alone). */
    public static Dataset<Row> evaluate(Dataset<Row> kpiDaily, List<AlertRule> rules) {
        return evaluate(Map.of(AlertRule.Grain.COMPANY, kpiDaily), rules);
    }

    /**
     * @param tables each rule's table by grain; every table has a {@code kpi_date} column (for
     *               kpi_campaign, the run date)
     */
    public static Dataset<Row> evaluate(Map<AlertRule.Grain, Dataset<Row>> tables, List<AlertRule> rules) {
        List<Dataset<Row>> parts = new ArrayList<>();
        for (AlertRule r : rules) {
            Dataset<Row> t = tables.get(r.grain());
            if (t == null) {
                throw new IllegalArgumentException("alert rule " + r.id() + ": table " + r.grain().table() + " not given");
            }
            if (!List.of(t.columns()).contains(r.metric())) {
                throw new IllegalArgumentException("alert rule " + r.id() + ": no KPI named " + r.metric() + " in " + r.grain().table());
            }
            parts.add(evaluate(t, r));
        }
        if (parts.isEmpty()) {
            Dataset<Row> any = tables.values().iterator().next();
            return any.sparkSession().createDataFrame(List.of(), TABLE.schema());
        }
        return Frames.unionByName(parts);
    }

    private static Dataset<Row> evaluate(Dataset<Row> table, AlertRule r) {
        AlertRule.Grain g = r.grain();
        Column subjectId = g.subjectId() == null ? lit(COMPANY) : col(g.subjectId());
        Column subjectName = g.subjectName() == null ? lit("company-wide") : col(g.subjectName());
        Dataset<Row> values = table.select(col("kpi_date"), subjectId.as("subject_id"), subjectName.as("subject_name"),
                col(r.metric()).cast("double").as("value"));
        Dataset<Row> evaluated = switch (r.baseline()) {
            case ABSOLUTE -> values.withColumn("baseline", lit(null).cast("double"))
                    .withColumn("threshold", lit(r.value()))
                    .withColumn("deviation_mad", lit(null).cast("double"));
            case TRAILING_MEAN_7D -> {
                // the 7 rows before, per subject: every table has one row per date and subject
                WindowSpec before = Window.partitionBy("subject_id").orderBy("kpi_date").rowsBetween(-7, -1);
                yield values.withColumn("baseline", avg(col("value")).over(before))
                        .withColumn("threshold", col("baseline").multiply(r.value()))
                        .withColumn("deviation_mad", lit(null).cast("double"));
            }
            case WEEKDAY_MEDIAN -> weekdayBaseline(values, r.weeks(), r.value());
        };
        Column breached = switch (r.op()) {
            case "<" -> col("value").lt(col("threshold"));
            case "<=" -> col("value").leq(col("threshold"));
            case ">" -> col("value").gt(col("threshold"));
            default -> col("value").geq(col("threshold"));
        };
        return evaluated.where(breached).select(col("kpi_date"), lit(r.id()).as("rule_id"), lit(g.label()).as("grain"),
                col("subject_id"), col("subject_name"), lit(r.metric()).as("metric"), col("value"), col("threshold"),
                col("baseline"), col("deviation_mad"), lit(r.severity()).as("severity"), lit(r.describe()).as("rule"));
    }

    /**
     * Median of the same weekday over the {@code weeks} weeks before (a quiet Sunday is compared with
     * Sundays, a Monday with Mondays), and the median absolute deviation of those values: robust to
     * the one odd week that would drag a mean. No baseline until all {@code weeks} values exist.
     * Threshold = baseline + k × MAD (k is negative for "- k mad").
     */
    static Dataset<Row> weekdayBaseline(Dataset<Row> values, int weeks, double k) {
        WindowSpec sameWeekday = Window.partitionBy(col("subject_id"), dayofweek(col("kpi_date")))
                .orderBy(unix_date(col("kpi_date"))).rangeBetween(-7L * weeks, -1);
        return values.withColumn("_history", array_sort(collect_list(col("value")).over(sameWeekday)))
                .withColumn("baseline", when(expr("size(_history)").geq(weeks), median("_history")))
                .withColumn("_deviations", array_sort(expr("transform(_history, x -> abs(x - baseline))")))
                .withColumn("_mad", median("_deviations"))
                .withColumn("threshold", col("baseline").plus(col("_mad").multiply(k)))
                .withColumn("deviation_mad", when(col("_mad").gt(0), col("value").minus(col("baseline")).divide(col("_mad"))))
                .drop("_history", "_deviations", "_mad");
    }

    /** Median of a sorted array column: the middle value, or the mean of the two middle values. */
    private static Column median(String sortedArray) {
        String n = "size(" + sortedArray + ")";
        return expr("CASE WHEN " + n + " <= 0 THEN NULL"
                + " WHEN " + n + " % 2 = 1 THEN element_at(" + sortedArray + ", CAST((" + n + " + 1) DIV 2 AS INT))"
                + " ELSE (element_at(" + sortedArray + ", CAST(" + n + " DIV 2 AS INT)) + element_at(" + sortedArray
                + ", CAST(" + n + " DIV 2 AS INT) + 1)) / 2 END");
    }
}
