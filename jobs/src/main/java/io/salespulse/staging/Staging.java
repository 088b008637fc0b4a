package io.salespulse.staging;

import io.salespulse.ingest.SourceObject;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.salespulse.staging.Typing.Type.BOOLEAN;
import static io.salespulse.staging.Typing.Type.DATE;
import static io.salespulse.staging.Typing.Type.DECIMAL;
import static io.salespulse.staging.Typing.Type.RATE;
import static io.salespulse.staging.Typing.Type.STRING;
import static io.salespulse.staging.Typing.Type.TIMESTAMP;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.when;

/**
 * Staging models: one per Salesforce object, typed and renamed from bronze. A row whose required
 * field is blank or whose value cannot be read carries the reason in {@code _error} (it goes to
 * quarantine); every other row carries null there.
 */
public final class Staging {

    /** Lineage columns kept from bronze for ordering versions and naming files. */
    public static final List<String> LINEAGE = List.of("_snapshot_date", "_source_file", "_row_number");

    public static final Map<SourceObject, StagedObject> MODELS = Map.ofEntries(
            Map.entry(SourceObject.LEAD, StagedObject.of(SourceObject.LEAD)
                    .field("FirstName", "first_name", STRING).field("LastName", "last_name", STRING)
                    .field("Company", "company", STRING).field("Email", "email", STRING)
                    .field("Phone", "phone", STRING).field("MobilePhone", "mobile_phone", STRING)
                    .field("LeadSource", "lead_source", STRING).field("Status", "status", STRING)
                    .field("OwnerId", "owner_id", STRING).field("IsConverted", "is_converted", BOOLEAN)
                    .field("ConvertedDate", "converted_date", DATE)
                    .field("ConvertedAccountId", "converted_account_id", STRING)
                    .field("ConvertedContactId", "converted_contact_id", STRING)
                    .field("ConvertedOpportunityId", "converted_opportunity_id", STRING)
                    .field("Country", "country", STRING).field("Industry", "industry", STRING).build()),
            Map.entry(SourceObject.ACCOUNT, StagedObject.of(SourceObject.ACCOUNT)
                    .field("Name", "name", STRING).field("Type", "type", STRING).field("Industry", "industry", STRING)
                    .field("BillingCountry", "country", STRING).field("NumberOfEmployees", "number_of_employees", STRING)
                    .field("OwnerId", "owner_id", STRING).build()),
            Map.entry(SourceObject.CONTACT, StagedObject.of(SourceObject.CONTACT)
                    .field("AccountId", "account_id", STRING).field("Email", "email", STRING)
                    .field("LeadSource", "lead_source", STRING).field("OwnerId", "owner_id", STRING).build()),
            Map.entry(SourceObject.OPPORTUNITY, StagedObject.of(SourceObject.OPPORTUNITY)
                    .field("AccountId", "account_id", STRING).field("Name", "name", STRING)
                    .field("StageName", "stage_name", STRING).field("Amount", "amount", DECIMAL)
                    .required("CloseDate", "close_date", DATE).field("Probability", "probability", DECIMAL)
                    .field("Type", "type", STRING).field("LeadSource", "lead_source", STRING)
                    .field("IsClosed", "is_closed", BOOLEAN).field("IsWon", "is_won", BOOLEAN)
                    .field("OwnerId", "owner_id", STRING).field("CampaignId", "campaign_id", STRING)
                    .field("CurrencyIsoCode", "currency", STRING).build()),
            Map.entry(SourceObject.OPPORTUNITY_HISTORY, StagedObject.of(SourceObject.OPPORTUNITY_HISTORY)
                    .required("OpportunityId", "opportunity_id", STRING).field("StageName", "stage_name", STRING)
                    .field("Amount", "amount", DECIMAL).field("CloseDate", "close_date", DATE)
                    .field("Probability", "probability", DECIMAL).build()),
            Map.entry(SourceObject.CAMPAIGN, StagedObject.of(SourceObject.CAMPAIGN)
                    .field("Name", "name", STRING).field("Type", "type", STRING).field("Status", "status", STRING)
                    .field("StartDate", "start_date", DATE).field("EndDate", "end_date", DATE)
                    .field("BudgetedCost", "budgeted_cost", DECIMAL).field("ActualCost", "actual_cost", DECIMAL)
                    .field("CurrencyIsoCode", "currency", STRING).build()),
            Map.entry(SourceObject.CAMPAIGN_MEMBER, StagedObject.of(SourceObject.CAMPAIGN_MEMBER)
                    .required("CampaignId", "campaign_id", STRING).field("LeadId", "lead_id", STRING)
                    .field("ContactId", "contact_id", STRING).field("Status", "status", STRING)
                    .field("HasResponded", "has_responded", BOOLEAN)
                    .field("FirstRespondedDate", "first_responded_date", DATE).build()),
            Map.entry(SourceObject.USER, StagedObject.of(SourceObject.USER)
                    .field("Name", "name", STRING).field("Department", "department", STRING)
                    .field("ManagerId", "manager_id", STRING).field("IsActive", "is_active", BOOLEAN).build()),
            Map.entry(SourceObject.ORDER, StagedObject.of(SourceObject.ORDER)
                    .field("AccountId", "account_id", STRING).field("OrderNumber", "order_number", STRING)
                    .required("EffectiveDate", "effective_date", DATE).field("Status", "status", STRING)
                    .required("TotalAmount", "total_amount", DECIMAL).field("CurrencyIsoCode", "currency", STRING)
                    .field("IsReductionOrder", "is_reduction", BOOLEAN).build()),
            Map.entry(SourceObject.ORDER_ITEM, StagedObject.of(SourceObject.ORDER_ITEM)
                    .required("OrderId", "order_id", STRING).field("Product2Id", "product_id", STRING)
                    .required("Quantity", "quantity", DECIMAL).field("UnitPrice", "unit_price", DECIMAL)
                    .required("TotalPrice", "total_price", DECIMAL).build()),
            Map.entry(SourceObject.PRODUCT, StagedObject.of(SourceObject.PRODUCT)
                    .field("Name", "name", STRING).field("ProductCode", "product_code", STRING)
                    .field("Family", "family", STRING).field("IsActive", "is_active", BOOLEAN).build()),
            Map.entry(SourceObject.DATED_CONVERSION_RATE, StagedObject.of(SourceObject.DATED_CONVERSION_RATE)
                    .required("IsoCode", "iso_code", STRING).required("ConversionRate", "conversion_rate", RATE)
                    .required("StartDate", "start_date", DATE).field("NextStartDate", "next_start_date", DATE).build()));

