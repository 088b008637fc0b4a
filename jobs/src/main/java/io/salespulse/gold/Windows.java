package io.salespulse.gold;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;

/** Rolling windows: every KPI date joined with the rows dated in [d - (days - 1), d]. */
final class Windows {

    private Windows() {
    }

    /**
     * @param in         the KPI dates (rows that cannot fall in a window of them are dropped first)
     * @param rows       rows with a date column
     * @param dateColumn the rows' date column
     * @param days       window length: 30 means [d-29, d]
     */
    static Dataset<Row> trailing(GoldInputs in, Dataset<Row> rows, String dateColumn, int days) {
        Column window = col(dateColumn).between(date_sub(col("kpi_date"), days - 1), col("kpi_date"));
        return in.dates().join(rows.where(in.within(dateColumn, days - 1)), window, "left");
    }

    /** Safe ratio: null when the denominator is 0 or null (kpis.md), as double. */
    static Column ratio(Column numerator, Column denominator) {
        return org.apache.spark.sql.functions.when(denominator.isNull().or(denominator.equalTo(0)), org.apache.spark.sql.functions.lit(null))
                .otherwise(numerator.cast("double").divide(denominator.cast("double")));
    }
}
