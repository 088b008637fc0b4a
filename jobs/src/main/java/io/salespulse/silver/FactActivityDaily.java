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

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
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
 * lower-cased) to a live Contact: {@link DimAnalyticsUser}, built before it.
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
            List.of("activity_date", "user_id"))
            // files of date ranges: a night's update replaces the last days (and the rows of any re-linked
            // user), which then rewrites only the files holding those days, and gold's reads of recent
            // dates skip the rest
            .orderedBy("activity_date");

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

    /**
     * What a daily run needs to update the stored table instead of recomputing it: the date through
     * which bronze events were applied to it (every event landed after it is new to the table, and
     * no event landed on or before it changed since), the table as stored, and {@link DimAnalyticsUser}
     * as stored with it (its update starts from it, and the activity's tells the re-linked users by it):
     * the version the run started with, even after the run has written the new one.
     */
    public record Increment(LocalDate appliedThrough, Dataset<Row> stored, Dataset<Row> users) {
    }

    /**
     * From the run's inputs: bronze events staged and deduplicated; an event that cannot be typed is
     * quarantined. With an {@link SilverInputs#activityIncrement() increment}, only the part of the
     * stored table the update recomputes, as it is to be stored ({@link #update}, {@link Built#replacing()}).
     */
    public static Built build(SilverInputs in) {
        Dataset<Row> users = in.table(DimAnalyticsUser.TABLE);
        if (in.activityIncrement() != null) {
            return update(in.events(), users, in.activityIncrement());
        }
        Dataset<Row> staged = stage(in.events());
        int parts = partitionsFor(in.events());
        Dataset<Row> events = dedupe(staged.where(col("_error").isNull()).repartition(parts, col("id")));
        // in its many partitions: SilverBuild pins them as they are and writes them in the session's few
        return new Built(build(events, users, parts), quarantined(staged));
    }

    /** Compressed bronze bytes per partition of a build from all events. */
    static final long BYTES_PER_PARTITION = 16L << 20;

    /**
     * Partitions for computing the table from all events: one per {@link #BYTES_PER_PARTITION} of
     * the events' files (their size from the table's log: no Spark job), at least the session's
     * shuffle partitions. A year at scale 1 is 10.5 M events in 563 MB of files: in two partitions
     * (the session's shuffle partitions then) each task sorted and aggregated ~5 M rows, spilling
     * most of them to disk, and with code generation the aggregation ran out of a 2 GB heap.
     */
    static int partitionsFor(Dataset<Row> events) {
        int base = events.sparkSession().sessionState().conf().numShufflePartitions();
        long bytes = events.queryExecution().optimizedPlan().stats().sizeInBytes().longValue();
        return (int) Math.max(base, Math.min(1024, bytes / BYTES_PER_PARTITION));
    }

    /**
     * The staged events that cannot be typed, as quarantine rows under the bronze table's name (the
     * name SilverBuild's quarantine sync keeps apart when it only adds the new ones).
     */
    private static Dataset<Row> quarantined(Dataset<Row> staged) {
        return Built.quarantine(staged.where(col("_error").isNotNull()), SourceObject.SEGMENT_EVENTS.bronzeTable(), col("_error"));
    }

    /**
     * @param events deduplicated events without errors
     * @param users  {@link DimAnalyticsUser}'s rows: each identified user's account
     */
    public static Dataset<Row> build(Dataset<Row> events, Dataset<Row> users) {
        return build(events, users, 0);
    }

    /**
     * @param parts partitions of the per-day aggregation (the events are many: each task's share
     *              of them must fit its memory); 0 for the session's
     */
    static Dataset<Row> build(Dataset<Row> events, Dataset<Row> users, int parts) {
        Dataset<Row> daily = daily(events, parts);
        // one row per identified user: few beside the days
        Dataset<Row> links = broadcast(links(users));
        return daily.join(links, daily.col("user_id").equalTo(links.col("_user")).and(col("is_identified")), "left")
                .select(col("activity_date"), col("user_id"), col("is_identified"), col("_link").as("account_id"), col("events"),
                        col("page_views"), col("signed_up"), col("activated"), col("cancelled"));
    }

    /** The users linked to an account, from {@link DimAnalyticsUser}'s rows: _user, _link. */
    private static Dataset<Row> links(Dataset<Row> users) {
        return users.where(col("account_id").isNotNull()).select(col("user_id").as("_user"), col("account_id").as("_link"));
    }

    /**
     * The part of the stored table that can change when bronze gains the events landed after
     * {@code increment.appliedThrough()}, with its new values: every row dated on or after the
     * earliest day the new events fall on (a late event adds to its own, older day), and every row
     * of a user whose account link changed ({@link DimAnalyticsUser}: a newer identify, a contact
     * whose email or account changed). A (date, user) the new events reach gets their counts added
     * (an event whose messageId is already counted adds nothing), and each row the user's link now.
     * These are the rows {@link #build(Dataset, Dataset)} computes from all of bronze for that part:
     * Segment delivers at least once, so the copies of one messageId are one message, and whichever
     * copy is counted counts the same. The rows outside that part do not change. Two small queries
     * run here, because the part is named by value in the predicate Delta replaces it by: the
     * re-linked users (the dimension's two versions compared) and the earliest day of the new events.
     *
     * @param bronze bronze events landed on or before the run date
     * @param users  {@link DimAnalyticsUser}'s rows as this run computed them
     */
    public static Built update(Dataset<Row> bronze, Dataset<Row> users, Increment increment) {
        Column applied = col("_snapshot_date").leq(lit(Date.valueOf(increment.appliedThrough())));
        Dataset<Row> landed = stage(bronze.where(not(applied)));
        Dataset<Row> candidates = dedupe(landed.where(col("_error").isNull()));
        Dataset<Row> links = links(users);

        Dataset<Row> stored = increment.stored();
        List<String> relinked = relinked(increment.users(), users).as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        Date earliest = landed.where(col("_error").isNull()).agg(min(to_date(col("event_at")))).first().getDate(0);
        Built.Replacement part = replaced(earliest == null ? null : earliest.toLocalDate(), relinked);
        if (part == null) {
            return Built.partial(stored.limit(0), quarantined(landed), new Built.Replacement("false", "nothing"));
        }
        Dataset<Row> fresh = candidates;
        if (earliest != null) {
            fresh = candidates.join(counted(bronze.where(applied), candidates, earliest.toLocalDate()), new String[]{"id"}, "left_anti");
        }
        Dataset<Row> prior = stored.where(expr(part.predicate()));
        Dataset<Row> added = daily(fresh);
        Dataset<Row> rows = prior.as("p").join(added.as("a"), KEY, "full_outer")
                .select(col("activity_date"), col("user_id"),
                        either("is_identified"),
                        coalesce(col("p.events"), lit(0L)).plus(coalesce(col("a.events"), lit(0L))).as("events"),
                        coalesce(col("p.page_views"), lit(0L)).plus(coalesce(col("a.page_views"), lit(0L))).as("page_views"),
                        either("signed_up"), either("activated"), either("cancelled"));
        Dataset<Row> updated = rows.join(broadcast(links), col("user_id").equalTo(col("_user")).and(col("is_identified")), "left")
                .select(col("activity_date"), col("user_id"), col("is_identified"), col("_link").as("account_id"),
                        col("events"), col("page_views"), col("signed_up"), col("activated"), col("cancelled"));
        return Built.partial(updated, quarantined(landed), part);
    }

    /**
     * The users whose account link differs between two versions of {@link DimAnalyticsUser}'s rows
     * (one holding a user the other does not counts as unlinked there): user_id. Every identified row
     * of the stored table holds its user's link as the dimension stored with it gives it (the table
     * computed whole joins every row to the links; an update gives the rows it replaces the new links
     * and replaces every row of a user whose link changed), so the rows whose link changes are the
     * rows of these users: found in the dimension's ~45 k users at scale 1, not the table's 6.4 M rows.
     */
    static Dataset<Row> relinked(Dataset<Row> before, Dataset<Row> now) {
        Dataset<Row> was = before.select(col("user_id").as("_user"), col("account_id").as("_was"));
        return now.select(col("user_id"), col("account_id"))
                .join(was, col("user_id").equalTo(col("_user")), "full_outer")
                .where(not(col("account_id").eqNullSafe(col("_was"))))
                .select(coalesce(col("user_id"), col("_user")).as("user_id")).distinct();
    }

    /**
     * Folders before the earliest date of the new events that can hold a counted copy of one: a copy
     * is the same event, with the same timestamp, and an event counted from a folder is dated at
     * most two days after it ({@link Staging#latestPlausible}); one more day for the time zone.
     */
    static final int COPY_FOLDERS_BEFORE = 3;

    /**
     * The ids among {@code candidates} already counted from the events applied before: looked up
     * only in the folders that can hold a copy ({@link #COPY_FOLDERS_BEFORE}), a few days' files,
     * not every event in bronze (messageId, most of the events' bytes, was decoded for all of them).
     */
    private static Dataset<Row> counted(Dataset<Row> applied, Dataset<Row> candidates, LocalDate earliest) {
        Dataset<Row> newIds = broadcast(candidates.select(col("id").as("_new_id")).distinct());
        Dataset<Row> near = applied.where(col("_snapshot_date").geq(lit(Date.valueOf(earliest.minusDays(COPY_FOLDERS_BEFORE)))));
        return stage(near.join(newIds, col("messageId").equalTo(col("_new_id")), "left_semi"))
                .where(col("_error").isNull()).select("id").distinct();
    }

    /**
     * Re-linked users listed by name in the predicate, at most: a night with more (a reload of the
     * contacts, say) replaces the whole table, which those users' rows reach anyway.
     */
    static final int MAX_LISTED_USERS = 2_000;

    /**
     * The part of the table an update recomputes: the rows dated on or after {@code from} (null:
     * no new event) and every row of the {@code relinked} users; null when that is nothing.
     */
    static Built.Replacement replaced(java.time.LocalDate from, List<String> relinked) {
        if (relinked.size() > MAX_LISTED_USERS) {
            return new Built.Replacement("true", "every row (" + relinked.size() + " users re-linked to another account)");
        }
        List<String> predicate = new java.util.ArrayList<>();
        List<String> words = new java.util.ArrayList<>();
        if (from != null) {
            predicate.add("activity_date >= DATE'" + from + "'");
            words.add("the rows dated from " + from);
        }
        if (!relinked.isEmpty()) {
            predicate.add("user_id IN (" + relinked.stream().sorted().map(FactActivityDaily::sqlString)
                    .collect(java.util.stream.Collectors.joining(", ")) + ")");
            words.add("every row of " + relinked.size() + (relinked.size() == 1 ? " user" : " users") + " re-linked to another account");
        }
        return predicate.isEmpty() ? null : new Built.Replacement(String.join(" OR ", predicate), String.join(" and ", words));
    }

    /** A Spark SQL string literal: backslash and quote escaped (the parser reads backslash escapes). */
    static String sqlString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static final String[] KEY = {"activity_date", "user_id"};

    private static Column either(String flag) {
        return coalesce(col("p." + flag), lit(false)).or(coalesce(col("a." + flag), lit(false))).as(flag);
    }

    /** Per (date, user): counts and lifecycle flags of the events. */
    static Dataset<Row> daily(Dataset<Row> events) {
        return daily(events, 0);
    }

    /** @param parts partitions to aggregate in; 0 for the session's */
    private static Dataset<Row> daily(Dataset<Row> events, int parts) {
        Column isTrack = col("type").equalTo("track");
        Dataset<Row> dated = events.withColumn("activity_date", to_date(col("event_at")));
        if (parts > 0) {
            dated = dated.repartition(parts, col("activity_date"), col("user_id"));
        }
        return dated.groupBy(col("activity_date"), col("user_id"))
                .agg(max(col("segment_user_id").isNotNull()).as("is_identified"),
                        count(lit(1)).as("events"),
                        sum(when(col("type").equalTo("page"), 1L).otherwise(0L)).as("page_views"),
                        coalesce(max(isTrack.and(col("event").equalTo("Signed Up"))), lit(false)).as("signed_up"),
                        coalesce(max(isTrack.and(col("event").equalTo("Account Activated"))), lit(false)).as("activated"),
                        coalesce(max(isTrack.and(col("event").equalTo("Subscription Cancelled"))), lit(false)).as("cancelled"));
    }
}
