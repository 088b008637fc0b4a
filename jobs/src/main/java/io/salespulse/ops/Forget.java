package io.salespulse.ops;

import io.salespulse.common.OpsTables;
import io.delta.tables.DeltaTable;
import io.salespulse.common.TableWriter;
import io.salespulse.ingest.BronzeIngest;
import io.salespulse.ingest.SourceObject;
import io.salespulse.silver.EmailHash;
import io.salespulse.silver.DimAnalyticsUser;
import io.salespulse.silver.FactActivityDaily;
import io.salespulse.silver.FactLead;
import io.salespulse.silver.SilverBuild;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.trim;

/**
 * Removes one person's rows everywhere the warehouse holds them, by email: the bronze leads and
 * contacts with that email, the Segment events of every user who identified with it (and the
 * identify events themselves), malformed rows quoting it, and the silver rows built from them
 * (the lead by its email hash, the daily activity and the identity of those users), and the quarantine entries of
 * all those records. Gold holds only aggregates;
 * the next run recomputes them without the person. Each table is one Delta DELETE; the old files
 * stay readable by time travel until {@code purge} vacuums them.
 */
public final class Forget {

    private final SparkSession spark;
    private final TableWriter writer;

    public Forget(TableWriter writer) {
        this.spark = writer.spark();
        this.writer = writer;
    }

    /** @return rows removed per table (tables without a match are left out) */
    public Map<String, Long> execute(String email, EmailHash hash, boolean purge) {
        String normalized = email.trim().toLowerCase(Locale.ROOT);
        if (!normalized.contains("@")) {
            throw new IllegalArgumentException("--email must be an email address");
        }
        Map<String, Long> removed = new LinkedHashMap<>();
        List<String> userIds = segmentUsers(normalized);
        Column byEmail = lower(trim(col("Email"))).equalTo(normalized);
        Column events = lower(trim(get_json_object(col("traits"), "$.email"))).equalTo(normalized);
        if (!userIds.isEmpty()) {
            events = events.or(col("userId").isin(userIds.toArray()));
        }
        Column malformed = lower(col("raw_record")).contains(normalized);
        // the quarantine names rows by table and record id, not by email: find them before their bronze rows go
        List<Column> quarantined = new ArrayList<>();
        for (SourceObject object : List.of(SourceObject.LEAD, SourceObject.CONTACT)) {
            quarantined.add(recordsOf(object.bronzeTable(), "Id", byEmail));
        }
        quarantined.add(recordsOf(SourceObject.SEGMENT_EVENTS.bronzeTable(), "messageId", events));
        quarantined.add(malformedRowsOf(malformed));
        for (SourceObject object : List.of(SourceObject.LEAD, SourceObject.CONTACT)) {
            delete(removed, BronzeIngest.LAYER, object.bronzeTable(), byEmail);
        }
        delete(removed, BronzeIngest.LAYER, SourceObject.SEGMENT_EVENTS.bronzeTable(), events);
        delete(removed, BronzeIngest.LAYER, OpsTables.MALFORMED_ROWS, malformed);
        quarantined.removeIf(java.util.Objects::isNull);
        if (!quarantined.isEmpty()) {
            delete(removed, OpsTables.LAYER, OpsTables.QUARANTINE, quarantined.stream().reduce(Column::or).orElseThrow());
        }
        if (hash != null) {
            delete(removed, SilverBuild.LAYER, FactLead.TABLE.name(), col("email_hash").equalTo(hashOf(hash, normalized)));
        }
        if (!userIds.isEmpty()) {
            delete(removed, SilverBuild.LAYER, FactActivityDaily.TABLE.name(), col("user_id").isin(userIds.toArray()));
            delete(removed, SilverBuild.LAYER, DimAnalyticsUser.TABLE.name(), col("user_id").isin(userIds.toArray()));
        }
        if (purge) {
            // old versions would still hold the rows: drop every file no longer in the current version
            spark.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
            try {
                for (String table : removed.keySet()) {
                    String[] parts = table.split("\\.");
                    DeltaTable.forPath(spark, writer.location(parts[0], parts[1])).vacuum(0);
                }
            } finally {
                spark.conf().unset("spark.databricks.delta.retentionDurationCheck.enabled");
            }
        }
        return removed;
    }

    /** Segment userIds that identified with the email. */
    private List<String> segmentUsers(String email) {
        if (!writer.exists(BronzeIngest.LAYER, SourceObject.SEGMENT_EVENTS.bronzeTable())) {
            return List.of();
        }
        return new ArrayList<>(writer.read(BronzeIngest.LAYER, SourceObject.SEGMENT_EVENTS.bronzeTable())
                .where(lower(trim(get_json_object(col("traits"), "$.email"))).equalTo(email).and(col("userId").isNotNull()))
                .select("userId").distinct().as(Encoders.STRING()).collectAsList());
    }

    /** Quarantine rows of the person's records in one bronze table (by record id), or null when it holds none. */
    private Column recordsOf(String table, String idColumn, Column condition) {
        if (!writer.exists(BronzeIngest.LAYER, table)) {
            return null;
        }
        List<String> ids = writer.read(BronzeIngest.LAYER, table).where(condition.and(col(idColumn).isNotNull()))
                .select(idColumn).distinct().as(Encoders.STRING()).collectAsList();
        return ids.isEmpty() ? null : col("table_name").equalTo(table).and(col("record_id").isin(ids.toArray()));
    }

    /**
     * Quarantine rows of the malformed rows that quote the person (bronze layer, same table, file,
     * snapshot and record id — the id may be unreadable, then null on both sides), or null for none.
     */
    private Column malformedRowsOf(Column condition) {
        if (!writer.exists(BronzeIngest.LAYER, OpsTables.MALFORMED_ROWS)) {
            return null;
        }
        Column any = null;
        for (Row r : writer.read(BronzeIngest.LAYER, OpsTables.MALFORMED_ROWS).where(condition)
                .select("source_table", "record_id", "_source_file", "_snapshot_date").distinct().collectAsList()) {
            Column one = col("layer").equalTo(BronzeIngest.LAYER).and(col("table_name").equalTo(r.getString(0)))
                    .and(col("record_id").eqNullSafe(r.getString(1))).and(col("source_file").equalTo(r.getString(2)))
                    .and(col("snapshot_date").equalTo(lit(r.getDate(3))));
            any = any == null ? one : any.or(one);
        }
        return any;
    }

    private String hashOf(EmailHash hash, String email) {
        Row r = spark.range(1).select(hash.hash(lit(email))).first();
        return r.getString(0);
    }

    private void delete(Map<String, Long> removed, String layer, String table, Column condition) {
        if (!writer.exists(layer, table)) {
            return;
        }
        long n = writer.read(layer, table).where(condition).count();
        if (n > 0) {
            DeltaTable.forPath(spark, writer.location(layer, table)).delete(condition);
            removed.put(layer + "." + table, n);
        }
    }
}
