package io.salespulse.common;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.LogicalRDD;

import java.util.List;

/** Combining frames that every layer builds in pieces (quarantine rows, counts, alerts); pinning and releasing the ones a layer reuses. */
public final class Frames {

    private Frames() {
    }

    /** All rows of the frames, matched by column name; the list must not be empty. */
    public static Dataset<Row> unionByName(List<Dataset<Row>> frames) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no frames to union");
        }
        Dataset<Row> all = frames.get(0);
        for (int i = 1; i < frames.size(); i++) {
            all = all.unionByName(frames.get(i));
        }
        return all;
    }

    /**
     * All rows of many frames in as many partitions as the session runs tasks at once: a union of
     * every object's small pieces (quarantine rows, reconciliation states) would otherwise run a task
     * per partition of each piece (54 and 83 tasks in a nightly run at scale 0.01), each costing more
     * to schedule than its rows to read.
     */
    public static Dataset<Row> gathered(List<Dataset<Row>> frames) {
        Dataset<Row> all = unionByName(frames);
        return all.coalesce(all.sparkSession().sparkContext().defaultParallelism());
    }

    /** As above, a column missing from some frames being null there (columns drift between snapshots). */
    public static Dataset<Row> unionByNameAllowingMissing(List<Dataset<Row>> frames) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no frames to union");
        }
        Dataset<Row> all = frames.get(0);
        for (int i = 1; i < frames.size(); i++) {
            all = all.unionByName(frames.get(i), true);
        }
        return all;
    }

    /**
     * Unpersists cached frames, the last cached first. Spark re-plans every cached frame built on
     * one being unpersisted that has not been computed yet (CacheManager re-caches it), and planning
     * a Delta scan lists the table's files with a Spark job: unpersisting a silver run's frames
     * oldest first cost ~30 such jobs (~6 s at scale 0.01). Newest first, nothing depends on the
     * frame being dropped.
     */
    public static void unpersistAll(List<? extends Dataset<?>> cached) {
        for (int i = cached.size() - 1; i >= 0; i--) {
            Dataset<?> frame = cached.get(i);
            if (frame.queryExecution().logical() instanceof LogicalRDD pinned) {
                pinned.rdd().unpersist(false); // a pinned frame's rows are its RDD's blocks
            } else {
                frame.unpersist(); // a cached frame; for the frame a pin was built from (held, never cached) a no-op
            }
        }
    }

    /**
     * The frame's rows kept (in memory, spilling to local disk) once first computed, behind a plan
     * that is a single leaf: what {@code cache()} keeps, without the plan. A cached frame still
     * carries the whole plan it was built from, and Spark analyses, optimises and matches that plan
     * again in every query built on it, and ships it to every task of those queries (each task
     * deserialises it): a silver run's frames are built on one another, so that work grew with every
     * step (docs/performance.md, "Frames pinned"). The rows are computed by the first query that
     * reads them, as with {@code cache()}, and released by {@link #unpersistAll}.
     *
     * <p>Only in local mode: there the driver and its executor are one process, so rows that cannot
     * be recomputed from their plan lose nothing. On a cluster a lost executor would take pinned rows
     * with it and fail the run, while cached ones are recomputed: there the frame is cached.
     */
    public static Dataset<Row> pin(Dataset<Row> frame, List<Dataset<Row>> pinned) {
        var sc = frame.sparkSession().sparkContext();
        if (!sc.isLocal()) {
            Dataset<Row> cached = frame.cache();
            pinned.add(cached);
            return cached;
        }
        Dataset<Row> p = frame.localCheckpoint(false);
        // held until released: the first query that reads the pinned rows runs this frame's plan, whose
        // metrics its tasks report to (Spark drops a collected plan's metrics and logs an error per update)
        pinned.add(frame);
        pinned.add(p);
        return p;
    }
}
