package io.salespulse.gold;

import io.salespulse.silver.FactOpportunityStage;
import io.salespulse.silver.FactOpportunity;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.salespulse.gold.Windows.ratio;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

/** Opportunity, win-rate, deal-size, sales-cycle and pipeline KPIs per date ({@code kpis.md}). */
public final class OpportunityKpis {

    private OpportunityKpis() {
    }

    /** Closed opportunities as of now: won/lost on their current CloseDate, blank amounts as 0. */
    static Dataset<Row> closed(Dataset<Row> opportunities) {
        return opportunities.where(col("is_closed"))
                .select(col("opportunity_id"), col("owner_id"), col("close_date"), col("is_won"),
                        coalesce(col("amount_rc"), lit(0).cast("decimal(38,6)")).as("amount_rc"), col("sales_cycle_days"));
    }

    public static Dataset<Row> daily(GoldInputs in) {
        Dataset<Row> opps = in.table(FactOpportunity.TABLE);
        Dataset<Row> created = opps.groupBy(col("created_date").as("kpi_date")).agg(count(lit(1)).as("opportunities_created"));
        Dataset<Row> closed = closed(opps);
        Dataset<Row> today = closed.groupBy(col("close_date").as("kpi_date")).agg(
                sum(when(col("is_won"), 1L).otherwise(0L)).as("won"),
                sum(when(col("is_won"), 0L).otherwise(1L)).as("lost"));
        Column won = col("is_won");
        Dataset<Row> window = Windows.trailing(in, closed, "close_date", 30).groupBy("kpi_date").agg(
                sum(when(won, 1L).otherwise(0L)).as("_won"),
                count(col("opportunity_id")).as("_closed"),
                sum(when(won, col("amount_rc"))).as("_won_amount"),
                sum(col("amount_rc")).as("_closed_amount"),
                avg(when(won, col("sales_cycle_days"))).as("avg_sales_cycle_days_30d"),
                collect_list(when(won, col("sales_cycle_days"))).as("_cycles"));
        return in.dates()
                .join(created, "kpi_date", "left")
                .join(today, "kpi_date", "left")
                .join(window, "kpi_date", "left")
                .join(pipeline(in), "kpi_date", "left")
                .select(col("kpi_date"),
                        coalesce(col("opportunities_created"), lit(0L)).as("opportunities_created"),
                        coalesce(col("won"), lit(0L)).as("won"),
                        coalesce(col("lost"), lit(0L)).as("lost"),
                        ratio(col("_won"), col("_closed")).as("win_rate_30d"),
                        ratio(col("_won_amount"), col("_closed_amount")).as("win_rate_amount_30d"),
                        // exact decimal sum and one division: unrounded, and the same whatever the row order
                        ratio(col("_won_amount"), col("_won")).as("avg_deal_size_30d"),
                        col("avg_sales_cycle_days_30d"),
                        lowerMedian(col("_cycles")).as("median_sales_cycle_days_30d"),
                        coalesce(col("open_pipeline_amount"), lit(0).cast("decimal(38,6)")).as("open_pipeline_amount"),
                        coalesce(col("open_pipeline_count"), lit(0L)).as("open_pipeline_count"),
                        coalesce(col("weighted_pipeline_amount"), lit(0).cast("decimal(38,12)")).as("weighted_pipeline_amount"));
    }

    /** The lower middle value for an even count (kpis.md); null for none. */
    static Column lowerMedian(Column values) {
        Column sorted = org.apache.spark.sql.functions.sort_array(values);
        Column n = org.apache.spark.sql.functions.size(sorted);
        // element_at is 1-based: index floor((n - 1) / 2) + 1
        return when(n.gt(0), org.apache.spark.sql.functions.element_at(sorted,
                n.minus(1).divide(2).cast("int").plus(1)).cast("double"));
    }

    /**
     * Open pipeline at the end of each date: per opportunity the latest history row created on or
     * before that date (ties: the greater history Id), counted when its stage is not closed.
     */
    static Dataset<Row> pipeline(GoldInputs in) {
        Dataset<Row> endOfDay = in.table(FactOpportunityStage.TABLE)
                .withColumn("_day", to_date(col("entered_at")))
                .withColumn("_rank", row_number().over(Window.partitionBy("opportunity_id", "_day")
                        .orderBy(col("entered_at").desc(), col("history_id").desc())))
                .where(col("_rank").equalTo(1))
                .withColumn("_until", lead(col("_day"), 1).over(Window.partitionBy("opportunity_id").orderBy("_day")));
        Column amount = coalesce(col("amount_rc"), lit(0).cast("decimal(38,6)"));
        // exact: amount (6 decimals) x probability (up to 4) x 0.01, no rounding
        Column weighted = amount.cast("decimal(24,6)").multiply(coalesce(col("probability"), lit(0)).cast("decimal(9,4)"))
                .multiply(lit(new java.math.BigDecimal("0.01")));
        Map<String, Column> values = new LinkedHashMap<>();
        values.put("open_pipeline_amount", amount);
        values.put("open_pipeline_count", lit(1L));
        values.put("weighted_pipeline_amount", weighted);
        // a stage row is the opportunity's state from the end of its day until the day of the next one
        return Windows.spanSums(in, endOfDay.where(col("is_closed_stage").equalTo(false)), col("_day"), col("_until"), values)
                .select(col("kpi_date"),
                        col("open_pipeline_amount").cast("decimal(38,6)").as("open_pipeline_amount"),
                        col("open_pipeline_count"),
                        col("weighted_pipeline_amount").cast("decimal(38,12)").as("weighted_pipeline_amount"));
    }

}
