package io.salespulse.common;

import io.salespulse.testing.SparkTestBase;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.internal.SQLConf;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A task reads its SQL settings once (TaskSqlConf), and still reads the settings of its own query. */
class TaskSqlConfTest extends SparkTestBase {

    private static final String PROBE = "spark.salespulse.test.probe";

    /** Per task: whether two reads of the settings gave the same object, and the probe's value. */
    private static List<String> inTasks() {
        return spark().range(0, 4, 1, 2).mapPartitions((MapPartitionsFunction<Long, String>) rows -> {
            SQLConf first = SQLConf.get();
            SQLConf second = SQLConf.get();
            return List.of((first == second) + " " + first.getConfString(PROBE, "unset")).iterator();
        }, Encoders.STRING()).collectAsList();
    }

    @Test
    void aTaskReadsItsSettingsOnceAndEachQuerySeesItsOwn() {
        try {
            spark().conf().set(PROBE, "one");
            assertThat(inTasks()).containsExactly("true one", "true one");
            // the next query's tasks run on the same threads: they must not keep the earlier settings
            spark().conf().set(PROBE, "two");
            assertThat(inTasks()).containsExactly("true two", "true two");
        } finally {
            spark().conf().unset(PROBE);
        }
    }

    @Test
    void theThreadLocalItReliesOnExistsInThisSpark() {
        assertThat(TaskSqlConf.existingConf()).isNotNull();
        // outside a task nothing is set: the driver reads the session's settings as before
        assertThat(SQLConf.get().getConfString(PROBE, "unset")).isEqualTo("unset");
    }
}
