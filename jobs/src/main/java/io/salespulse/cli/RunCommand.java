package io.salespulse.cli;

import io.salespulse.quality.Reconciliation;
import io.salespulse.common.Progress;
import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.StageMetrics;
import io.salespulse.common.TableWriter;
import io.salespulse.ingest.BronzeIngest;
import io.salespulse.gold.GoldBuild;
import io.salespulse.gold.HighWaterMark;
import io.salespulse.notify.AlertDelivery;
import io.salespulse.report.Dashboard;
import io.salespulse.ops.RunLock;
import io.salespulse.ops.RunLog;
import io.salespulse.gate.QualityGate;
import io.salespulse.gate.QualityGateException;
import io.salespulse.silver.EmailHash;
import io.salespulse.silver.SilverBuild;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code salespulse run --date D}: landing → bronze for every complete snapshot dated ≤ D, then
 * bronze → silver → gold as of D. {@code salespulse rebuild --date D} recomputes silver and gold
 * from bronze from scratch (no ingestion).
 */
public final class RunCommand {

    private RunCommand() {
    }

    /** Which layers a run builds: Airflow runs each as its own task so a failure retries only its stage. */
    public enum Stage {
        INGEST, SILVER, GOLD, ALL;

        static Stage parse(String value) {
            if (value == null) {
                return ALL;
            }
            try {
                return Stage.valueOf(value.toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--stage must be ingest, silver, gold or all, got '" + value + "'");
            }
        }

        boolean ingest() {
            return this == INGEST || this == ALL;
        }

        boolean silver() {
            return this == SILVER || this == ALL;
        }

        boolean gold() {
            return this == GOLD || this == ALL;
        }
    }

    public static int execute(SparkSession spark, SalespulseConfig config, LocalDate date, Map<String, String> env,
                              PrintStream out, PrintStream err) {
        return execute(spark, config, date, env, out, err, false, Stage.ALL);
    }

    public static int execute(SparkSession spark, SalespulseConfig config, LocalDate date, Map<String, String> env,
                              PrintStream out, PrintStream err, boolean rebuild, Stage stage) {
        return execute(spark, config, date, env, out, err, rebuild, stage, false, true);
    }

