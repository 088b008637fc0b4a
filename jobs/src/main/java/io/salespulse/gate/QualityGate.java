package io.salespulse.gate;

import io.salespulse.common.Progress;
import io.salespulse.common.SalespulseConfig;
import io.salespulse.quality.CheckResult;
import io.salespulse.quality.QualityChecks;
import io.salespulse.common.TableWriter;
import io.salespulse.common.OpsTables;
import io.salespulse.silver.SilverBuild;
import io.salespulse.silver.SilverModel;
import io.salespulse.common.TableSpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs the checks at the two gates of a run, records every result in {@code ops.dq_results}, and
 * stops the run (before any gold table is written) when an error-level check fails.
 */
public final class QualityGate {

    public static final String TABLE = OpsTables.DQ_RESULTS;

    private final TableWriter writer;
    private final SalespulseConfig config;
    private final LocalDate runDate;
    private final Progress progress;

    public QualityGate(TableWriter writer, SalespulseConfig config, LocalDate runDate, Progress progress) {
        this.writer = writer;
        this.config = config;
        this.runDate = runDate;
        this.progress = progress;
    }

    /**
     * After silver (or before a gold-only stage): keys, foreign keys, reconciliation with bronze
     * (when the silver build's counts are at hand), landing volume and freshness.
     *
     * @param silver the outcome of the silver build in this process (its key checks were taken
     *               while the tables were counted, and its tables are the rows it wrote), or null
     *               to check the tables as stored
     */
    public void afterSilver(SilverBuild.Outcome silver) {
        writer.spark().sparkContext().setJobDescription("quality checks silver " + runDate);
        Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
        for (TableSpec t : SilverBuild.TABLES) {
            // the rows the silver build of this run wrote, while it holds them: each table's read would
            // plan a Delta scan again (a Spark job and its planning per table)
            Dataset<Row> held = silver == null ? null : silver.tables().get(t);
            tables.put(t, held != null ? held : writer.read(SilverBuild.LAYER, t.name()));
        }
        List<CheckResult> results = new ArrayList<>();
        if (silver != null) {
            results.addAll(silver.keyChecks());
        } else {
            for (TableSpec t : SilverBuild.TABLES) {
                results.addAll(QualityChecks.keys("silver", t, tables.get(t)).checks());
            }
        }
        results.addAll(QualityChecks.foreignKeys("silver", tables));
        if (silver != null) {
            for (SilverModel m : SilverBuild.MODELS) {
                if (m.onePerRecordOf() != null) {
                    results.add(QualityChecks.reconcile(m.table().name(), silver.rows().get(m.table().name()), m.onePerRecordOf(),
                            silver.reconciliation()));
                }
            }
        }
        results.addAll(landingChecks());
        decide("silver", results);
    }

    /**
     * After a silver build that left silver as it is: its inputs are the ones it was computed from
     * when it last passed this gate (ops.silver_state is recorded only then), so its keys, foreign
     * keys and reconciliation stand; the landing's volume and freshness are checked for the date.
     */
    public void afterUnchangedSilver() {
        writer.spark().sparkContext().setJobDescription("quality checks silver " + runDate);
        decide("silver", landingChecks());
    }

    private List<CheckResult> landingChecks() {
        if (!writer.exists(OpsTables.LAYER, OpsTables.SNAPSHOT_LEDGER)) {
            return List.of();
        }
        Dataset<Row> ledger = writer.read(OpsTables.LAYER, OpsTables.SNAPSHOT_LEDGER);
        List<CheckResult> results = new ArrayList<>(QualityChecks.volume(ledger, runDate,
                Double.parseDouble(config.get(SalespulseConfig.VOLUME_TOLERANCE))));
        results.addAll(QualityChecks.freshness(ledger, runDate));
        return results;
    }

    /** Before gold is written: key checks of every computed gold frame and totals that must match silver. */
    public void beforeGold(List<CheckResult> keyChecks, List<CheckResult> totals) {
        List<CheckResult> results = new ArrayList<>(keyChecks);
        results.addAll(totals);
        decide("gold", results);
    }

    private void decide(String stage, List<CheckResult> results) {
        record(results);
        List<CheckResult> failed = results.stream().filter(r -> !r.passed()).toList();
        for (CheckResult r : failed) {
            progress.step("quality", (r.blocking() ? "FAILED " : "warning ") + r.describe());
        }
        long passed = results.size() - failed.size();
        progress.step("quality", String.format("%s: %d checks, %d passed, %d warnings, %d errors", stage, results.size(),
                passed, failed.stream().filter(r -> !r.blocking()).count(), failed.stream().filter(CheckResult::blocking).count()));
        List<CheckResult> blocking = failed.stream().filter(CheckResult::blocking).toList();
        if (!blocking.isEmpty()) {
            throw new QualityGateException("data-quality gate failed after " + stage + ", gold not published: "
                    + blocking.stream().map(CheckResult::describe).collect(Collectors.joining("; ")));
        }
    }

    private void record(List<CheckResult> results) {
        Timestamp now = Timestamp.from(Instant.now());
        List<Row> rows = new ArrayList<>();
        for (CheckResult r : results) {
            rows.add(RowFactory.create(writer.runId(), Date.valueOf(runDate), r.layer(), r.check(), r.tableName(),
                    r.severity(), r.passed(), r.observed(), r.detail(), now));
        }
        writer.append(OpsTables.LAYER, TABLE, writer.spark().createDataFrame(rows, schema()), List.of());
    }

    public static StructType schema() {
        return OpsTables.dqResults();
    }
}
