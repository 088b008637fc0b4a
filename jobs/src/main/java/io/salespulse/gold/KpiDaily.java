package io.salespulse.gold;

import io.salespulse.common.TableSchema;
import io.salespulse.common.TableSpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createDecimalType;

/** {@code gold.kpi_daily}: every company-level KPI of {@code kpis.md}, one row per KPI date. */
public final class KpiDaily {

    public static final TableSpec TABLE = new TableSpec("kpi_daily",
            "Company-level KPIs, one row per date from the first KPI date to the run date, partitioned by kpi_month",
            TableSchema.of()
                    .col("kpi_date", DateType, "KPI date (reporting time zone)")
                    .col("kpi_month", StringType, "yyyy-MM of kpi_date (partition column)")
                    .col("leads_created", LongType, "Leads with CreatedDate on d")
                    .col("avg_lead_quality", DoubleType, "Mean quality score of the leads created on d")
                    .col("lead_to_opportunity_rate", DoubleType, "Of leads created on d, share converted with a ConvertedOpportunityId")
                    .col("lead_to_customer_rate", DoubleType, "Of leads created on d, share that became customers (matures over time)")
                    .col("leads_converted", LongType, "Leads with IsConverted and ConvertedDate = d")
                    .col("new_customers", LongType, "Customers whose acquisition date is d")
                    .col("avg_days_to_customer", DoubleType, "Mean days_to_customer of leads whose customer was acquired on d")
                    .col("opportunities_created", LongType, "Opportunities with CreatedDate on d")
                    .col("won", LongType, "Opportunities closed won with CloseDate = d")
                    .col("lost", LongType, "Opportunities closed lost with CloseDate = d")
                    .col("win_rate_30d", DoubleType, "won / (won + lost) over [d-29, d], count of deals")
                    .col("win_rate_amount_30d", DoubleType, "won amount / (won + lost) amount over [d-29, d]")
                    .col("avg_deal_size_30d", DoubleType, "Mean amount (reporting currency) of won opportunities closed in [d-29, d]")
                    .col("avg_sales_cycle_days_30d", DoubleType, "Mean sales cycle (days) of won opportunities closed in [d-29, d]")
                    .col("median_sales_cycle_days_30d", DoubleType, "Median (lower middle for an even count) of the same")
                    .col("open_pipeline_amount", createDecimalType(38, 6), "Amount of opportunities whose stage at the end of d is open")
                    .col("open_pipeline_count", LongType, "Count of those opportunities")
                    .col("weighted_pipeline_amount", createDecimalType(38, 12), "Sum of amount x Probability / 100 over them, not rounded")
                    .col("orders", LongType, "Counted (Activated) non-reduction orders with EffectiveDate = d")
                    .col("units", createDecimalType(38, 6), "Sum of OrderItem.Quantity of those orders")
                    .col("gross_revenue", createDecimalType(38, 6), "Revenue of those orders, reporting currency")
                    .col("net_revenue", createDecimalType(38, 6), "gross_revenue plus the Activated reduction orders of d")
                    .col("avg_order_value", DoubleType, "gross_revenue / orders")
                    .col("paying_customers_30d", LongType, "Distinct accounts with a counted non-reduction order in [d-29, d]")
                    .col("active_users", LongType, "DAU: distinct users with any event on d")
                    .col("wau", LongType, "Distinct users with any event in [d-6, d]")
                    .col("mau", LongType, "Distinct users with any event in [d-29, d]")
                    .col("stickiness", DoubleType, "active_users / mau")
                    .col("revenue_per_user_30d", DoubleType, "ARPU: net revenue over [d-29, d] / mau")
                    .col("revenue_per_paying_customer_30d", DoubleType, "ARPPU: net revenue over [d-29, d] / paying_customers_30d")
                    .col("signups", LongType, "Distinct users with a 'Signed Up' event on d")
                    .col("activations", LongType, "Distinct users with an 'Account Activated' event on d")
                    .col("cancellations", LongType, "Distinct users with a 'Subscription Cancelled' event on d")
                    .col("activation_rate_7d", DoubleType, "Of users who signed up on d, share activated d..d+7 (provisional near the run date)")
                    .struct(),
            List.of("kpi_date"))
            .partitionedBy("kpi_month");

    private KpiDaily() {
    }

    public static Dataset<Row> build(GoldInputs in) {
        return LeadKpis.daily(in)
                .join(OpportunityKpis.daily(in), "kpi_date")
                .join(RevenueKpis.daily(in), "kpi_date")
                .withColumn("kpi_month", date_format(col("kpi_date"), "yyyy-MM"));
    }
}
