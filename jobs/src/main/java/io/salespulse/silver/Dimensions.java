package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.common.TableSchema;
import io.salespulse.intermediate.ConversionRates;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.dayofweek;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.quarter;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.weekofyear;
import static org.apache.spark.sql.functions.year;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createDecimalType;

/** The small dimensions: sales reps, campaigns, products, dates. */
public final class Dimensions {

    public static final TableSpec SALES_REP = new TableSpec("dim_sales_rep",
            "One row per live Salesforce User (the sales reps OwnerId points to); no email kept",
            TableSchema.of()
                    .col("owner_id", StringType, "Salesforce User Id (what OwnerId fields hold)")
                    .col("name", StringType, "Full name")
                    .col("department", StringType, "Department")
                    .col("manager_id", StringType, "User Id of the manager")
                    .col("is_active", BooleanType, "IsActive")
                    .struct(),
            List.of("owner_id"));

    public static final TableSpec CAMPAIGN = new TableSpec("dim_campaign",
            "One row per live campaign, costs in reporting currency at the StartDate rate",
            TableSchema.of()
                    .col("campaign_id", StringType, "Salesforce Campaign Id")
                    .col("name", StringType, "Campaign name")
                    .col("type", StringType, "Campaign type")
                    .col("status", StringType, "Campaign status")
                    .col("start_date", DateType, "StartDate")
                    .col("end_date", DateType, "EndDate")
                    .col("currency", StringType, "CurrencyIsoCode")
                    .col("budgeted_cost", createDecimalType(38, 6), "BudgetedCost, campaign currency")
                    .col("actual_cost", createDecimalType(38, 6), "ActualCost, campaign currency")
                    .col("actual_cost_rc", createDecimalType(38, 6), "ActualCost in reporting currency at the rate valid on start_date (null cost counts as 0 downstream)")
                    .struct(),
            List.of("campaign_id"));

    public static final TableSpec PRODUCT = new TableSpec("dim_product",
            "One row per live product (Product2)",
            TableSchema.of()
                    .col("product_id", StringType, "Salesforce Product2 Id")
                    .col("name", StringType, "Product name")
                    .col("product_code", StringType, "ProductCode")
                    .col("family", StringType, "Product family")
                    .col("is_active", BooleanType, "IsActive")
                    .struct(),
            List.of("product_id"));

    public static final TableSpec DATE = new TableSpec("dim_date",
            "One row per calendar day from the earliest business date seen to the run date",
            TableSchema.of()
                    .col("date", DateType, "Calendar day")
                    .col("year", IntegerType, "Year")
                    .col("quarter", IntegerType, "Quarter 1-4")
                    .col("month", IntegerType, "Month 1-12")
                    .col("week_of_year", IntegerType, "ISO week of the year")
                    .col("day_of_week", IntegerType, "1 = Monday ... 7 = Sunday (ISO)")
                    .col("is_weekend", BooleanType, "Saturday or Sunday")
                    .struct(),
            List.of("date"));

    private Dimensions() {
    }

    public static Dataset<Row> salesReps(Dataset<Row> users) {
        return users.select(col("id").as("owner_id"), col("name"), col("department"), col("manager_id"),
                coalesce(col("is_active"), lit(false)).as("is_active"));
    }

    public static Built campaigns(Dataset<Row> campaigns, Dataset<Row> rates, String reportingCurrency) {
        Dataset<Row> withDate = campaigns.withColumn("_cost_date", coalesce(col("start_date"), to_date(col("created_at"))));
        Dataset<Row> converted = ConversionRates.convert(withDate, rates, reportingCurrency,
                "actual_cost", "currency", "_cost_date", "actual_cost_rc", "id");
        return Built.split(converted, c -> c.where(col("_rate_error").isNull()).select(
                        col("id").as("campaign_id"), col("name"), col("type"), col("status"), col("start_date"), col("end_date"),
                        col("currency"), col("budgeted_cost"), col("actual_cost"), col("actual_cost_rc")),
                c -> Built.withoutRate(c, CAMPAIGN.name()));
    }

    public static Dataset<Row> products(Dataset<Row> products) {
        return products.select(col("id").as("product_id"), col("name"), col("product_code"), col("family"),
                coalesce(col("is_active"), lit(false)).as("is_active"));
    }

    /**
     * From the run's inputs: every date from the earliest business date in the facts built before
     * it (at most 20 years back, whatever bad data says) to the run date.
     */
    public static Dataset<Row> dates(SilverInputs in) {
        LocalDate runDate = in.runDate();
        Row r = in.table(FactLead.TABLE).select(min("created_date").as("d"))
                .union(in.table(FactOpportunity.TABLE).select(min("created_date")))
                .union(in.table(FactOrder.TABLE).select(min("effective_date")))
                .union(in.table(FactActivityDaily.TABLE).select(min("activity_date")))
                .agg(min("d")).first();
        LocalDate first = r.isNullAt(0) ? runDate : r.getDate(0).toLocalDate();
        LocalDate floor = runDate.minusYears(20);
        if (first.isBefore(floor)) {
            first = floor;
        }
        return dates(in.rates().sparkSession(), first.isAfter(runDate) ? runDate : first, runDate);
    }

    public static Dataset<Row> dates(SparkSession spark, LocalDate from, LocalDate to) {
        Dataset<Row> days = spark.range(1).select(explode(sequence(lit(Date.valueOf(from)), lit(Date.valueOf(to)))).as("date"));
        // dayofweek: 1 = Sunday in Spark; ISO numbering has Monday = 1
        return days.select(col("date"), year(col("date")).as("year"), quarter(col("date")).as("quarter"),
                month(col("date")).as("month"), weekofyear(col("date")).as("week_of_year"),
                dayofweek(col("date")).plus(5).mod(7).plus(1).as("day_of_week"),
                dayofweek(col("date")).isin(1, 7).as("is_weekend"));
    }
}
