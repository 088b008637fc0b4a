package io.salespulse.intermediate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.time.LocalDate;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;

/**
 * The current version of every record (docs/landing.md): the version with the greatest
 * SystemModstamp wins, ties go to the later snapshot, then the later file and row. A record is
 * deleted by {@code IsDeleted=true} or by its absence from a later {@code full} snapshot (as of
 * that snapshot's extraction time); only a version modified after that brings it back.
 */
public final class CurrentState {

    /** Lineage of the synthetic deletion a full snapshot implies for the records it lacks. */
    public static final String ABSENT = "(absent from full snapshot)";

    private CurrentState() {
    }

    /**
     * @param versions      staged rows without errors (id, is_deleted, system_modstamp, lineage, fields)
     * @param fullSnapshots the object's full snapshots: snapshot_date (date), extracted_at (timestamp)
     * @return every version, with {@code _is_current} true on the winning version of each id
     */
    public static Dataset<Row> rank(Dataset<Row> versions, Dataset<Row> fullSnapshots) {
        Dataset<Row> firstSeen = versions.groupBy("id").agg(min("_snapshot_date").as("_first_seen"));
        Dataset<Row> present = versions.select(col("id"), col("_snapshot_date")).distinct();
        Dataset<Row> tombstones = firstSeen
                .join(fullSnapshots, firstSeen.col("_first_seen").lt(fullSnapshots.col("snapshot_date")))
                .select(col("id"), col("snapshot_date").as("_snapshot_date"), col("extracted_at"))
                .join(present, new String[]{"id", "_snapshot_date"}, "left_anti")
                .select(col("id"), lit(true).as("is_deleted"), col("extracted_at").as("system_modstamp"),
                        col("_snapshot_date"), lit(ABSENT).as("_source_file"), lit(Long.MAX_VALUE).as("_row_number"));
        WindowSpec latestFirst = Window.partitionBy("id").orderBy(col("system_modstamp").desc(),
                col("_snapshot_date").desc(), col("_source_file").desc(), col("_row_number").desc());
        return versions.unionByName(tombstones, true)
                .withColumn("_is_current", row_number().over(latestFirst).equalTo(1));
    }

    /**
     * Whether a full snapshot can delete any record by its absence, given the earliest snapshot date
     * of the object's versions (empty when not known): only a record first seen before the snapshot's
     * date can be missing from it, so a full snapshot dated on or before every version deletes
     * nothing, and {@link #rank} may be given the object's full snapshots without it. Most objects'
     * only full snapshot is their first extract.
     */
    public static boolean canDelete(LocalDate snapshotDate, Optional<LocalDate> earliestVersion) {
        return earliestVersion.isEmpty() || snapshotDate.isAfter(earliestVersion.get());
    }

    /** Live records only: the current version of each id, unless that version is a deletion. */
    public static Dataset<Row> live(Dataset<Row> versions, Dataset<Row> fullSnapshots) {
        return rank(versions, fullSnapshots)
                .where(col("_is_current").and(col("is_deleted").equalTo(false)))
                .drop("_is_current");
    }
}
