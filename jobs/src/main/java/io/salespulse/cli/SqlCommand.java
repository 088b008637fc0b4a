package io.salespulse.cli;

import io.salespulse.catalog.WarehouseCatalog;
import io.salespulse.common.SalespulseConfig;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code salespulse sql "SELECT …" [--max-rows N]}: one query over the warehouse's tables by name
 * ({@code gold.kpi_daily}, {@code silver.fact_lead}, …), printed as a table. A query that names a
 * missing table or column is a usage error with Spark's one-line reason.
 */
final class SqlCommand {

    private SqlCommand() {
    }

    static int execute(SparkSession spark, SalespulseConfig config, String query, int maxRows, PrintStream out) {
        if (query == null || query.isBlank()) {
            throw new UsageException("sql needs a query, e.g. salespulse sql \"SELECT * FROM gold.kpi_daily ORDER BY kpi_date DESC LIMIT 7\"");
        }
        boolean bronze = config.getBoolean(SalespulseConfig.SQL_EXPOSE_BRONZE);
        if (WarehouseCatalog.register(spark, config.warehouseRoot(), bronze).isEmpty()) {
            throw new UsageException("no tables under " + config.warehouseRoot() + " yet: run a date first (or bin/salespulse demo)");
        }
        Dataset<Row> result;
        List<Row> rows;
        try {
            result = spark.sql(query);
            rows = result.limit(maxRows + 1).collectAsList();
        } catch (Exception e) {
            if (e instanceof AnalysisException || e.getClass().getName().contains("ParseException")) {
                throw new UsageException(Salespulse.oneLine(e));
            }
            throw e;
        }
        print(result.columns(), rows.subList(0, Math.min(rows.size(), maxRows)), out);
        out.println(rows.size() > maxRows ? "(first " + maxRows + " rows; --max-rows N for more)"
                : "(" + rows.size() + " row" + (rows.size() == 1 ? ")" : "s)"));
        return Salespulse.OK;
    }

    /** A plain text table: header, rule, one line per row; nulls shown as NULL. */
    static void print(String[] columns, List<Row> rows, PrintStream out) {
        int[] width = new int[columns.length];
        List<String[]> cells = new ArrayList<>();
        for (int i = 0; i < columns.length; i++) {
            width[i] = columns[i].length();
        }
        for (Row r : rows) {
            String[] line = new String[columns.length];
            for (int i = 0; i < columns.length; i++) {
                Object v = r.get(i);
                line[i] = v == null ? "NULL" : v instanceof java.math.BigDecimal d ? d.toPlainString() : v.toString();
                line[i] = line[i].replace('\n', ' ');
                width[i] = Math.max(width[i], line[i].length());
            }
            cells.add(line);
        }
        StringBuilder rule = new StringBuilder();
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < columns.length; i++) {
            header.append(i == 0 ? "" : " | ").append(pad(columns[i], width[i]));
            rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
        }
        out.println(header.toString().stripTrailing());
        out.println(rule);
        for (String[] line : cells) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                b.append(i == 0 ? "" : " | ").append(pad(line[i], width[i]));
            }
            out.println(b.toString().stripTrailing());
        }
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
