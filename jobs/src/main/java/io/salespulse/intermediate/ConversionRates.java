package io.salespulse.intermediate;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

/**
 * Converts amounts to the reporting currency with Salesforce dated rates: {@code ConversionRate}
 * units of the currency per one unit of the corporate currency, valid from StartDate (inclusive)
 * to NextStartDate (exclusive); {@code amount_rc = round(amount / rate, 6)}, half-up. The
 * reporting currency (and a blank currency) converts at 1.
 */
public final class ConversionRates {

    private ConversionRates() {
    }

    /**
     * Adds {@code outColumn} and, when an amount has no rate, a reason in {@code _rate_error}.
     *
     * @param rates live DatedConversionRate rows (iso_code, conversion_rate, start_date, next_start_date)
     * @param key   columns that identify a row of {@code df} (to keep one rate per row)
     */
    public static Dataset<Row> convert(Dataset<Row> df, Dataset<Row> rates, String reportingCurrency, String amountColumn,
                                       String currencyColumn, String dateColumn, String outColumn, String... key) {
        Dataset<Row> r = rates.select(col("iso_code").as("_iso"), col("conversion_rate").as("_rate"),
                col("start_date").as("_rate_from"), col("next_start_date").as("_rate_to"));
        Column matches = col(currencyColumn).equalTo(col("_iso"))
                .and(col(dateColumn).geq(col("_rate_from")))
                .and(col("_rate_to").isNull().or(col(dateColumn).lt(col("_rate_to"))));
        Column[] keyCols = java.util.Arrays.stream(key).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
        Dataset<Row> joined = df.join(r, matches, "left")
                .withColumn("_rate_rank", row_number().over(Window.partitionBy(keyCols).orderBy(col("_rate_from").desc_nulls_last())))
                .where(col("_rate_rank").equalTo(1))
                .drop("_rate_rank", "_iso", "_rate_from", "_rate_to");
        Column isReporting = col(currencyColumn).isNull().or(col(currencyColumn).equalTo(reportingCurrency));
        Column rate = when(isReporting, lit(1).cast("decimal(38,12)")).otherwise(col("_rate"));
        Column converted = round(col(amountColumn).divide(rate), 6).cast("decimal(38,6)");
        Column missing = col(amountColumn).isNotNull().and(rate.isNull().or(rate.equalTo(0)));
        Column reason = concat(lit("no conversion rate for "), coalesce(col(currencyColumn), lit("?")),
                lit(" on "), coalesce(col(dateColumn).cast("string"), lit("?")));
        Column previous = java.util.List.of(joined.columns()).contains("_rate_error") ? col("_rate_error") : lit(null).cast("string");
        return joined
                .withColumn(outColumn, when(missing, lit(null)).otherwise(converted))
                .withColumn("_rate_error", coalesce(previous, when(missing, reason)))
                .drop("_rate");
    }
}