    /**
     * @param rewind a rebuild may compute as of a date before the warehouse's high-water mark
     *               (destructive: every published KPI after that date is deleted)
     * @param notify deliver the as-of date's new alerts after gold (Airflow leaves it to its own task)
     */
    public static int execute(SparkSession spark, SalespulseConfig config, LocalDate date, Map<String, String> env,
                              PrintStream out, PrintStream err, boolean rebuild, Stage stage, boolean rewind, boolean notify) {
        EmailHash hash = stage.silver() ? emailHash(env) : null;
        if (stage.gold()) {
            checkAlertRules(config);
        }
        Instant started = Instant.now();
        String command = rebuild ? "rebuild" : "run";
        String runId = newRunId(date, started);
        TableWriter writer = new TableWriter(spark, config.warehouseRoot(), runId);
        Progress progress = new Progress(out);
        AlertDelivery delivery = stage.gold() && notify ? alertDelivery(writer, config, env, progress) : null;
        RunLog runLog = new RunLog(writer);
        progress.step(command, command + " " + runId + " for " + date + ": landing " + config.landingRoot()
                + " → warehouse " + config.warehouseRoot());
        List<BronzeIngest.SnapshotOutcome> loaded = new ArrayList<>();
        List<Reconciliation> silverCounts = List.of();
        String summary;
        List<BronzeIngest.SnapshotOutcome> rejected = List.of();
        RunLock lock = takeWarehouse(spark, config, runId, err);
        if (lock == null) {
            return Salespulse.BUSY; // nothing written, so nothing for the run log (its writer is the other run)
        }
        writer.soleWriter(); // this run holds the warehouse: a table's log, once read, changes only by its own commits
        try (lock; StageMetrics metrics = StageMetrics.attach(spark.sparkContext())) {
            LocalDate asOf = publishDate(writer, date, rebuild, stage, rewind, progress, command);
            try {
                QualityGate gate = new QualityGate(writer, config, asOf, progress);
                if (!rebuild && stage.ingest()) {
                    BronzeIngest.Outcome ingest = metrics.time("ingest", () -> new BronzeIngest(writer,
                            spark.sparkContext().hadoopConfiguration(), config.landingRoot(), progress,
                            (int) config.getLong(SalespulseConfig.STEPS_AT_ONCE),
                            config.getLong(SalespulseConfig.COMPILE_MIN_ROWS)).execute(date));
                    ingest.stillRejected().forEach(s -> progress.step("ingest", "still rejected (manifest unchanged): " + s));
                    loaded.addAll(ingest.loaded());
                    rejected = ingest.rejected();
                    long rows = loaded.stream().mapToLong(BronzeIngest.SnapshotOutcome::rowsLoaded).sum();
                    long quarantined = loaded.stream().mapToLong(BronzeIngest.SnapshotOutcome::rowsQuarantined).sum();
                    summary = String.format("%d snapshots loaded (%,d rows, %,d quarantined), %d rejected, %d waiting",
                            loaded.size() - rejected.size(), rows, quarantined, rejected.size(), ingest.waiting().size());
                    progress.step("ingest", summary);
                } else {
                    summary = rebuild ? "silver rebuilt from bronze" : "no ingestion";
                }
                if (!asOf.equals(date)) {
                    summary = String.format("%s %s: the warehouse is at %s; %s; tables computed as of %s",
                            command, date, asOf, summary, asOf);
                }
                if (stage.silver()) {
                    SilverBuild build = new SilverBuild(writer, config, hash, progress);
                    SilverBuild.Outcome silver = metrics.time("silver", () -> build.execute(asOf, rebuild));
                    try (silver) {
                        silverCounts = silver.reconciliation();
                        summary += silver.computed()
                                ? String.format("; silver: %d tables, %,d rows quarantined", silver.rows().size(), silver.quarantined())
                                : "; silver: unchanged";
                        metrics.time("quality", () -> {
                            if (silver.computed()) {
                                gate.afterSilver(silver);
                                build.recordInputs(silver); // only silver that passed the gate counts as done
                            } else {
                                gate.afterUnchangedSilver();
                            }
                        });
                    }
                }
                if (stage.gold()) {
                    if (!stage.silver()) {
                        // gold alone (an Airflow task) still only builds on checked silver: checked
                        // again unless it is exactly as the silver stage left it after the gate passed
                        if (new SilverBuild(writer, config, hash, progress).unchangedSinceChecked()) {
                            progress.step("quality", "silver is as it was when its checks passed: not checked again");
                            metrics.time("quality", gate::afterUnchangedSilver);
                        } else {
                            metrics.time("quality", () -> gate.afterSilver(null));
                        }
                    }
                    Row today = metrics.time("gold", () -> new GoldBuild(writer, config, progress).execute(asOf, rebuild, gate));
                    summary += "; gold: " + GoldBuild.TABLES.size() + " tables";
                    printKpis(today, progress);
                }
            } catch (QualityGateException e) {
                runLog.record(command, date, started, "blocked", Salespulse.REJECTED, Salespulse.oneLine(e), loaded, silverCounts);
                err.println("salespulse: " + Salespulse.oneLine(e));
                return Salespulse.REJECTED;
            } catch (Exception e) {
                try {
                    runLog.record(command, date, started, "failed", Salespulse.FAILED, Salespulse.oneLine(e), loaded, silverCounts);
                } catch (RuntimeException logFailure) {
                    e.addSuppressed(logFailure); // storage gone: the run's own error is the one to report
                }
                throw e;
            }
            // still holding the warehouse: the run log has one writer at a time like every other table
            int code = rejected.isEmpty() ? Salespulse.OK : Salespulse.REJECTED;
            runLog.record(command, date, started, code == Salespulse.OK ? "success" : "rejected", code, summary, loaded, silverCounts);
            progress.step(command, summary);
            progress.step(command, "stages: " + metrics.summary());
            for (BronzeIngest.SnapshotOutcome r : rejected) {
                err.println("salespulse: rejected " + r.reason());
            }
            if (stage.gold()) {
                publishDashboard(writer, config, asOf, progress, err);
            }
            if (delivery != null) {
                deliver(delivery, asOf, err);
            }
            return code;
        }
    }

