package io.salespulse.testing;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny hand-made bronze tables: string columns as landed plus the lineage columns, one
 * {@code row(snapshotDate, values...)} at a time, for unit tests of the silver models.
 */
public final class Bronze {

    private final String[] columns;
    private final List<Row> rows = new ArrayList<>();
    private int rowNumber;

    private Bronze(String... columns) {
        this.columns = columns;
    }

    public static Bronze of(String... columns) {
        return new Bronze(columns);
    }

    /** One landed row of the given snapshot; values in column order, null for an empty field. */
    public Bronze row(String snapshotDate, String... values) {
        if (values.length != columns.length) {
            throw new IllegalArgumentException("expected " + columns.length + " values, got " + values.length);
        }
        Object[] all = new Object[columns.length + 3];
        System.arraycopy(values, 0, all, 0, values.length);
        all[columns.length] = Date.valueOf(snapshotDate);
        all[columns.length + 1] = "snapshot_date=" + snapshotDate + "/part-00000.csv";
        all[columns.length + 2] = (long) rowNumber++;
        rows.add(RowFactory.create(all));
        return this;
    }

    public Dataset<Row> frame() {
        StructType schema = new StructType();
        for (String c : columns) {
            schema = schema.add(c, DataTypes.StringType);
        }
        schema = schema.add("_snapshot_date", DataTypes.DateType).add("_source_file", DataTypes.StringType)
                .add("_row_number", DataTypes.LongType);
        return SparkTestBase.spark().createDataFrame(rows, schema);
    }

    /** An object's live records from these bronze rows: staged and typed, current versions only, no full snapshot. */
    public static Dataset<Row> live(io.salespulse.ingest.SourceObject object, Bronze b) {
        Dataset<Row> staged = io.salespulse.staging.Staging.stage(b.frame(), io.salespulse.staging.Staging.MODELS.get(object))
                .where(org.apache.spark.sql.functions.col("_error").isNull());
        return io.salespulse.intermediate.CurrentState.live(staged, SparkTestBase.spark().createDataFrame(List.of(),
                new StructType().add("snapshot_date", DataTypes.DateType).add("extracted_at", DataTypes.TimestampType)));
    }
}
