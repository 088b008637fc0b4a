package io.salespulse.silver;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.function.UnaryOperator;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * A silver table's rows and the rows stopped on the way (with table_name, record_id,
 * source_file, snapshot_date, reason), so nothing disappears without a reason.
 *
 * @param replacing null when the rows are all of the table's; otherwise the rows are those of the
 *                  stored table matching its predicate, as they are to be stored (new keys among
 *                  them), and the quarantined rows are only the new ones
 * @param split     null, or how the rows and the quarantined rows are both filtered from one frame
 *                  ({@link #split(Dataset, UnaryOperator, UnaryOperator)})
 */
public record Built(Dataset<Row> rows, Dataset<Row> quarantined, Replacement replacing, Split split) {

    /**
     * A build whose rows and quarantined rows are two filters of one frame: the model's rows after
     * the joins and the currency conversion that tell them apart.
     *
     * @param source      that frame
     * @param rows        the table's rows, from the frame
     * @param quarantined the rows stopped, from the frame
     */
    public record Split(Dataset<Row> source, UnaryOperator<Dataset<Row>> rows, UnaryOperator<Dataset<Row>> quarantined) {
    }

    /** Rows and quarantine as computed, not derived from a frame a caller could hold. */
    public Built(Dataset<Row> rows, Dataset<Row> quarantined, Replacement replacing) {
        this(rows, quarantined, replacing, null);
    }

    /**
     * The part of a stored table a build recomputed: the rows matching {@code predicate} (Delta SQL
     * over the table's columns), and what that is in words for the run's progress.
     */
    public record Replacement(String predicate, String description) {
    }

    /** All of a table's rows. */
    public Built(Dataset<Row> rows, Dataset<Row> quarantined) {
        this(rows, quarantined, null);
    }

    /** The stored rows matching the replacement's predicate as they are now, and the rows stopped among the new input. */
    public static Built partial(Dataset<Row> rows, Dataset<Row> quarantined, Replacement replacing) {
        return new Built(rows, quarantined, replacing);
    }

    /**
     * All of a table's rows and its quarantined rows, both from {@code source}. A caller that holds
     * the source ({@link #held}) computes it once: SilverBuild writes the table first and gathers the
     * quarantine after every table, which otherwise joined and converted every row again (~6 s of a
     * nightly run at scale 1, docs/performance.md).
     */
    public static Built split(Dataset<Row> source, UnaryOperator<Dataset<Row>> rows, UnaryOperator<Dataset<Row>> quarantined) {
        return new Built(rows.apply(source), quarantined.apply(source), null, new Split(source, rows, quarantined));
    }

    /** This build computed from {@code hold(source)} when it is a {@link #split}; itself otherwise. */
    public Built held(UnaryOperator<Dataset<Row>> hold) {
        return split == null ? this : split(hold.apply(split.source()), split.rows(), split.quarantined());
    }

    /**
     * This build as the part {@code part} of its table: built from the records that part holds only,
     * its rows and quarantined rows are those of that part.
     */
    public Built replacing(Replacement part) {
        return new Built(rows, quarantined, part, split);
    }

    /** This build with {@code more} quarantined rows (computed apart from a split's source). */
    public Built withQuarantined(Dataset<Row> more) {
        if (split == null) {
            return new Built(rows, quarantined.unionByName(more), replacing);
        }
        UnaryOperator<Dataset<Row>> stopped = split.quarantined();
        return split(split.source(), split.rows(), s -> stopped.apply(s).unionByName(more));
    }

    /** Whether the rows are only a part of the table ({@link #replacing()}). */
    public boolean partial() {
        return replacing != null;
    }

    /** The columns of {@link #quarantined()}. */
    public static final org.apache.spark.sql.types.StructType QUARANTINE = new org.apache.spark.sql.types.StructType()
            .add("table_name", "string").add("record_id", "string").add("source_file", "string")
            .add("snapshot_date", "date").add("reason", "string");

    /** Rows of a build that stops none. */
    public static Built clean(Dataset<Row> rows) {
        return new Built(rows, rows.sparkSession().createDataFrame(java.util.List.of(), QUARANTINE));
    }

    /**
     * The rows of {@code converted} that found no rate ({@link io.salespulse.intermediate.ConversionRates#convert}
     * names why in {@code _rate_error}), as quarantine rows for the named table.
     */
    public static Dataset<Row> withoutRate(Dataset<Row> converted, String table) {
        return quarantine(converted.where(col("_rate_error").isNotNull()), table, col("_rate_error"));
    }

    /** Quarantine rows from a frame with id and lineage columns, for the named table. */
    public static Dataset<Row> quarantine(Dataset<Row> df, String table, Column reason) {
        return df.select(lit(table).as("table_name"), col("id").cast("string").as("record_id"),
                col("_source_file").as("source_file"), col("_snapshot_date").as("snapshot_date"), reason.as("reason"));
    }
}