    /**
     * The date silver and gold are computed as of. Published tables only move forward: a run for a
     * date before the high-water mark (a cleared Airflow task, a backfill) still loads what is
     * missing up to its own date, but computes as of the mark. A rebuild before the mark is
     * refused unless the operator asks to rewind.
     */
    private static LocalDate publishDate(TableWriter writer, LocalDate date, boolean rebuild, Stage stage, boolean rewind,
                                         Progress progress, String command) {
        if (!stage.silver() && !stage.gold()) {
            return date;
        }
        LocalDate mark = HighWaterMark.read(writer);
        LocalDate asOf = HighWaterMark.asOf(date, mark);
        if (asOf.equals(date)) {
            return date;
        }
        if (rebuild) {
            if (!rewind) {
                throw new UsageException("the warehouse is published up to " + mark + "; rebuild --date " + mark
                        + " recomputes it, and rebuild --as-of " + date + " --force rewinds it to " + date
                        + " (deletes every silver and gold row after " + date + ")");
            }
            progress.step(command, "rewinding the warehouse from " + mark + " to " + date + " (--force)");
            return date;
        }
        progress.step(command, command + " " + date + ": the warehouse is at " + mark + "; tables are computed as of " + mark);
        return asOf;
    }

    /** A bad alert rule is a usage error before anything is written, not a failure after silver. */
    static void checkAlertRules(SalespulseConfig config) {
        try {
            GoldBuild.alertRules(config);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The configured channels, checked before anything is written. */
    static AlertDelivery alertDelivery(TableWriter writer, SalespulseConfig config, Map<String, String> env, Progress progress) {
        try {
            return new AlertDelivery(writer, config, env, progress);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The date's dashboard page under the warehouse; a page that cannot be written is a warning, not a failed run. */
    private static void publishDashboard(TableWriter writer, SalespulseConfig config, LocalDate asOf, Progress progress,
                                         PrintStream err) {
        try {
            String page = Dashboard.write(writer, asOf, config.get(SalespulseConfig.REPORTING_CURRENCY),
                    Dashboard.defaultDir(writer, asOf));
            progress.step("report", "dashboard: " + page);
        } catch (RuntimeException e) {
            err.println("salespulse: warning: the dashboard for " + asOf + " was not written (salespulse report --date "
                    + asOf + " retries it): " + Salespulse.oneLine(e));
        }
    }

    /**
     * After the data is published: a receiver that is down costs a warning and a row in
     * ops.alert_deliveries, never the run (notify sends it later).
     */
    private static void deliver(AlertDelivery delivery, LocalDate asOf, PrintStream err) {
        try {
            AlertDelivery.Outcome o = delivery.deliver(asOf);
            o.failed().forEach(f -> err.println("salespulse: warning: alert delivery failed (notify --date " + asOf
                    + " retries it): " + f));
        } catch (RuntimeException e) {
            err.println("salespulse: warning: alert delivery failed (notify --date " + asOf + " retries it): "
                    + Salespulse.oneLine(e));
        }
    }

    /** The warehouse lease for a writing command, or null (after saying who holds it) when another run does. */
    static RunLock takeWarehouse(SparkSession spark, SalespulseConfig config, String runId, PrintStream err) {
        try {
            return RunLock.acquire(spark.sparkContext().hadoopConfiguration(), config, runId);
        } catch (RunLock.BusyException e) {
            err.println("salespulse: " + e.getMessage());
            return null;
        }
    }

    /** A few headline KPIs of the run date, for the log and the person watching. */
    private static void printKpis(Row today, Progress progress) {
        if (today == null) {
            return;
        }
        progress.step("kpi", String.format("%s  leads %s (quality %s)  won %s / lost %s  win rate 30d %s  net revenue %s  DAU %s  MAU %s",
                today.getAs("kpi_date"), today.getAs("leads_created"), fmt(today.getAs("avg_lead_quality")),
                today.getAs("won"), today.getAs("lost"), fmt(today.getAs("win_rate_30d")),
                today.getAs("net_revenue") == null ? "-" : ((java.math.BigDecimal) today.getAs("net_revenue")).setScale(2, java.math.RoundingMode.HALF_UP),
                today.getAs("active_users"), today.getAs("mau")));
    }

    private static String fmt(Object v) {
        return v == null ? "-" : String.format("%.3f", ((Number) v).doubleValue());
    }

    static EmailHash emailHash(Map<String, String> env) {
        try {
            return EmailHash.fromEnv(env);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static String newRunId(LocalDate date, Instant started) {
        return date + "_" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC).format(started)
                + "_" + UUID.randomUUID().toString().substring(0, 8);
    }
}
