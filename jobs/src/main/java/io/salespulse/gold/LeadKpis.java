package io.salespulse.gold;

import io.salespulse.silver.FactLead;
import io.salespulse.silver.DimCustomer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static io.salespulse.gold.Windows.ratio;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/** Lead quality and conversion KPIs per date ({@code kpis.md}). */
public final class LeadKpis {

    private LeadKpis() {
    }

    public static Dataset<Row> daily(GoldInputs in) {
        Dataset<Row> leads = in.table(FactLead.TABLE);
        Dataset<Row> created = leads.groupBy(col("created_date").as("kpi_date")).agg(
                count(lit(1)).as("leads_created"),
                // the mean of (points / 3) as one division of exact integer sums: a double sum would
                // depend on row order and a re-run could differ in the last bit
                sum(col("name_ok").cast("int").plus(col("email_ok").cast("int")).plus(col("phone_ok").cast("int"))).as("_points"),
                sum(when(col("is_converted").and(col("converted_opportunity_id").isNotNull()), 1L).otherwise(0L)).as("_to_opp"),
                sum(when(col("became_customer"), 1L).otherwise(0L)).as("_to_customer"));
        Dataset<Row> converted = leads.where(col("is_converted").and(col("converted_date").isNotNull()))
                .groupBy(col("converted_date").as("kpi_date")).agg(count(lit(1)).as("leads_converted"));
        Dataset<Row> newCustomers = in.table(DimCustomer.TABLE).where(col("is_current").and(col("is_customer")))
                .groupBy(col("acquisition_date").as("kpi_date")).agg(count(lit(1)).as("new_customers"));
        // a lead that became a customer did so on created_date + days_to_customer (the acquisition date)
        Dataset<Row> daysToCustomer = leads.where(col("became_customer"))
                .groupBy(date_add(col("created_date"), col("days_to_customer")).as("kpi_date"))
                .agg(avg("days_to_customer").as("avg_days_to_customer"));
        return in.dates()
                .join(created, "kpi_date", "left")
                .join(converted, "kpi_date", "left")
                .join(newCustomers, "kpi_date", "left")
                .join(daysToCustomer, "kpi_date", "left")
                .select(col("kpi_date"),
                        coalesce(col("leads_created"), lit(0L)).as("leads_created"),
                        ratio(col("_points"), col("leads_created").multiply(3)).as("avg_lead_quality"),
                        ratio(col("_to_opp"), col("leads_created")).as("lead_to_opportunity_rate"),
                        ratio(col("_to_customer"), col("leads_created")).as("lead_to_customer_rate"),
                        coalesce(col("leads_converted"), lit(0L)).as("leads_converted"),
                        coalesce(col("new_customers"), lit(0L)).as("new_customers"),
                        col("avg_days_to_customer"));
    }
}
