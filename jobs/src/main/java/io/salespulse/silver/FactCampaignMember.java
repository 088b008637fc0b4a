package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.common.TableSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

/** {@code silver.fact_campaign_member}: one row per live CampaignMember (lead or contact rows). */
public final class FactCampaignMember {

    public static final TableSpec TABLE = new TableSpec("fact_campaign_member",
            "One row per live campaign membership (lead or contact), for campaign reach and response",
            TableSchema.of()
                    .col("campaign_member_id", StringType, "Salesforce CampaignMember Id")
                    .col("campaign_id", StringType, "Campaign")
                    .col("lead_id", StringType, "Lead, for lead memberships")
                    .col("contact_id", StringType, "Contact, for contact memberships")
                    .col("status", StringType, "Member status")
                    .col("has_responded", BooleanType, "HasResponded")
                    .col("first_responded_date", DateType, "FirstRespondedDate")
                    .col("created_at", TimestampType, "When the membership was created")
                    .struct(),
            List.of("campaign_member_id"))
            .expecting("campaign_id", Dimensions.CAMPAIGN, "campaign_id");

    private FactCampaignMember() {
    }

    public static Dataset<Row> build(Dataset<Row> members) {
        return members.select(col("id").as("campaign_member_id"), col("campaign_id"), FactLead.blank(col("lead_id")).as("lead_id"),
                FactLead.blank(col("contact_id")).as("contact_id"), col("status"),
                coalesce(col("has_responded"), lit(false)).as("has_responded"), col("first_responded_date"), col("created_at"));
    }
}
