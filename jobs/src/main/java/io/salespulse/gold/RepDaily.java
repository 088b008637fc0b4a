package io.salespulse.gold;

import io.salespulse.silver.FactOpportunity;
import io.salespulse.silver.FactLead;
import io.salespulse.silver.Dimensions;
import io.salespulse.common.TableSchema;
import io.salespulse.common.TableSpec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static io.salespulse.gold.Windows.ratio;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createDecimalType;

/** {@code gold.kpi_rep_daily}: every sales rep × every KPI date (dense), records counted for their current owner. */
public final class RepDaily {

    public static final TableSpec TABLE = new TableSpec("kpi_rep_daily",
            "Per sales rep and KPI date (every rep, every date; zeros where nothing happened), partitioned by kpi_month",
            TableSchema.of()
                    .col("kpi_date", DateType, "KPI date")
                    .col("kpi_month", StringType, "yyyy-MM of kpi_date (partition column)")
                    .col("owner_id", StringType, "Sales rep (User Id); records count for their current OwnerId")
                    .col("rep_name", StringType, "Rep's name")
                    .col("leads_created", LongType, "Leads owned by the rep created on kpi_date")
                    .col("opportunities_created", LongType, "Opportunities owned by the rep created on kpi_date")
                    .col("won", LongType, "Rep's opportunities closed won with CloseDate = kpi_date")
                    .col("lost", LongType, "Rep's opportunities closed lost with CloseDate = kpi_date")
                    .col("won_amount", createDecimalType(38, 6), "Amount (reporting currency, blank = 0) of those won")
                    .col("avg_sales_cycle_days", DoubleType, "Mean sales cycle of the opportunities won that day")
                    .col("win_rate_30d", DoubleType, "Rep's won / (won + lost) over [d-29, d]")
                    .struct(),
            List.of("kpi_date", "owner_id"))
            .partitionedBy("kpi_month");

    private RepDaily() {
    }

    public static Dataset<Row> build(GoldInputs in) {
        Dataset<Row> grid = in.dates().crossJoin(in.table(Dimensions.SALES_REP).select(col("owner_id"), col("name").as("rep_name")));
        Dataset<Row> leads = in.table(FactLead.TABLE).groupBy(col("created_date").as("kpi_date"), col("owner_id"))
                .agg(count(lit(1)).as("leads_created"));
        Dataset<Row> opps = in.table(FactOpportunity.TABLE).groupBy(col("created_date").as("kpi_date"), col("owner_id"))
                .agg(count(lit(1)).as("opportunities_created"));
        Dataset<Row> closed = OpportunityKpis.closed(in.table(FactOpportunity.TABLE));
        Column won = col("is_won");
        Dataset<Row> day = closed.groupBy(col("close_date").as("kpi_date"), col("owner_id")).agg(
                sum(when(won, 1L).otherwise(0L)).as("won"),
                sum(when(won, 0L).otherwise(1L)).as("lost"),
                sum(when(won, col("amount_rc"))).as("won_amount"),
                avg(when(won, col("sales_cycle_days"))).as("avg_sales_cycle_days"));
        // only deals closed in reach of a computed date: the join compares each with its rep's every date
        Dataset<Row> c = closed.where(in.within("close_date", 29)).select(col("owner_id").as("_owner"), col("close_date"), col("is_won"));
        Dataset<Row> window = grid.select("kpi_date", "owner_id")
                .join(c, col("owner_id").equalTo(col("_owner"))
                        .and(col("close_date").between(date_sub(col("kpi_date"), 29), col("kpi_date"))))
                .groupBy("kpi_date", "owner_id")
                .agg(sum(when(won, 1L).otherwise(0L)).as("_won30"), count(lit(1)).as("_closed30"));
        String[] key = {"kpi_date", "owner_id"};
        return grid.join(leads, key, "left").join(opps, key, "left").join(day, key, "left").join(window, key, "left")
                .select(col("kpi_date"), date_format(col("kpi_date"), "yyyy-MM").as("kpi_month"), col("owner_id"), col("rep_name"),
                        coalesce(col("leads_created"), lit(0L)).as("leads_created"),
                        coalesce(col("opportunities_created"), lit(0L)).as("opportunities_created"),
                        coalesce(col("won"), lit(0L)).as("won"),
                        coalesce(col("lost"), lit(0L)).as("lost"),
                        coalesce(col("won_amount"), lit(0).cast("decimal(38,6)")).as("won_amount"),
                        col("avg_sales_cycle_days"),
                        ratio(col("_won30"), col("_closed30")).as("win_rate_30d"));
    }
}
