package io.salespulse.testing;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A content fingerprint of every Delta table of a warehouse (row count and an order-independent
 * sum of row hashes), to compare whole warehouses cheaply. Columns that record when or by which
 * run a row was written are left out: two runs that produce the same data differ only there.
 */
public final class TableFingerprints {

    /**
     * Load metadata, not data. {@code input_version} (ops.gold_state) is a Delta version number: a
     * run killed between two commits and repaired can reach the same silver in more versions.
     */
    public static final Set<String> VOLATILE = Set.of("_ingested_at", "_run_id", "run_id", "quarantined_at", "recorded_at", "manifest_listing",
            "checked_at", "started_at", "ended_at", "input_version");
    /** Logs that grow by one entry per run by design. */
    public static final Set<String> LOGS = Set.of("ops.run_log", "ops.dq_results");

    private TableFingerprints() {
    }

    /**
     * Fingerprints by table location and Delta version. A committed version never changes, so a
     * table is hashed once per version: the kill test compares ~35 tables after each of its ten
     * kills, and most of them are where the last pass left them.
     */
    private static final Map<String, String> BY_VERSION = new ConcurrentHashMap<>();

    /** layer.table → fingerprint of its latest version, for every Delta table under the warehouse root. */
    public static TreeMap<String, String> of(String warehouse) {
        TreeMap<String, String> out = new TreeMap<>();
        for (Map.Entry<String, Long> t : versions(warehouse).entrySet()) {
            String location = warehouse + "/" + t.getKey().replace('.', '/');
            long version = t.getValue();
            out.put(t.getKey(), BY_VERSION.computeIfAbsent(location + "@" + version, k -> fingerprint(
                    SparkTestBase.spark().read().format("delta").option("versionAsOf", version).load(location))));
        }
        return out;
    }

    public static List<String> tables(String warehouse) {
        List<String> out = new ArrayList<>();
        try {
            Path root = new Path(warehouse);
            FileSystem fs = root.getFileSystem(SparkTestBase.spark().sparkContext().hadoopConfiguration());
            for (String layer : List.of("bronze", "silver", "gold", "ops")) {
                Path dir = new Path(root, layer);
                if (!fs.exists(dir)) {
                    continue;
                }
                for (FileStatus t : fs.listStatus(dir)) {
                    if (t.isDirectory() && fs.exists(new Path(t.getPath(), "_delta_log"))) {
                        out.add(layer + "." + t.getPath().getName());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    static String fingerprint(Dataset<Row> table) {
        List<Column> cols = new ArrayList<>();
        for (String c : table.columns()) {
            if (!VOLATILE.contains(c)) {
                cols.add(functions.col("`" + c + "`"));
            }
        }
        Row r = table.agg(functions.count(functions.lit(1)),
                functions.sum(functions.xxhash64(cols.toArray(Column[]::new)).cast("decimal(38,0)"))).first();
        return r.getLong(0) + ":" + r.get(1);
    }

    /** Latest Delta version per table (from the log's file names), to see whether a run committed anything. */
    public static TreeMap<String, Long> versions(String warehouse) {
        TreeMap<String, Long> out = new TreeMap<>();
        try {
            Path root = new Path(warehouse);
            FileSystem fs = root.getFileSystem(SparkTestBase.spark().sparkContext().hadoopConfiguration());
            for (String table : tables(warehouse)) {
                long max = -1;
                for (FileStatus f : fs.listStatus(new Path(root, table.replace('.', '/') + "/_delta_log"))) {
                    String n = f.getPath().getName();
                    if (n.endsWith(".json") && n.length() == 25) {
                        max = Math.max(max, Long.parseLong(n.substring(0, 20)));
                    }
                }
                out.put(table, max);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
