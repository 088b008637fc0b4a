package io.salespulse.gold;

import io.salespulse.silver.FactOrder;
import io.salespulse.silver.DimCustomer;
import io.salespulse.common.TableSchema;
import io.salespulse.common.TableSpec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.util.List;

import static io.salespulse.gold.Windows.ratio;
import static org.apache.spark.sql.functions.add_months;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createDecimalType;

/**
 * {@code gold.kpi_cohort_clv}: per acquisition cohort month c and month offset k (0 up to the run's
 * month), how many cohort customers ordered and what they paid, cumulated into realized CLV;
 * broken down by acquisition channel, with {@code all} for the total.
 */
public final class CohortClv {

    public static final TableSpec TABLE = new TableSpec("kpi_cohort_clv",
            "Cohort customer lifetime value: one row per cohort month, month offset and acquisition channel ('all' = total)",
            TableSchema.of()
                    .col("cohort_month", StringType, "yyyy-MM of the customers' acquisition date")
                    .col("month_offset", IntegerType, "Months since the cohort month (0 = the cohort month itself)")
                    .col("activity_month", StringType, "yyyy-MM of cohort_month + month_offset")
                    .col("acquisition_channel", StringType, "LeadSource of the customer's converting lead, 'unknown', or 'all'")
                    .col("cohort_size", LongType, "Customers whose cohort month is cohort_month (in this channel)")
                    .col("active_customers", LongType, "Cohort customers with a counted non-reduction order in activity_month")
                    .col("retention_rate", DoubleType, "active_customers / cohort_size")
                    .col("revenue", createDecimalType(38, 6), "Net revenue (reduction orders included) of cohort customers in activity_month, reporting currency")
                    .col("cumulative_revenue", createDecimalType(38, 6), "Sum of revenue for offsets 0..month_offset")
                    .col("clv", DoubleType, "cumulative_revenue / cohort_size: average realized lifetime value after month_offset months")
                    .struct(),
            List.of("cohort_month", "month_offset", "acquisition_channel"));

    private CohortClv() {
    }

    public static Dataset<Row> build(GoldInputs in) {
        Dataset<Row> customers = in.table(DimCustomer.TABLE).where(col("is_current").and(col("is_customer")))
                .select(col("account_id"), col("cohort_month"), col("acquisition_channel"));
        // each customer counts in its channel and in 'all'
        Dataset<Row> members = customers.unionByName(customers.withColumn("acquisition_channel", lit("all")));
        Dataset<Row> sizes = members.groupBy("cohort_month", "acquisition_channel").agg(count(lit(1)).as("cohort_size"));
        Column runMonth = to_date(lit(in.runDate().withDayOfMonth(1).toString()));
        Column cohortStart = to_date(concat(col("cohort_month"), lit("-01")));
        Dataset<Row> grid = sizes
                .withColumn("month_offset", explode(sequence(lit(0),
                        months_between(runMonth, cohortStart).cast("int"))))
                .withColumn("activity_month", date_format(add_months(cohortStart, col("month_offset")), "yyyy-MM"));
        Dataset<Row> monthly = RevenueKpis.countedOrders(in.table(FactOrder.TABLE))
                .groupBy(col("account_id").as("_account"), date_format(col("effective_date"), "yyyy-MM").as("_month"))
                .agg(sum("revenue").as("_revenue"), max(col("is_reduction").equalTo(false)).as("_active"));
        Dataset<Row> perCell = members.join(monthly, members.col("account_id").equalTo(monthly.col("_account")))
                .groupBy(col("cohort_month"), col("acquisition_channel"), col("_month").as("activity_month"))
                .agg(countDistinct(when(col("_active"), col("account_id"))).as("active_customers"), sum("_revenue").as("revenue"));
        Column zero = lit(0).cast("decimal(38,6)");
        return grid.join(perCell, new String[]{"cohort_month", "acquisition_channel", "activity_month"}, "left")
                .withColumn("revenue", coalesce(col("revenue"), zero).cast("decimal(38,6)"))
                .withColumn("active_customers", coalesce(col("active_customers"), lit(0L)))
                .withColumn("cumulative_revenue", sum("revenue").over(Window.partitionBy("cohort_month", "acquisition_channel")
                        .orderBy("month_offset")).cast("decimal(38,6)"))
                .select(col("cohort_month"), col("month_offset"), col("activity_month"), col("acquisition_channel"),
                        col("cohort_size"), col("active_customers"),
                        ratio(col("active_customers"), col("cohort_size")).as("retention_rate"),
                        col("revenue"), col("cumulative_revenue"),
                        ratio(col("cumulative_revenue"), col("cohort_size")).as("clv"));
    }
}
