package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.common.TableSchema;
import io.salespulse.intermediate.ConversionRates;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createDecimalType;

/** {@code silver.fact_opportunity}: one row per live opportunity, amount converted at the CloseDate rate. */
public final class FactOpportunity {

    public static final TableSpec TABLE = new TableSpec("fact_opportunity",
            "One row per live Salesforce opportunity, current stage and amount in reporting currency",
            TableSchema.of()
                    .col("opportunity_id", StringType, "Salesforce Opportunity Id")
                    .col("account_id", StringType, "Account of the opportunity")
                    .col("owner_id", StringType, "Current owner (User Id)")
                    .col("campaign_id", StringType, "Opportunity.CampaignId (primary campaign source)")
                    .col("lead_source", StringType, "LeadSource")
                    .col("created_at", TimestampType, "When the opportunity was created")
                    .col("created_date", DateType, "Date of created_at in the reporting time zone")
                    .col("close_date", DateType, "CloseDate (expected, or actual once closed)")
                    .col("stage_name", StringType, "Current StageName")
                    .col("is_closed", BooleanType, "IsClosed")
                    .col("is_won", BooleanType, "IsWon")
                    .col("probability", createDecimalType(38, 6), "Probability (%) of the current stage")
                    .col("amount", createDecimalType(38, 6), "Amount in the opportunity currency (null when blank)")
                    .col("currency", StringType, "CurrencyIsoCode")
                    .col("amount_rc", createDecimalType(38, 6), "Amount in reporting currency at the rate valid on close_date, rounded half-up to 6 decimals")
                    .col("sales_cycle_days", IntegerType, "close_date - created_date, for won opportunities")
                    .struct(),
            List.of("opportunity_id"))
            .requiring("created_date", "close_date")
            .expecting("owner_id", Dimensions.SALES_REP, "owner_id")
            .expecting("account_id", DimCustomer.TABLE, "account_id");

    private FactOpportunity() {
    }

    public static Built build(Dataset<Row> opportunities, Dataset<Row> rates, String reportingCurrency) {
        Dataset<Row> converted = ConversionRates.convert(opportunities, rates, reportingCurrency,
                "amount", "currency", "close_date", "amount_rc", "id");
        return Built.split(converted, c -> c.where(col("_rate_error").isNull()).select(
                        col("id").as("opportunity_id"), col("account_id"), col("owner_id"),
                        FactLead.blank(col("campaign_id")).as("campaign_id"), FactLead.blank(col("lead_source")).as("lead_source"),
                        col("created_at"), to_date(col("created_at")).as("created_date"), col("close_date"),
                        col("stage_name"), coalesce(col("is_closed"), lit(false)).as("is_closed"),
                        coalesce(col("is_won"), lit(false)).as("is_won"), col("probability"), col("amount"), col("currency"),
                        col("amount_rc"),
                        when(col("is_won").equalTo(true), datediff(col("close_date"), to_date(col("created_at")))).as("sales_cycle_days")),
                c -> Built.withoutRate(c, TABLE.name()));
    }
}
