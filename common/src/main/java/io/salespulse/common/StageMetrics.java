package io.salespulse.common;

import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wall time, rows read and rows written per stage of a run (ingest, silver, quality, gold), for the
 * run's last log lines and the benchmark. Rows are Spark's task input/output metrics, attributed
 * through a local property set while the stage runs; they include Delta log reads.
 */
public final class StageMetrics extends SparkListener implements AutoCloseable {

    private static final String PROPERTY = "salespulse.stage";

    /** Totals of one stage. */
    public static final class Totals {
        private long nanos;
        private long jobs;
        private long rowsRead;
        private long rowsWritten;

        public double seconds() {
            return nanos / 1e9;
        }

        public long rowsRead() {
            return rowsRead;
        }

        public long jobs() {
            return jobs;
        }

        public long rowsWritten() {
            return rowsWritten;
        }
    }

    private final SparkContext sc;
    private final Map<String, Totals> totals = new LinkedHashMap<>();
    private final Map<Integer, String> stageOfSparkStage = new ConcurrentHashMap<>();

    private StageMetrics(SparkContext sc) {
        this.sc = sc;
    }

    public static StageMetrics attach(SparkContext sc) {
        StageMetrics m = new StageMetrics(sc);
        sc.addSparkListener(m);
        return m;
    }

    /** Runs {@code work} as stage {@code name}, timing it and tagging its Spark jobs. */
    public <T> T time(String name, java.util.function.Supplier<T> work) {
        sc.setLocalProperty(PROPERTY, name);
        long t0 = System.nanoTime();
        try {
            return work.get();
        } finally {
            synchronized (totals) {
                totals.computeIfAbsent(name, k -> new Totals()).nanos += System.nanoTime() - t0;
            }
            sc.setLocalProperty(PROPERTY, null);
        }
    }

    public void time(String name, Runnable work) {
        time(name, () -> {
            work.run();
            return null;
        });
    }

    @Override
    public void onJobStart(SparkListenerJobStart event) {
        String stage = event.properties() == null ? null : event.properties().getProperty(PROPERTY);
        if (stage != null) {
            synchronized (totals) {
                totals.computeIfAbsent(stage, k -> new Totals()).jobs++;
            }
        }
        if (TRACE) {
            // where each Spark job comes from, for performance work without a Spark UI
            String description = event.properties() == null ? null : event.properties().getProperty("spark.job.description");
            String site = event.stageInfos().isEmpty() ? "?" : event.stageInfos().head().name();
            int tasks = 0;
            for (scala.collection.Iterator<org.apache.spark.scheduler.StageInfo> it = event.stageInfos().iterator(); it.hasNext(); ) {
                org.apache.spark.scheduler.StageInfo info = it.next();
                tasks += info.numTasks();
                jobOfSparkStage.put(info.stageId(), event.jobId());
            }
            System.err.printf("job %d at %d [%s] %s | %s (%d tasks)%n", event.jobId(), event.time(), stage, description, site, tasks);
        }
    }

    private static final boolean TRACE = System.getenv("SALESPULSE_TRACE_JOBS") != null;

    /** Spark stage → the job that submitted it, for the trace's rows per stage. */
    private final Map<Integer, Integer> jobOfSparkStage = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void onJobEnd(org.apache.spark.scheduler.SparkListenerJobEnd event) {
        if (TRACE) {
            System.err.printf("end %d at %d%n", event.jobId(), event.time());
        }
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted event) {
        String stage = event.properties() == null ? null : event.properties().getProperty(PROPERTY);
        if (stage != null) {
            stageOfSparkStage.put(event.stageInfo().stageId(), stage);
        }
    }

    @Override
    public void onStageCompleted(org.apache.spark.scheduler.SparkListenerStageCompleted event) {
        TaskMetrics m = event.stageInfo().taskMetrics();
        if (TRACE && m != null && (m.inputMetrics().recordsRead() > 0 || m.outputMetrics().recordsWritten() > 0)) {
            System.err.printf("rows %d of job %s: read %d written %d%n", event.stageInfo().stageId(),
                    jobOfSparkStage.get(event.stageInfo().stageId()), m.inputMetrics().recordsRead(), m.outputMetrics().recordsWritten());
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd event) {
        String stage = stageOfSparkStage.get(event.stageId());
        TaskMetrics m = event.taskMetrics();
        if (stage == null || m == null) {
            return;
        }
        synchronized (totals) {
            Totals t = totals.computeIfAbsent(stage, k -> new Totals());
            t.rowsRead += m.inputMetrics().recordsRead();
            t.rowsWritten += m.outputMetrics().recordsWritten();
        }
    }

    /** Stage → totals, in the order the stages first ran (listener events are drained first). */
    public Map<String, Totals> snapshot() {
        try {
            sc.listenerBus().waitUntilEmpty(10_000);
        } catch (java.util.concurrent.TimeoutException e) {
            // a busy listener bus: report what has arrived; the figures are for people, not for checks
        }
        synchronized (totals) {
            return new LinkedHashMap<>(totals);
        }
    }

    /** {@code ingest 12.3 s (40 jobs, rows read 1,234, written 1,200), silver ...}. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        snapshot().forEach((name, t) -> b.append(b.length() == 0 ? "" : ", ").append(String.format(
                "%s %.1f s (%d jobs, rows read %,d, written %,d)", name, t.seconds(), t.jobs(), t.rowsRead(), t.rowsWritten())));
        return b.toString();
    }

    @Override
    public void close() {
        sc.removeSparkListener(this);
    }
}
