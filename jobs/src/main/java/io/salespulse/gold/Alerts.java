package io.salespulse.gold;

import io.salespulse.common.Frames;
import io.salespulse.common.TableSchema;
import io.salespulse.common.TableSpec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * {@code gold.kpi_alerts}: every configured rule breached on a KPI date. Evaluated for every date,
 * so a rebuild and the daily runs agree; the scheduler reads the run date's rows.
 */
public final class Alerts {

    public static final TableSpec TABLE = new TableSpec("kpi_alerts",
            "Threshold rules breached, one row per KPI date and rule",
            TableSchema.of()
                    .col("kpi_date", DateType, "KPI date on which the rule was breached")
                    .col("rule_id", StringType, "Rule id from configuration (alerts.rules)")
                    .col("metric", StringType, "kpi_daily column the rule watches")
                    .col("value", DoubleType, "The metric's value on kpi_date")
                    .col("threshold", DoubleType, "The threshold it crossed (for relative rules: factor x mean of the 7 days before)")
                    .col("severity", StringType, "info, warning or critical")
                    .col("rule", StringType, "The rule as configured")
                    .struct(),
            List.of("kpi_date", "rule_id"));

    private Alerts() {
    }

    public static Dataset<Row> evaluate(Dataset<Row> kpiDaily, List<AlertRule> rules) {
        List<Dataset<Row>> parts = new ArrayList<>();
        for (AlertRule r : rules) {
            if (!List.of(kpiDaily.columns()).contains(r.metric())) {
                throw new IllegalArgumentException("alert rule " + r.id() + ": no KPI named " + r.metric());
            }
            Column value = col(r.metric()).cast("double");
            Column threshold = r.relative()
                    ? avg(value).over(Window.orderBy("kpi_date").rowsBetween(-7, -1)).multiply(r.value())
                    : lit(r.value());
            Dataset<Row> evaluated = kpiDaily.select(col("kpi_date"), value.as("value"), threshold.as("threshold"));
            Column breached = switch (r.op()) {
                case "<" -> col("value").lt(col("threshold"));
                case "<=" -> col("value").leq(col("threshold"));
                case ">" -> col("value").gt(col("threshold"));
                default -> col("value").geq(col("threshold"));
            };
            parts.add(evaluated.where(breached)
                    .select(col("kpi_date"), lit(r.id()).as("rule_id"), lit(r.metric()).as("metric"), col("value"),
                            col("threshold"), lit(r.severity()).as("severity"), lit(r.describe()).as("rule")));
        }
        if (parts.isEmpty()) {
            return kpiDaily.sparkSession().createDataFrame(List.of(), TABLE.schema());
        }
        return Frames.unionByName(parts);
    }
}
