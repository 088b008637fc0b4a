package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.common.TableSchema;
import io.salespulse.ingest.SourceObject;
import io.salespulse.staging.Staging;
import io.salespulse.staging.Typing;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * {@code silver.fact_activity_daily}: one row per analytics user and day, from Segment events
 * deduplicated on messageId across all folders, each placed on the date of its own timestamp
 * (late events included). A user is {@code coalesce(userId, anonymousId)}; a userId is linked to
 * an account through the email of its most recent identify that carried one, matched (trimmed,
 * lower-cased) to a live Contact.
 */
public final class FactActivityDaily {

    public static final TableSpec TABLE = new TableSpec("fact_activity_daily",
            "One row per analytics user and day: event counts and lifecycle events, linked to an account when known",
            TableSchema.of()
                    .col("activity_date", DateType, "Date of the events' timestamp in the reporting time zone")
                    .col("user_id", StringType, "coalesce(userId, anonymousId)")
                    .col("is_identified", BooleanType, "user_id is a Segment userId (not an anonymousId)")
                    .col("account_id", StringType, "Account of the Contact whose email matches the user's most recent identify")
                    .col("events", LongType, "Events of any type that day")
                    .col("page_views", LongType, "page events that day")
                    .col("signed_up", BooleanType, "A 'Signed Up' track event that day")
                    .col("activated", BooleanType, "An 'Account Activated' track event that day")
                    .col("cancelled", BooleanType, "A 'Subscription Cancelled' track event that day")
                    .struct(),
            List.of("activity_date", "user_id"));

    /** Segment event types the spec defines; anything else is quarantined. */
    static final List<String> KNOWN_TYPES = List.of("track", "identify", "page", "screen", "group", "alias");

    private FactActivityDaily() {
    }

    /** Typed events with {@code _error}; one row per bronze row. */
    public static Dataset<Row> stage(Dataset<Row> bronze) {
        Column ts = Typing.parse(col("timestamp"), Typing.Type.TIMESTAMP);
        Column userId = Typing.blankToNull(col("userId"));
        Column user = coalesce(userId, Typing.blankToNull(col("anonymousId")));
        Column error = when(ts.isNull(), concat(lit("unparseable timestamp '"), coalesce(col("timestamp"), lit("")), lit("'")))
                .when(col("type").isin(KNOWN_TYPES.toArray()).equalTo(false), concat(lit("unknown event type '"), col("type"), lit("'")))
                .when(user.isNull(), lit("no userId or anonymousId"))
                .when(ts.gt(Staging.latestPlausible(col("_snapshot_date"))),
                        concat(lit("timestamp '"), col("timestamp"), lit("' is after its received date")));
        return bronze.select(col("messageId").as("id"), col("type"), col("event"), userId.as("segment_user_id"),
                user.as("user_id"), ts.as("event_at"), get_json_object(col("traits"), "$.email").as("traits_email"),
                col("_snapshot_date"), col("_source_file"), col("_row_number"), error.as("_error"));
    }

    /** First delivery of each messageId wins; the rest are duplicates. */
    public static Dataset<Row> dedupe(Dataset<Row> staged) {
        return staged.withColumn("_copy", row_number().over(Window.partitionBy("id")
                        .orderBy(col("_snapshot_date"), col("_source_file"), col("_row_number"))))
                .where(col("_copy").equalTo(1)).drop("_copy");
    }

    /** From the run's inputs: bronze events staged and deduplicated; an event that cannot be typed is quarantined. */
    public static Built build(SilverInputs in) {
        Dataset<Row> staged = stage(in.events());
        Dataset<Row> events = dedupe(staged.where(col("_error").isNull()));
        return new Built(build(events, in.live(SourceObject.CONTACT)),
                Built.quarantine(staged.where(col("_error").isNotNull()), "segment_events", col("_error")));
    }

    /**
     * @param events   deduplicated events without errors
     * @param contacts live staged contacts
     */
    public static Dataset<Row> build(Dataset<Row> events, Dataset<Row> contacts) {
        Dataset<Row> lastIdentify = events
                .where(col("type").equalTo("identify").and(col("segment_user_id").isNotNull())
                        .and(trim(col("traits_email")).notEqual("")))
                .withColumn("_rank", row_number().over(Window.partitionBy("segment_user_id")
                        .orderBy(col("event_at").desc(), col("id").desc())))
                .where(col("_rank").equalTo(1))
                .select(col("segment_user_id").as("_link_user"), lower(trim(col("traits_email"))).as("_email"));
        Dataset<Row> contactEmails = contacts.where(col("email").isNotNull())
                .withColumn("_email", lower(trim(col("email"))))
                .withColumn("_rank", row_number().over(Window.partitionBy("_email")
                        .orderBy(col("system_modstamp").desc(), col("id"))))
                .where(col("_rank").equalTo(1))
                .select(col("_email").as("_contact_email"), col("account_id"));
        Dataset<Row> links = lastIdentify.join(contactEmails, lastIdentify.col("_email").equalTo(contactEmails.col("_contact_email")))
                .select(col("_link_user"), col("account_id"));
        Column isTrack = col("type").equalTo("track");
        Dataset<Row> daily = events
                .groupBy(to_date(col("event_at")).as("activity_date"), col("user_id"))
                .agg(max(col("segment_user_id").isNotNull()).as("is_identified"),
                        first(col("segment_user_id"), true).as("_segment_user"),
                        count(lit(1)).as("events"),
                        sum(when(col("type").equalTo("page"), 1L).otherwise(0L)).as("page_views"),
                        max(isTrack.and(col("event").equalTo("Signed Up"))).as("signed_up"),
                        max(isTrack.and(col("event").equalTo("Account Activated"))).as("activated"),
                        max(isTrack.and(col("event").equalTo("Subscription Cancelled"))).as("cancelled"));
        return daily.join(links, daily.col("_segment_user").equalTo(links.col("_link_user")), "left")
                .select(col("activity_date"), col("user_id"), col("is_identified"), col("account_id"), col("events"),
                        col("page_views"), coalesce(col("signed_up"), lit(false)).as("signed_up"),
                        coalesce(col("activated"), lit(false)).as("activated"),
                        coalesce(col("cancelled"), lit(false)).as("cancelled"));
    }
}
