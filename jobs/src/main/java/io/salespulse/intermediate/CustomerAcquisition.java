package io.salespulse.intermediate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

/**
 * Who is a customer and since when ({@code kpis.md}): an account with at least one counted
 * (Activated) non-reduction order; acquisition date = the earliest EffectiveDate of those orders;
 * cohort month its yyyy-MM; acquisition channel = LeadSource of the earliest-created lead
 * converted into the account ({@code unknown} when blank or none).
 */
public final class CustomerAcquisition {

    private CustomerAcquisition() {
    }

    /**
     * @param orders conformed orders (one row per order): id, account_id, effective_date, status, is_reduction
     * @return account_id, acquisition_date, cohort_month, first_order_id
     */
    public static Dataset<Row> acquisitions(Dataset<Row> orders) {
        Dataset<Row> counted = orders.where(col("status").equalTo("Activated").and(col("is_reduction").equalTo(false)));
        return counted
                .withColumn("_rank", row_number().over(Window.partitionBy("account_id")
                        .orderBy(col("effective_date"), col("id"))))
                .where(col("_rank").equalTo(1))
                .select(col("account_id"), col("effective_date").as("acquisition_date"),
                        date_format(col("effective_date"), "yyyy-MM").as("cohort_month"),
                        col("id").as("first_order_id"));
    }

    /**
     * account_id → LeadSource of the earliest-created live lead converted into it (ties: lowest lead Id).
     *
     * @param leads {@code fact_lead} rows (one per live lead)
     */
    public static Dataset<Row> channels(Dataset<Row> leads) {
        return leads.where(col("is_converted").equalTo(true).and(col("converted_account_id").isNotNull()))
                .withColumn("_rank", row_number().over(Window.partitionBy("converted_account_id")
                        .orderBy(col("created_at"), col("lead_id"))))
                .where(col("_rank").equalTo(1))
                .select(col("converted_account_id").as("account_id"),
                        coalesce(when(trim(col("lead_source")).notEqual(""), col("lead_source")), lit("unknown"))
                                .as("acquisition_channel"));
    }

}
