package io.salespulse.common;

import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.List;

/**
 * The one place that writes tables. Every write is a single Delta commit, so a reader sees
 * the table before or after it, never half of it; every commit carries the run id.
 */
public final class TableWriter {

    private final SparkSession spark;
    private final String warehouseRoot;
    private final String runId;

    public TableWriter(SparkSession spark, String warehouseRoot, String runId) {
        this.spark = spark;
        this.warehouseRoot = warehouseRoot;
        this.runId = runId;
    }

    /** {@code layer/table} → its location under the warehouse root. */
    public String location(String layer, String table) {
        return Uris.join(warehouseRoot, layer, table);
    }

    public boolean exists(String layer, String table) {
        return DeltaTable.isDeltaTable(spark, location(layer, table));
    }

    public Dataset<Row> read(String layer, String table) {
        return spark.read().format("delta").load(location(layer, table));
    }

    /** Appends rows; new columns are added to the table (schema drift is expected upstream). */
    public void append(String layer, String table, Dataset<Row> rows, List<String> partitionBy) {
        rows.write().format("delta")
                .mode("append")
                .option("mergeSchema", "true")
                .option("userMetadata", runId)
                .partitionBy(partitionBy.toArray(String[]::new))
                .save(location(layer, table));
    }

    /**
     * Atomically replaces the rows matching {@code predicate} with {@code rows}: writing the same
     * slice twice gives the same table, which is what makes a retried load harmless.
     */
    public void replaceWhere(String layer, String table, Dataset<Row> rows, String predicate, List<String> partitionBy) {
        rows.write().format("delta")
                .mode("overwrite")
                .option("replaceWhere", predicate)
                .option("mergeSchema", "true")
                .option("userMetadata", runId)
                .partitionBy(partitionBy.toArray(String[]::new))
                .save(location(layer, table));
    }

    public String runId() {
        return runId;
    }

    public SparkSession spark() {
        return spark;
    }
}
