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
 * @param engagement   null when the engagement KPIs are computed for every date of {@code dates};
 *                     otherwise for the dates it names, the others keeping their stored values
 */
public record GoldInputs(Dataset<Row> dates, LocalDate from, LocalDate runDate, Map<TableSpec, Dataset<Row>> tables,
                         List<String> closedStages, List<AlertRule> alertRules, Engagement engagement) {

    public GoldInputs {
        tables = Map.copyOf(tables);
        closedStages = List.copyOf(closedStages);
        alertRules = List.copyOf(alertRules);
    }

    /** Every KPI computed for every date of {@code dates}. */
    public GoldInputs(Dataset<Row> dates, LocalDate from, LocalDate runDate, Map<TableSpec, Dataset<Row>> tables,
                      List<String> closedStages, List<AlertRule> alertRules) {
        this(dates, from, runDate, tables, closedStages, alertRules, null);
    }

    /**
     * The engagement KPIs (kpi_daily's columns from the activity, {@link RevenueKpis#ENGAGEMENT}) of
     * an incremental run, when fewer dates need them than need the other KPIs: a lead converted today
     * reaches the day it was created months ago, where nothing the activity KPIs read changed.
     *
     * @param dates the dates whose engagement KPIs are computed ({@code kpi_date}), among the run's
     * @param from  the first of them (after the run date when there is none)
     * @param kept  the stored engagement KPIs of the run's other dates: {@code kpi_date} and those columns
     */
    public record Engagement(Dataset<Row> dates, LocalDate from, Dataset<Row> kept) {
    }

    /** These inputs as the engagement KPIs are computed from: their own dates, when they have them. */
    public GoldInputs forEngagement() {
        return engagement == null ? this
                : new GoldInputs(engagement.dates(), engagement.from(), runDate, tables, closedStages, alertRules, null);
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
        return new GoldInputs(dates, from, runDate, more, closedStages, alertRules, engagement);
    }

    /**
     * {@code column} within the computed dates widened by {@code daysBefore}: rows outside cannot
     * reach a computed KPI date, so filtering them first only saves work.
     */
    public Column within(String column, int daysBefore) {
        return col(column).between(lit(Date.valueOf(from.minusDays(daysBefore))), lit(Date.valueOf(runDate)));
    }
}
