package io.salespulse.common;

import org.apache.spark.TaskContext;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.apache.spark.sql.internal.ReadOnlySQLConf;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.internal.SQLConf$;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * A Spark plugin that gives each task its SQL settings once, when it starts, instead of once per
 * value it reads. In Spark 4.2 every lookup of a value's physical type asks {@code SQLConf.get}
 * (whether the types framework is on), and inside a task that builds a new {@link ReadOnlySQLConf}
 * from the task's properties, the process environment and the system properties each time. The
 * interpreted expressions of local mode do such lookups per row and column (an aggregation checks
 * its buffer's types for every input row): in the first build of fact_activity_daily at scale 1
 * they were ~9 % of the executor's samples (docs/performance.md, "The activity's first build spread
 * and compiled; a task's settings read once").
 *
 * <p>{@code SQLConf.get} already returns a thread's "existing" settings when one is set (Spark sets
 * it around some of its own work); this plugin sets it for the task's thread, to the very settings
 * {@code SQLConf.get} would have built (the task's properties do not change while it runs), and
 * removes it when the task ends. Spark runs both hooks on the task's thread. Enabled by default in
 * local mode ({@link SparkSessions#SMALL_DATA}); when a Spark version lacks the thread-local this
 * relies on, the plugin says so once and changes nothing.
 */
public final class TaskSqlConf implements SparkPlugin {

    private static final Logger LOG = LoggerFactory.getLogger(TaskSqlConf.class);

    @Override
    public DriverPlugin driverPlugin() {
        return null;
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new PerTask();
    }

    /** SQLConf's per-thread "existing" settings; null when this Spark version has none. */
    @SuppressWarnings("unchecked")
    static ThreadLocal<SQLConf> existingConf() {
        try {
            var method = SQLConf$.class.getDeclaredMethod("existingConf");
            method.setAccessible(true);
            return (ThreadLocal<SQLConf>) method.invoke(SQLConf$.MODULE$);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Spark SQL settings are read per value in tasks (no SQLConf.existingConf in this Spark: {})", e.toString());
            return null;
        }
    }

    private static final class PerTask implements ExecutorPlugin {
        private ThreadLocal<SQLConf> existing;

        @Override
        public void init(PluginContext ctx, Map<String, String> extraConf) {
            existing = existingConf();
        }

        @Override
        public void onTaskStart() {
            TaskContext task = TaskContext.get();
            if (existing != null && task != null) {
                existing.set(new ReadOnlySQLConf(task));
            }
        }

        @Override
        public void onTaskSucceeded() {
            end();
        }

        @Override
        public void onTaskFailed(TaskFailedReason reason) {
            end();
        }

        private void end() {
            if (existing != null) {
                existing.remove();
            }
        }
    }
}
