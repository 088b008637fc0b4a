package io.salespulse.gold;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.List;

/**
 * What the KPI models read: the silver tables, the KPI date spine and the settings they need.
 *
 * @param dates one row per KPI date: {@code kpi_date}, first KPI date to the run date
 */
public record GoldInputs(Dataset<Row> dates, LocalDate runDate, Dataset<Row> leads, Dataset<Row> opportunities,
                         Dataset<Row> stages, Dataset<Row> orders, Dataset<Row> activity, Dataset<Row> customers,
                         Dataset<Row> reps, Dataset<Row> campaigns, Dataset<Row> members, List<String> closedStages) {
}
