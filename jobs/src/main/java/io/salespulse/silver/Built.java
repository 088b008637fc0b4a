package io.salespulse.silver;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * A silver table's rows and the rows stopped on the way (with table_name, record_id,
 * source_file, snapshot_date, reason), so nothing disappears without a reason.
 *
 * @param partial the rows are only those that change (new values of stored keys, new keys), to be
 *                upserted; the quarantined rows are only the new ones
 */
public record Built(Dataset<Row> rows, Dataset<Row> quarantined, boolean partial) {

    /** All of a table's rows. */
    public Built(Dataset<Row> rows, Dataset<Row> quarantined) {
        this(rows, quarantined, false);
    }

    /** The rows that change, and the rows stopped among the new input. */
    public static Built partial(Dataset<Row> rows, Dataset<Row> quarantined) {
        return new Built(rows, quarantined, true);
    }

    /** The columns of {@link #quarantined()}. */
    public static final org.apache.spark.sql.types.StructType QUARANTINE = new org.apache.spark.sql.types.StructType()
            .add("table_name", "string").add("record_id", "string").add("source_file", "string")
            .add("snapshot_date", "date").add("reason", "string");

    /** Rows of a build that stops none. */
    public static Built clean(Dataset<Row> rows) {
        return new Built(rows, rows.sparkSession().createDataFrame(java.util.List.of(), QUARANTINE));
    }

    /** Quarantine rows from a frame with id and lineage columns, for the named table. */
    public static Dataset<Row> quarantine(Dataset<Row> df, String table, Column reason) {
        return df.select(lit(table).as("table_name"), col("id").cast("string").as("record_id"),
                col("_source_file").as("source_file"), col("_snapshot_date").as("snapshot_date"), reason.as("reason"));
    }
}
