package io.salespulse.gold;

import io.salespulse.silver.FactOrder;
import io.salespulse.silver.FactActivityDaily;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;
import java.util.Map;

import static io.salespulse.gold.Windows.ratio;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Sales volume, revenue, paying customers and engagement KPIs per date ({@code kpis.md}).
 * Counted orders are Activated; reduction orders count only in net revenue.
 */
public final class RevenueKpis {

    private static final Column ZERO = lit(0).cast("decimal(38,6)");

    private RevenueKpis() {
    }

    /** One row per counted order: order_id, account_id, effective_date, is_reduction, revenue (reporting currency). */
    static Dataset<Row> countedOrders(Dataset<Row> orderLines) {
        return orderLines.where(col("is_counted"))
                .select(col("order_id"), col("account_id"), col("effective_date"), col("is_reduction"),
                        coalesce(col("order_total_amount_rc"), ZERO).as("revenue"))
                .distinct();
    }

    public static Dataset<Row> daily(GoldInputs in) {
        Dataset<Row> orders = countedOrders(in.table(FactOrder.TABLE));
        Column regular = col("is_reduction").equalTo(false);
        Dataset<Row> day = orders.groupBy(col("effective_date").as("kpi_date")).agg(
                sum(when(regular, 1L).otherwise(0L)).as("orders"),
                sum(when(regular, col("revenue")).otherwise(ZERO)).as("gross_revenue"),
                sum(col("revenue")).as("net_revenue"));
        Dataset<Row> units = in.table(FactOrder.TABLE).where(col("is_counted").and(regular))
                .groupBy(col("effective_date").as("kpi_date")).agg(sum(coalesce(col("quantity"), ZERO)).as("units"));
        Dataset<Row> paying = Windows.distinctKeys(in, orders.where(regular), "account_id", "effective_date",
                Map.of("paying_customers_30d", 30), false);
        Dataset<Row> revenue30 = Windows.spanSums(in, orders, col("effective_date"), date_add(col("effective_date"), 30),
                Map.of("_net_revenue_30d", col("revenue")));
        return in.dates()
                .join(day, "kpi_date", "left")
                .join(units, "kpi_date", "left")
                .join(paying, "kpi_date", "left")
                .join(revenue30, "kpi_date", "left")
                .join(engagement(in), "kpi_date", "left")
                .select(col("kpi_date"),
                        coalesce(col("orders"), lit(0L)).as("orders"),
                        coalesce(col("units"), ZERO).cast("decimal(38,6)").as("units"),
                        coalesce(col("gross_revenue"), ZERO).cast("decimal(38,6)").as("gross_revenue"),
                        coalesce(col("net_revenue"), ZERO).cast("decimal(38,6)").as("net_revenue"),
                        ratio(col("gross_revenue"), col("orders")).as("avg_order_value"),
                        coalesce(col("paying_customers_30d"), lit(0L)).as("paying_customers_30d"),
                        // engagement has a row for every date, its counts 0 where there was no activity
                        col("active_users"), col("wau"), col("mau"),
                        // no stickiness on a day without activity
                        ratio(when(col("active_users").gt(0), col("active_users")), col("mau")).as("stickiness"),
                        ratio(col("_net_revenue_30d"), col("mau")).as("revenue_per_user_30d"),
                        ratio(col("_net_revenue_30d"), col("paying_customers_30d")).as("revenue_per_paying_customer_30d"),
                        col("signups"), col("activations"), col("cancellations"), col("activation_rate_7d"));
    }

    /** kpi_daily's columns computed from fact_activity_daily alone (stickiness and ARPU are ratios of them). */
    public static final List<String> ENGAGEMENT = List.of("active_users", "wau", "mau", "signups", "activations",
            "cancellations", "activation_rate_7d");

    /**
     * The {@link #ENGAGEMENT} KPIs of every date of the run, one row each: computed for the dates that need them
     * ({@link GoldInputs#forEngagement}), stored for the others: a night whose lead conversions reach
     * old dates no longer computes the activity's windows (gold's largest input) for each of them.
     * The activity rows are filtered to those dates' windows; whether the scan skips files depends
     * on how the table's files are laid out by date.
     */
    static Dataset<Row> engagement(GoldInputs in) {
        GoldInputs e = in.forEngagement();
        Dataset<Row> activity = e.table(FactActivityDaily.TABLE);
        // distinct users of a day are its rows: the table holds one row per (date, user), a key the
        // silver gate checked before gold runs. Counting rows spares Spark the four distinct
        // aggregates, which it computes by copying every activity row four times (Expand).
        Dataset<Row> dau = activity.where(e.within("activity_date", 0)).groupBy(col("activity_date").as("kpi_date")).agg(
                count(lit(1)).as("active_users"),
                count(when(col("signed_up"), lit(1))).as("signups"),
                count(when(col("activated"), lit(1))).as("activations"),
                count(when(col("cancelled"), lit(1))).as("cancellations"));
        Dataset<Row> engaged = Windows.distinctKeys(e, activity, "user_id", "activity_date", Map.of("wau", 7, "mau", 30), true);
        Dataset<Row> computed = e.dates()
                .join(dau, "kpi_date", "left")
                .join(engaged, "kpi_date", "left")
                .join(activationRate(e), "kpi_date", "left")
                .select(col("kpi_date"),
                        coalesce(col("active_users"), lit(0L)).as("active_users"),
                        coalesce(col("wau"), lit(0L)).as("wau"),
                        coalesce(col("mau"), lit(0L)).as("mau"),
                        coalesce(col("signups"), lit(0L)).as("signups"),
                        coalesce(col("activations"), lit(0L)).as("activations"),
                        coalesce(col("cancellations"), lit(0L)).as("cancellations"),
                        col("activation_rate_7d"));
        return in.engagement() == null ? computed : computed.unionByName(in.engagement().kept());
    }

    /** Of the users who signed up on d, the share with an activation dated d through d+7. */
    static Dataset<Row> activationRate(GoldInputs in) {
        Dataset<Row> signups = in.table(FactActivityDaily.TABLE).where(col("signed_up").and(in.within("activity_date", 0)))
                .select(col("activity_date").as("kpi_date"), col("user_id").as("_user"));
        // an activation counts for sign-ups up to 7 days before it: none dated before the first computed
        // date can count (one dated after the run date can: a late timestamp in the next day's zone)
        Dataset<Row> activations = in.table(FactActivityDaily.TABLE).where(col("activated")
                        .and(col("activity_date").geq(lit(java.sql.Date.valueOf(in.from())))))
                .select(col("activity_date").as("_activated_on"), col("user_id").as("_activated_user"));
        Column within = col("_user").equalTo(col("_activated_user"))
                .and(col("_activated_on").between(col("kpi_date"), org.apache.spark.sql.functions.date_add(col("kpi_date"), 7)));
        return signups.join(activations, within, "left")
                .groupBy("kpi_date")
                .agg(countDistinct("_user").as("_signed"), countDistinct("_activated_user").as("_activated"))
                .select(col("kpi_date"), ratio(col("_activated"), col("_signed")).as("activation_rate_7d"));
    }
}
