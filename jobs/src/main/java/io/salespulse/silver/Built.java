package io.salespulse.silver;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * A silver table's rows and the rows stopped on the way (with table_name, record_id,
 * source_file, snapshot_date, reason), so nothing disappears without a reason.
 */
public record Built(Dataset<Row> rows, Dataset<Row> quarantined) {

    /** Quarantine rows from a frame with id and lineage columns, for the named table. */
    public static Dataset<Row> quarantine(Dataset<Row> df, String table, Column reason) {
        return df.select(lit(table).as("table_name"), col("id").cast("string").as("record_id"),
                col("_source_file").as("source_file"), col("_snapshot_date").as("snapshot_date"), reason.as("reason"));
    }
}
