package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.common.TableSchema;
import io.salespulse.ingest.SourceObject;
import io.salespulse.intermediate.CurrentState;
import io.salespulse.intermediate.CustomerAcquisition;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.xxhash64;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

/**
 * {@code silver.dim_customer}: SCD type 2 over an account's owner, industry, country and type.
 * A new row starts at the SystemModstamp of the first version where one of those changed;
 * name and the customer attributes (is_customer, acquisition, channel) are current values.
 */
public final class DimCustomer {

    public static final TableSpec TABLE = new TableSpec("dim_customer",
            "One row per account version (SCD type 2 on owner, industry, country, type), live accounts only",
            TableSchema.of()
                    .col("customer_key", LongType, "Surrogate key of the version: xxhash64(account_id, valid_from)")
                    .col("account_id", StringType, "Salesforce Account Id")
                    .col("name", StringType, "Account name (current)")
                    .col("industry", StringType, "Industry during the version")
                    .col("country", StringType, "BillingCountry during the version")
                    .col("owner_id", StringType, "Owner (User Id) during the version")
                    .col("type", StringType, "Account Type during the version")
                    .col("is_customer", BooleanType, "Has at least one counted (Activated) non-reduction order")
                    .col("acquisition_date", DateType, "EffectiveDate of the earliest counted non-reduction order")
                    .col("cohort_month", StringType, "yyyy-MM of acquisition_date")
                    .col("acquisition_channel", StringType, "LeadSource of the earliest-created lead converted into the account; 'unknown' when none or blank")
                    .col("valid_from", TimestampType, "Start of the version (SystemModstamp of its first Salesforce version)")
                    .col("valid_to", TimestampType, "Start of the next version; null for the current one")
                    .col("is_current", BooleanType, "valid_to is null")
                    .struct(),
            List.of("customer_key"))
            .requiring("account_id", "valid_from");

    private DimCustomer() {
    }

    /** From the run's inputs: every version of each live account, in its history, without deletions. */
    public static Dataset<Row> build(SilverInputs in) {
        Dataset<Row> ranked = in.ranked(SourceObject.ACCOUNT);
        Dataset<Row> live = in.live(SourceObject.ACCOUNT);
        Dataset<Row> ids = live.select(col("id").as("_live_id"));
        Dataset<Row> versions = ranked.where(col("is_deleted").equalTo(false).and(col("_source_file").notEqual(CurrentState.ABSENT)))
                .join(ids, ranked.col("id").equalTo(ids.col("_live_id"))).drop("_live_id", "_is_current");
        return build(versions, live, in.acquisitions(), CustomerAcquisition.channels(in.table(FactLead.TABLE)));
    }

    /**
     * @param versions     every staged version of live accounts (not deleted), any order
     * @param current      live accounts (current version)
     * @param acquisitions account_id, acquisition_date, cohort_month
     * @param channels     account_id, acquisition_channel
     */
    public static Dataset<Row> build(Dataset<Row> versions, Dataset<Row> current, Dataset<Row> acquisitions, Dataset<Row> channels) {
        WindowSpec inOrder = Window.partitionBy("id").orderBy(col("system_modstamp"), col("_snapshot_date"),
                col("_source_file"), col("_row_number"));
        Column changed = lag(col("owner_id"), 1).over(inOrder).isNull().and(lag(col("id"), 1).over(inOrder).isNull())
                .or(not(same("owner_id", inOrder)).or(not(same("industry", inOrder)))
                        .or(not(same("country", inOrder))).or(not(same("type", inOrder))));
        Dataset<Row> starts = versions.withColumn("_starts", changed).where(col("_starts"))
                .select(col("id"), col("owner_id"), col("industry"), col("country"), col("type"),
                        col("system_modstamp").as("valid_from"), col("_snapshot_date"), col("_source_file"), col("_row_number"));
        Dataset<Row> scd = starts.withColumn("valid_to", lead(col("valid_from"), 1).over(Window.partitionBy("id")
                .orderBy(col("valid_from"), col("_snapshot_date"), col("_source_file"), col("_row_number"))));
        Dataset<Row> names = current.select(col("id").as("_cur_id"), col("name"));
        Dataset<Row> acq = acquisitions.select(col("account_id").as("_acq_id"), col("acquisition_date"), col("cohort_month"));
        Dataset<Row> ch = channels.select(col("account_id").as("_ch_id"), col("acquisition_channel"));
        return scd.join(names, scd.col("id").equalTo(names.col("_cur_id")))
                .join(acq, scd.col("id").equalTo(acq.col("_acq_id")), "left")
                .join(ch, scd.col("id").equalTo(ch.col("_ch_id")), "left")
                .select(
                        xxhash64(col("id"), col("valid_from")).as("customer_key"),
                        col("id").as("account_id"), col("name"), col("industry"), col("country"), col("owner_id"), col("type"),
                        col("acquisition_date").isNotNull().as("is_customer"), col("acquisition_date"), col("cohort_month"),
                        coalesce(col("acquisition_channel"), lit("unknown")).as("acquisition_channel"),
                        col("valid_from"), col("valid_to"), col("valid_to").isNull().as("is_current"));
    }

    /** The column equals its value on the previous version (nulls equal). */
    private static Column same(String column, WindowSpec inOrder) {
        return col(column).eqNullSafe(lag(col(column), 1).over(inOrder));
    }
}
