package io.salespulse.gold;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.List;

/**
 * What the KPI models read: the silver tables, the KPI date spine and the settings they need.
 *
 * @param dates one row per KPI date: {@code kpi_date}, {@code from} to the run date
 * @param from  the first date this run computes (the first KPI date, or later when only recent dates
 *              changed); may be after the run date when no date needs recomputing
 */
public record GoldInputs(Dataset<Row> dates, LocalDate from, LocalDate runDate, Dataset<Row> leads, Dataset<Row> opportunities,
                         Dataset<Row> stages, Dataset<Row> orders, Dataset<Row> activity, Dataset<Row> customers,
                         Dataset<Row> reps, Dataset<Row> campaigns, Dataset<Row> members, List<String> closedStages) {

    /**
     * {@code column} within the computed dates widened by {@code daysBefore}: rows outside cannot
     * reach a computed KPI date, so filtering them first only saves work.
     */
    public org.apache.spark.sql.Column within(String column, int daysBefore) {
        return org.apache.spark.sql.functions.col(column).between(
                org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(from.minusDays(daysBefore))),
                org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(runDate)));
    }
}
