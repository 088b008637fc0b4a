package io.salespulse.cli;

import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.TableWriter;
import io.salespulse.gold.Alerts;
import io.salespulse.gold.GoldBuild;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code salespulse alerts --date D [--fail-on critical]}: prints the rules breached on D and exits
 * 4 when one of the given severity (or worse) fired, so a scheduler task fails and pages someone.
 */
final class AlertsCommand {

    static final List<String> SEVERITIES = List.of("info", "warning", "critical");

    private AlertsCommand() {
    }

    static int execute(SparkSession spark, SalespulseConfig config, LocalDate date, String failOn, PrintStream out) {
        if (failOn != null && !SEVERITIES.contains(failOn)) {
            throw new UsageException("--fail-on must be info, warning or critical, got '" + failOn + "'");
        }
        TableWriter tables = new TableWriter(spark, config.warehouseRoot(), "alerts");
        if (!tables.exists(GoldBuild.LAYER, Alerts.TABLE.name())) {
            throw new UsageException("no gold." + Alerts.TABLE.name() + " under " + config.warehouseRoot() + ": run the date first");
        }
        List<Row> fired = tables.read(GoldBuild.LAYER, Alerts.TABLE.name())
                .where(col("kpi_date").equalTo(lit(Date.valueOf(date)))).orderBy("rule_id").collectAsList();
        int worst = -1;
        for (Row r : fired) {
            String severity = r.getAs("severity");
            worst = Math.max(worst, SEVERITIES.indexOf(severity));
            out.printf("ALERT %s %s: %s = %s (threshold %s) [%s]%n", date, r.getAs("rule_id"), r.getAs("metric"),
                    r.getAs("value"), r.getAs("threshold"), severity);
        }
        if (fired.isEmpty()) {
            out.println("no alert on " + date);
        }
        boolean fail = failOn != null && worst >= SEVERITIES.indexOf(failOn);
        return fail ? Salespulse.ALERT : Salespulse.OK;
    }
}
