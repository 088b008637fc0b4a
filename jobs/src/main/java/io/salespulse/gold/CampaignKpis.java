package io.salespulse.gold;

import io.salespulse.silver.FactOpportunity;
import io.salespulse.silver.FactLead;
import io.salespulse.silver.FactCampaignMember;
import io.salespulse.silver.Dimensions;
import io.salespulse.common.TableSchema;
import io.salespulse.common.TableSpec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static io.salespulse.gold.Windows.ratio;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createDecimalType;

/** {@code gold.kpi_campaign}: per campaign, cumulative to the run date, first-touch attribution. */
public final class CampaignKpis {

    public static final TableSpec TABLE = new TableSpec("kpi_campaign",
            "Per campaign, cumulative up to the run date: reach, first-touch leads and customers, won deals, CAC and ROI",
            TableSchema.of()
                    .col("campaign_id", StringType, "Salesforce Campaign Id")
                    .col("campaign_name", StringType, "Campaign name")
                    .col("members", LongType, "Live CampaignMember rows (lead and contact rows)")
                    .col("responders", LongType, "Members with HasResponded")
                    .col("leads", LongType, "Live leads whose first-touch campaign this is")
                    .col("customers", LongType, "Of those leads, the ones that became customers")
                    .col("won_opportunities", LongType, "Won opportunities with Opportunity.CampaignId = this campaign")
                    .col("won_amount", createDecimalType(38, 6), "Their amount, reporting currency (blank = 0)")
                    .col("actual_cost_rc", createDecimalType(38, 6), "ActualCost in reporting currency (rate on StartDate)")
                    .col("cac", DoubleType, "actual_cost_rc / customers (null when no customer)")
                    .col("roi", DoubleType, "(won_amount - actual_cost_rc) / actual_cost_rc (null when no cost)")
                    .struct(),
            List.of("campaign_id"));

    private CampaignKpis() {
    }

    public static Dataset<Row> build(GoldInputs in) {
        Dataset<Row> members = in.table(FactCampaignMember.TABLE).groupBy(col("campaign_id").as("_c1")).agg(
                count(lit(1)).as("members"), sum(when(col("has_responded"), 1L).otherwise(0L)).as("responders"));
        Dataset<Row> leads = in.table(FactLead.TABLE).where(col("first_touch_campaign_id").isNotNull())
                .groupBy(col("first_touch_campaign_id").as("_c2")).agg(
                        count(lit(1)).as("leads"), sum(when(col("became_customer"), 1L).otherwise(0L)).as("customers"));
        Dataset<Row> won = in.table(FactOpportunity.TABLE).where(col("is_closed").and(col("is_won")).and(col("campaign_id").isNotNull()))
                .groupBy(col("campaign_id").as("_c3")).agg(count(lit(1)).as("won_opportunities"),
                        sum(coalesce(col("amount_rc"), lit(0).cast("decimal(38,6)"))).as("won_amount"));
        Dataset<Row> c = in.table(Dimensions.CAMPAIGN);
        Column cost = col("actual_cost_rc");
        return c.join(members, c.col("campaign_id").equalTo(members.col("_c1")), "left")
                .join(leads, c.col("campaign_id").equalTo(leads.col("_c2")), "left")
                .join(won, c.col("campaign_id").equalTo(won.col("_c3")), "left")
                .select(col("campaign_id"), col("name").as("campaign_name"),
                        coalesce(col("members"), lit(0L)).as("members"),
                        coalesce(col("responders"), lit(0L)).as("responders"),
                        coalesce(col("leads"), lit(0L)).as("leads"),
                        coalesce(col("customers"), lit(0L)).as("customers"),
                        coalesce(col("won_opportunities"), lit(0L)).as("won_opportunities"),
                        coalesce(col("won_amount"), lit(0).cast("decimal(38,6)")).as("won_amount"),
                        cost.as("actual_cost_rc"),
                        ratio(cost, col("customers")).as("cac"),
                        ratio(coalesce(col("won_amount"), lit(0)).minus(cost), cost).as("roi"));
    }
}
