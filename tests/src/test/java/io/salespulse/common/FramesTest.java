package io.salespulse.common;

import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/** A pinned frame: the same rows behind a one-leaf plan, computed once, released with the others. */
class FramesTest extends SparkTestBase {

    @Test
    void aPinnedFrameKeepsItsRowsBehindALeafAndIsReleased() {
        Dataset<Row> built = spark().sql("SELECT * FROM VALUES ('a', 1), ('b', 2), ('c', 3) AS t(k, v)")
                .where(col("v").gt(1)).withColumn("w", col("v").multiply(10));
        int persistedBefore = spark().sparkContext().getPersistentRDDs().size();
        List<Dataset<Row>> pinned = new ArrayList<>();

        Dataset<Row> p = Frames.pin(built, pinned);

        // the plan later queries analyse and ship to their tasks is one leaf, not the steps above
        assertThat(p.queryExecution().logical().children().isEmpty()).isTrue();
        assertThat(built.queryExecution().logical().children().isEmpty()).isFalse();
        assertRows("pinned", List.<Object[]>of(row("b", 2, 20), row("c", 3, 30)), rowsOf(p));
        assertRows("a query on it", List.<Object[]>of(row("c", 30)), rowsOf(p.where(col("v").equalTo(3)).select("k", "w")));
        // the frame it was built from is held with it: its plan's metrics stay alive for the tasks that compute it
        assertThat(pinned).hasSize(2).last().isSameAs(p);
        assertThat(spark().sparkContext().getPersistentRDDs().size()).isEqualTo(persistedBefore + 1);

        Frames.unpersistAll(pinned);
        assertThat(spark().sparkContext().getPersistentRDDs().size()).isEqualTo(persistedBefore);
    }

    @Test
    void gatheredFramesAreTheirRowsInAsManyPartitionsAsTheSessionRunsTasksAtOnce() {
        List<Dataset<Row>> parts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            parts.add(spark().range(i * 10L, i * 10L + 3).repartition(3).select(col("id").as("n")));
        }
        Dataset<Row> gathered = Frames.gathered(parts);
        // six parts of three partitions: a plain union would run 18 tasks
        assertThat(Frames.unionByName(parts).rdd().getNumPartitions()).isEqualTo(18);
        assertThat(gathered.rdd().getNumPartitions()).isEqualTo(spark().sparkContext().defaultParallelism());
        assertThat(gathered.orderBy("n").collectAsList().stream().map(r -> r.getLong(0)).toList())
                .containsExactly(0L, 1L, 2L, 10L, 11L, 12L, 20L, 21L, 22L, 30L, 31L, 32L, 40L, 41L, 42L, 50L, 51L, 52L);
    }
}
