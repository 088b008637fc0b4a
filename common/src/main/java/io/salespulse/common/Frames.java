package io.salespulse.common;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

/** Combining frames that every layer builds in pieces (quarantine rows, counts, alerts). */
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
}
