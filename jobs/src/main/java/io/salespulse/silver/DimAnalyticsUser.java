package io.salespulse.silver;

import io.salespulse.common.TableSchema;
import io.salespulse.common.TableSpec;
import io.salespulse.ingest.SourceObject;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.sql.Date;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

/**
 * {@code silver.dim_analytics_user}: one row per Segment userId that identified with an email, its
 * most recent such identify and the account that email links it to (sources.md: the normalized
 * email of the most recent identify that carried {@code traits.email}, matched to a live Contact).
 * fact_activity_daily takes each identified user's account from here.
 *
 * <p>Why a table: the latest identify of a user is a maximum, so it can be kept by key and
 * updated with the night's identifies, instead of every nightly run reading every identify in
 * bronze to link the users again (the one pass over all events that run still made). The email is
 * kept hashed ({@link EmailHash}); the contacts' emails are hashed the same way to be matched.
 */
public final class DimAnalyticsUser {

    public static final TableSpec TABLE = new TableSpec("dim_analytics_user",
            "One row per Segment userId that identified with an email: its most recent such identify and the account it links to",
            TableSchema.of()
                    .col("user_id", StringType, "Segment userId")
                    .col("email_hash", StringType, "HMAC-SHA-256 of the normalized email of the user's most recent identify that carried one")
                    .col("identified_at", TimestampType, "Timestamp of that identify")
                    .col("identify_message_id", StringType, "messageId of that identify (of two at the same timestamp, the greater messageId is the latest)")
                    .col("account_id", StringType, "Account of the live Contact with that email (the most recently modified when several share it); null when none")
                    .struct(),
            List.of("user_id"));

    private DimAnalyticsUser() {
    }

    /**
     * From the run's inputs: every identify in bronze, or with an activity increment the stored rows
     * and the identifies landed after it was applied (copies of one message are the same event, so
     * one already stored ties with itself and changes nothing). Linked to the live contacts of the
     * run every time: a contact's new email or account moves the users it matches.
     */
    public static Dataset<Row> build(SilverInputs in) {
        FactActivityDaily.Increment increment = in.activityIncrement();
        if (increment == null) {
            return fromEvents(in.events(), in.live(SourceObject.CONTACT), in.hash());
        }
        Dataset<Row> landed = in.events().where(col("_snapshot_date").gt(lit(Date.valueOf(increment.appliedThrough()))));
        return updated(increment.users(), landed, in.live(SourceObject.CONTACT), in.hash());
    }

    /** The table computed from bronze events (all of those landed on or before the run date). */
    static Dataset<Row> fromEvents(Dataset<Row> bronzeEvents, Dataset<Row> contacts, EmailHash hash) {
        return linked(hashed(latest(identifies(bronzeEvents)), hash), contacts, hash);
    }

    /** The stored table updated with the identifies among {@code landed} (bronze events landed since it was computed). */
    static Dataset<Row> updated(Dataset<Row> stored, Dataset<Row> landed, Dataset<Row> contacts, EmailHash hash) {
        Dataset<Row> users = latest(hashed(latest(identifies(landed)), hash)
                .unionByName(stored.select("user_id", "email_hash", "identified_at", "identify_message_id")));
        return linked(users, contacts, hash);
    }

    /**
     * The identifies among bronze events that can link a user: typed without error, with a userId
     * and a non-blank {@code traits.email} (raw, for {@link #latest} and {@link #hashed}).
     */
    static Dataset<Row> identifies(Dataset<Row> bronzeEvents) {
        // the type is read before the events are typed: the identifies are a few of them
        Dataset<Row> staged = FactActivityDaily.stage(bronzeEvents.where(col("type").equalTo("identify")));
        return staged.where(col("_error").isNull().and(col("segment_user_id").isNotNull())
                        .and(trim(col("traits_email")).notEqual("")))
                .select(col("segment_user_id").as("user_id"), col("traits_email"), col("event_at").as("identified_at"),
                        col("id").as("identify_message_id"));
    }

    /** Each user's most recent identify: the latest timestamp, then the greatest messageId. */
    static Dataset<Row> latest(Dataset<Row> identifies) {
        return identifies.withColumn("_rank", row_number().over(Window.partitionBy("user_id")
                        .orderBy(col("identified_at").desc(), col("identify_message_id").desc())))
                .where(col("_rank").equalTo(1)).drop("_rank");
    }

    /** The raw email replaced by its hash (only the users' latest identifies are hashed: fewer rows). */
    static Dataset<Row> hashed(Dataset<Row> identifies, EmailHash hash) {
        return identifies.select(col("user_id"), hash.hash(col("traits_email")).as("email_hash"), col("identified_at"),
                col("identify_message_id"));
    }

    /**
     * Users with the account of the live contact whose normalized email hashes the same (the most
     * recently modified contact, then the smallest id, when several share an email).
     */
    static Dataset<Row> linked(Dataset<Row> users, Dataset<Row> contacts, EmailHash hash) {
        Dataset<Row> contactEmails = contacts.where(col("email").isNotNull())
                .withColumn("_email", lower(trim(col("email"))))
                .withColumn("_rank", row_number().over(Window.partitionBy("_email")
                        .orderBy(col("system_modstamp").desc(), col("id"))))
                .where(col("_rank").equalTo(1))
                .select(hash.hash(col("_email")).as("_contact_hash"), col("account_id"));
        return users.join(contactEmails, users.col("email_hash").equalTo(contactEmails.col("_contact_hash")), "left")
                .select(col("user_id"), col("email_hash"), col("identified_at"), col("identify_message_id"), col("account_id"));
    }
}
