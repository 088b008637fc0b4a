package io.salespulse.gold;

import io.salespulse.common.TableSpec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * What the KPI models read: the silver tables, the gold tables built before them in this run, the
 * KPI date spine and the settings they need.
 *
 * @param dates        one row per KPI date: {@code kpi_date}, {@code from} to the run date
 * @param from         the first date this run computes (the first KPI date, or later when only recent
 *                     dates changed); may be after the run date when no date needs recomputing
 * @param tables       silver tables as stored, and each gold table already built in this run as it
 *                     will be after the run (its kept dates and its recomputed ones)
 * @param closedStages stage names that close a deal (open pipeline)
 * @param alertRules   the configured alert rules, already checked
 */
public record GoldInputs(Dataset<Row> dates, LocalDate from, LocalDate runDate, Map<TableSpec, Dataset<Row>> tables,
                         List<String> closedStages, List<AlertRule> alertRules) {

    public GoldInputs {
        tables = Map.copyOf(tables);
        closedStages = List.copyOf(closedStages);
        alertRules = List.copyOf(alertRules);
    }

    /** A silver table, or a gold table an earlier model of this run built. */
    public Dataset<Row> table(TableSpec t) {
        Dataset<Row> rows = tables.get(t);
        if (rows == null) {
            throw new IllegalStateException(t.name() + " is not an input of this gold build (a gold table is readable only by a model"
                    + " that names it in GoldModel.reading)");
        }
        return rows;
    }

    /** Whether {@code t} is among these inputs. */
    public boolean has(TableSpec t) {
        return tables.containsKey(t);
    }

    /** These inputs with {@code t}'s rows added, for the models built after it. */
    public GoldInputs with(TableSpec t, Dataset<Row> rows) {
        Map<TableSpec, Dataset<Row>> more = new LinkedHashMap<>(tables);
        more.put(t, rows);
        return new GoldInputs(dates, from, runDate, more, closedStages, alertRules);
    }

    /**
     * {@code column} within the computed dates widened by {@code daysBefore}: rows outside cannot
     * reach a computed KPI date, so filtering them first only saves work.
     */
    public Column within(String column, int daysBefore) {
        return col(column).between(lit(Date.valueOf(from.minusDays(daysBefore))), lit(Date.valueOf(runDate)));
    }
}
