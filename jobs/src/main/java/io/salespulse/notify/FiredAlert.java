package io.salespulse.notify;

import io.salespulse.gold.AlertRule;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.Comparator;

/** One row of {@code gold.kpi_alerts}, as a message tells it. */
public record FiredAlert(LocalDate kpiDate, String ruleId, String grain, String subjectId, String subjectName,
                         String metric, Double value, Double threshold, Double baseline, Double deviationMad,
                         String severity, String rule) {

    /** Critical before warning before info; then the furthest past its threshold; then by rule and subject. */
    public static final Comparator<FiredAlert> WORST_FIRST = Comparator
            .comparingInt((FiredAlert a) -> -AlertRule.SEVERITIES.indexOf(a.severity()))
            .thenComparing(Comparator.comparingDouble(FiredAlert::overshoot).reversed())
            .thenComparing(FiredAlert::ruleId)
            .thenComparing(FiredAlert::subjectId);

    /** The rows of gold.kpi_alerts dated {@code date} (the table must exist). */
    public static java.util.List<FiredAlert> onDate(io.salespulse.common.TableWriter tables, LocalDate date) {
        java.util.List<FiredAlert> out = new java.util.ArrayList<>();
        for (Row r : tables.read(io.salespulse.gold.GoldBuild.LAYER, io.salespulse.gold.Alerts.TABLE.name())
                .where(org.apache.spark.sql.functions.col("kpi_date").equalTo(org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(date))))
                .collectAsList()) {
            out.add(of(r));
        }
        return out;
    }

    public static FiredAlert of(Row r) {
        return new FiredAlert(((java.sql.Date) r.getAs("kpi_date")).toLocalDate(), r.getAs("rule_id"), r.getAs("grain"),
                r.getAs("subject_id"), r.getAs("subject_name"), r.getAs("metric"), r.getAs("value"), r.getAs("threshold"),
                r.getAs("baseline"), r.getAs("deviation_mad"), r.getAs("severity"), r.getAs("rule"));
    }

    /** How far past the threshold, relative to it (0 when either is unknown). */
    double overshoot() {
        if (value == null || threshold == null) {
            return 0;
        }
        return Math.abs(value - threshold) / Math.max(Math.abs(threshold), 1e-9);
    }

    /** The key under which a delivery is remembered: a rerun does not send it again. */
    String key() {
        return kpiDate + "|" + ruleId + "|" + subjectId;
    }
}