    private Staging() {
    }

    /**
     * The latest believable time for something in a snapshot of {@code snapshotDate}: the end of
     * the next day (a day of slack for time zones and clock skew). Later is a clock or export error.
     */
    public static Column latestPlausible(Column snapshotDate) {
        return date_add(snapshotDate, 2).cast("timestamp");
    }

    private static int indexOf(List<StagedObject.Field> fields, String name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no field " + name);
    }

    /** Typed, renamed rows of one object, with lineage columns and {@code _error}. */
    public static Dataset<Row> stage(Dataset<Row> bronze, StagedObject model) {
        List<String> present = List.of(bronze.columns());
        List<StagedObject.Field> fields = model.fields();
        // step 1: each value once as trimmed text and once typed
        List<Column> step1 = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            StagedObject.Field f = fields.get(i);
            Column raw = present.contains(f.sourceName()) ? Typing.raw(f.sourceName()) : lit(null).cast("string");
            step1.add(Typing.blankToNull(raw).as("_raw" + i));
            Column typed = Typing.parse(raw, f.type());
            step1.add((f.name().equals("is_deleted") ? coalesce(typed, lit(false)) : typed).as(f.name()));
        }
        for (String lineage : LINEAGE) {
            step1.add(col(lineage));
        }
        Dataset<Row> typed = bronze.select(step1.toArray(Column[]::new));
        // step 2: the first field that is missing (required) or present but unreadable names the error
        // lowest priority: a record cannot have been created or modified after it was extracted
        Column error = lit(null).cast("string");
        for (String stamp : List.of("system_modstamp", "created_at")) {
            int i = indexOf(fields, stamp);
            error = when(col(stamp).gt(latestPlausible(col("_snapshot_date"))),
                    concat(lit(fields.get(i).sourceName() + " '"), col("_raw" + i), lit("' is after its snapshot date")))
                    .otherwise(error);
        }
        for (int i = fields.size() - 1; i >= 0; i--) {
            StagedObject.Field f = fields.get(i);
            Column raw = col("_raw" + i);
            if (f.type() != Typing.Type.STRING) {
                Column bad = raw.isNotNull().and(col(f.name()).isNull());
                if (f.name().equals("is_deleted")) {
                    bad = raw.isNotNull().and(lower(raw).isin("true", "false").equalTo(false));
                }
                error = when(bad, concat(lit("unparseable " + f.sourceName() + " '"), raw, lit("'"))).otherwise(error);
            }
            if (f.required()) {
                error = when(raw.isNull(), lit("missing " + f.sourceName())).otherwise(error);
            }
        }
        List<Column> step2 = new ArrayList<>();
        for (StagedObject.Field f : fields) {
            step2.add(col(f.name()));
        }
        for (String lineage : LINEAGE) {
            step2.add(col(lineage));
        }
        step2.add(error.as("_error"));
        return typed.select(step2.toArray(Column[]::new));
    }
}
