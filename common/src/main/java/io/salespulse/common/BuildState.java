package io.salespulse.common;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a layer was last computed from ({@code ops.silver_state}, {@code ops.gold_state}): the Delta
 * version of every input table, the date it was computed as of, and the settings its values depend
 * on. Only what the data depends on, no run id or time: two warehouses that computed the same tables
 * hold the same state (the Delta commit carries the run id). Written after the layer's last table,
 * so a run killed before that leaves the previous state and the next run computes again.
 *
 * @param versions layer.table → Delta version (-1: the table did not exist)
 */
public record BuildState(Map<String, Long> versions, LocalDate runDate, String settings) {

    /** The recorded state, or null when there is none or it is inconsistent (one date and one settings text per state). */
    public static BuildState read(TableWriter writer, String table) {
        if (!writer.exists(OpsTables.LAYER, table)) {
            return null;
        }
        Map<String, Long> versions = new LinkedHashMap<>();
        LocalDate runDate = null;
        String settings = null;
        // one small table, one job
        for (Row r : writer.read(OpsTables.LAYER, table).select("input_table", "input_version", "run_date", "settings")
                .collectAsList()) {
            LocalDate d = r.isNullAt(2) ? null : r.getDate(2).toLocalDate();
            if (d == null || r.isNullAt(3) || (runDate != null && (!runDate.equals(d) || !settings.equals(r.getString(3))))) {
                return null;
            }
            runDate = d;
            settings = r.getString(3);
            versions.put(r.getString(0), r.isNullAt(1) ? -1L : r.getLong(1));
        }
        return runDate == null ? null : new BuildState(versions, runDate, settings);
    }

    /** Records the state in one commit (none when it is the one recorded). */
    public void record(TableWriter writer, String table, String comment, StructType schema) {
        record(writer, table, comment, schema, Map.of());
    }

    /**
     * Records the state and, beside an input table's version, its {@code counts} (a schema that has
     * their columns: {@link #COUNTS}), in one commit: the counts are always those of the versions
     * recorded with them.
     */
    public void record(TableWriter writer, String table, String comment, StructType schema, Map<String, long[]> counts) {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Long> e : versions.entrySet()) {
            long[] c = counts.get(e.getKey());
            Object[] values = new Object[4 + COUNTS.size()];
            values[0] = e.getKey();
            values[1] = e.getValue();
            values[2] = Date.valueOf(runDate);
            values[3] = settings;
            for (int i = 0; c != null && i < COUNTS.size(); i++) {
                values[4 + i] = c[i];
            }
            rows.add(RowFactory.create(values));
        }
        StructType columns = new StructType()
                .add("input_table", "string").add("input_version", "long").add("run_date", "date").add("settings", "string");
        for (String c : COUNTS) {
            columns = columns.add(c, "long");
        }
        Dataset<Row> state = writer.spark().createDataFrame(rows, columns);
        writer.sync(OpsTables.LAYER, table, comment, schema, List.of("input_table"), state, null, List.of());
    }

    /** The count columns a state may hold beside an input table's version, in this order. */
    public static final List<String> COUNTS = List.of("rows_in", "quarantined", "superseded", "deleted", "current");

    /**
     * The counts recorded beside each input table's version (only the tables that have them; none
     * when the state was recorded before they were).
     */
    public static Map<String, long[]> readCounts(TableWriter writer, String table) {
        Map<String, long[]> out = new LinkedHashMap<>();
        if (!writer.exists(OpsTables.LAYER, table)) {
            return out;
        }
        Dataset<Row> state = writer.read(OpsTables.LAYER, table);
        if (!List.of(state.columns()).containsAll(COUNTS)) {
            return out;
        }
        List<org.apache.spark.sql.Column> columns = new ArrayList<>();
        columns.add(org.apache.spark.sql.functions.col("input_table"));
        COUNTS.forEach(c -> columns.add(org.apache.spark.sql.functions.col(c)));
        for (Row r : state.select(columns.toArray(org.apache.spark.sql.Column[]::new)).collectAsList()) {
            if (r.anyNull()) {
                continue;
            }
            long[] c = new long[COUNTS.size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = r.getLong(1 + i);
            }
            out.put(r.getString(0), c);
        }
        return out;
    }

    /** A short digest of a setting's text, for the settings line (a change of it shows as a changed digest). */
    public static String digest(Object setting) {
        return Integer.toHexString(String.valueOf(setting).hashCode());
    }

    /** Digest of the tables' names and columns: a new or changed column makes a layer compute every row again. */
    public static String columnsDigest(java.util.List<TableSpec> tables) {
        StringBuilder columns = new StringBuilder();
        // by name: the tables' build order is no setting
        for (TableSpec t : tables.stream().sorted(java.util.Comparator.comparing(TableSpec::name)).toList()) {
            columns.append(t.name()).append(t.schema().simpleString());
        }
        return digest(columns);
    }
}
