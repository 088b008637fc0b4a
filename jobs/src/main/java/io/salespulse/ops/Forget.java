package io.salespulse.ops;

import io.salespulse.common.OpsTables;
import io.delta.tables.DeltaTable;
import io.salespulse.common.TableWriter;
import io.salespulse.ingest.BronzeIngest;
import io.salespulse.ingest.SourceObject;
import io.salespulse.silver.EmailHash;
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
 * (the lead by its email hash, the daily activity of those users). Gold holds only aggregates;
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
        for (SourceObject object : List.of(SourceObject.LEAD, SourceObject.CONTACT)) {
            delete(removed, BronzeIngest.LAYER, object.bronzeTable(), lower(trim(col("Email"))).equalTo(normalized));
        }
        Column events = lower(trim(get_json_object(col("traits"), "$.email"))).equalTo(normalized);
        if (!userIds.isEmpty()) {
            events = events.or(col("userId").isin(userIds.toArray()));
        }
        delete(removed, BronzeIngest.LAYER, SourceObject.SEGMENT_EVENTS.bronzeTable(), events);
        delete(removed, BronzeIngest.LAYER, OpsTables.MALFORMED_ROWS, lower(col("raw_record")).contains(normalized));
        if (hash != null) {
            delete(removed, SilverBuild.LAYER, FactLead.TABLE.name(), col("email_hash").equalTo(hashOf(hash, normalized)));
        }
        if (!userIds.isEmpty()) {
            delete(removed, SilverBuild.LAYER, FactActivityDaily.TABLE.name(), col("user_id").isin(userIds.toArray()));
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
