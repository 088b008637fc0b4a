package io.salespulse.cli;

import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.TableWriter;
import io.salespulse.report.Dashboard;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.time.LocalDate;

/**
 * {@code salespulse report --date D [--out DIR]}: the KPI dashboard of D as one self-contained HTML
 * page, by default under the warehouse ({@code reports/D/index.html}) where runs publish it.
 */
final class ReportCommand {

    private ReportCommand() {
    }

    static int execute(SparkSession spark, SalespulseConfig config, LocalDate date, String outDir, PrintStream out) {
        TableWriter tables = new TableWriter(spark, config.warehouseRoot(), "report");
        String dir = outDir == null ? Dashboard.defaultDir(tables, date) : outDir;
        try {
            String page = Dashboard.write(tables, date, config.get(SalespulseConfig.REPORTING_CURRENCY), dir);
            out.println("dashboard for " + date + ": " + page);
            return Salespulse.OK;
        } catch (IllegalStateException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
