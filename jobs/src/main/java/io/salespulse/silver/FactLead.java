package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.common.TableSchema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

/** {@code silver.fact_lead}: one row per live lead, with its quality, first touch and conversion outcome. */
public final class FactLead {

    public static final TableSpec TABLE = new TableSpec("fact_lead",
            "One row per live Salesforce lead: quality score, first-touch campaign and conversion outcome",
            TableSchema.of()
                    .col("lead_id", StringType, "Salesforce Lead Id")
                    .col("created_at", TimestampType, "When the lead was created")
                    .col("created_date", DateType, "Date of created_at in the reporting time zone")
                    .col("lead_source", StringType, "LeadSource as entered (null when blank)")
                    .col("first_touch_campaign_id", StringType, "Campaign of the lead's earliest CampaignMember row (ties: lowest member Id)")
                    .col("owner_id", StringType, "Current owner (User Id)")
                    .col("status", StringType, "Lead status")
                    .col("country", StringType, "Country")
                    .col("industry", StringType, "Industry")
                    .col("name_ok", BooleanType, "FirstName or LastName not blank")
                    .col("email_ok", BooleanType, "Trimmed Email fully matches ^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$")
                    .col("phone_ok", BooleanType, "Phone or MobilePhone has 7 to 15 digits once non-digits are removed")
                    .col("quality_score", DoubleType, "(name_ok + email_ok + phone_ok) / 3")
                    .col("email_hash", StringType, "HMAC-SHA-256 (hex) of the trimmed, lower-cased email; null when blank")
                    .col("is_converted", BooleanType, "IsConverted")
                    .col("converted_date", DateType, "ConvertedDate")
                    .col("converted_account_id", StringType, "Account the lead was converted into")
                    .col("converted_opportunity_id", StringType, "Opportunity created at conversion, if any")
                    .col("became_customer", BooleanType, "Converted, its account is a customer, acquired on or after the lead's created date")
                    .col("days_to_customer", IntegerType, "acquisition_date - created_date, for leads that became customers")
                    .struct(),
            List.of("lead_id"))
            .requiring("created_date")
            .expecting("owner_id", Dimensions.SALES_REP, "owner_id")
            .expecting("first_touch_campaign_id", Dimensions.CAMPAIGN, "campaign_id");

    static final String EMAIL_PATTERN = "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$";

    private FactLead() {
    }

    /**
     * @param leads        live staged leads
     * @param members      {@code fact_campaign_member} rows (of these leads, or more)
     * @param acquisitions account_id, acquisition_date (customers only)
     */
    public static Dataset<Row> build(Dataset<Row> leads, Dataset<Row> members, Dataset<Row> acquisitions, EmailHash hash) {
        Dataset<Row> firstTouch = members.where(col("lead_id").isNotNull())
                .withColumn("_rank", row_number().over(Window.partitionBy("lead_id")
                        .orderBy(col("created_at"), col("campaign_member_id"))))
                .where(col("_rank").equalTo(1))
                .select(col("lead_id").as("_ft_lead"), col("campaign_id").as("first_touch_campaign_id"));
        Dataset<Row> acq = acquisitions.select(col("account_id").as("_acq_account"), col("acquisition_date"));
        Column nameOk = notBlank(col("first_name")).or(notBlank(col("last_name")));
        Column emailOk = coalesce(trim(col("email")).rlike(EMAIL_PATTERN), lit(false));
        Column phoneOk = digits(col("phone")).or(digits(col("mobile_phone")));
        Column createdDate = to_date(col("created_at"));
        Column became = became(col("is_converted"), createdDate);
        return leads
                .join(firstTouch, leads.col("id").equalTo(firstTouch.col("_ft_lead")), "left")
                .join(acq, leads.col("converted_account_id").equalTo(acq.col("_acq_account")), "left")
                .select(
                        col("id").as("lead_id"),
                        col("created_at"),
                        createdDate.as("created_date"),
                        blank(col("lead_source")).as("lead_source"),
                        col("first_touch_campaign_id"),
                        col("owner_id"),
                        col("status"),
                        col("country"),
                        col("industry"),
                        nameOk.as("name_ok"),
                        emailOk.as("email_ok"),
                        phoneOk.as("phone_ok"),
                        nameOk.cast("int").plus(emailOk.cast("int")).plus(phoneOk.cast("int")).cast("double").divide(3.0)
                                .as("quality_score"),
                        hash.hash(col("email")).as("email_hash"),
                        coalesce(col("is_converted"), lit(false)).as("is_converted"),
                        col("converted_date"),
                        blank(col("converted_account_id")).as("converted_account_id"),
                        blank(col("converted_opportunity_id")).as("converted_opportunity_id"),
                        became.as("became_customer"),
                        when(became, datediff(col("acquisition_date"), createdDate)).as("days_to_customer"));
    }

    /**
     * The {@code lead_id} of the stored rows whose conversion outcome ({@code became_customer},
     * {@code days_to_customer}) the customers' acquisitions now give differently: the leads a
     * customer's acquisition moving, appearing or going reaches.
     *
     * @param stored       {@code fact_lead} rows as stored
     * @param acquisitions account_id, acquisition_date (customers only)
     */
    static Dataset<Row> outcomeMoved(Dataset<Row> stored, Dataset<Row> acquisitions) {
        Dataset<Row> acq = acquisitions.select(col("account_id").as("_acq_account"), col("acquisition_date"));
        Column became = became(col("is_converted"), col("created_date"));
        Column days = when(became, datediff(col("acquisition_date"), col("created_date")));
        // a lead converted into no account is no customer's, whatever the acquisitions
        return stored.where(col("converted_account_id").isNotNull())
                .join(acq, stored.col("converted_account_id").equalTo(acq.col("_acq_account")), "left")
                .where(not(col("became_customer").eqNullSafe(became)).or(not(col("days_to_customer").eqNullSafe(days))))
                .select("lead_id");
    }

    /** Converted into an account that is a customer, acquired on or after the lead was created (kpis.md). */
    private static Column became(Column isConverted, Column createdDate) {
        return coalesce(isConverted, lit(false))
                .and(col("acquisition_date").isNotNull())
                .and(col("acquisition_date").geq(createdDate));
    }

    static Column notBlank(Column c) {
        return coalesce(trim(c).notEqual(""), lit(false));
    }

    static Column blank(Column c) {
        return when(trim(c).notEqual(""), c);
    }

    private static Column digits(Column phone) {
        Column n = length(regexp_replace(coalesce(phone, lit("")), "[^0-9]", ""));
        return n.geq(7).and(n.leq(15));
    }
}
