package io.salespulse.cli;

import io.salespulse.common.Progress;
import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.TableWriter;
import io.salespulse.ingest.BronzeIngest;
import io.salespulse.ops.RunLog;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;

/** {@code salespulse run --date D}: landing → bronze for every complete snapshot dated ≤ D. */
public final class RunCommand {

    private RunCommand() {
    }

    public static int execute(SparkSession spark, SalespulseConfig config, LocalDate date, PrintStream out, PrintStream err) {
        Instant started = Instant.now();
        String runId = newRunId(date, started);
        TableWriter writer = new TableWriter(spark, config.warehouseRoot(), runId);
        Progress progress = new Progress(out);
        RunLog runLog = new RunLog(writer);
        progress.step("run", "run " + runId + " for " + date + ": landing " + config.landingRoot()
                + " → warehouse " + config.warehouseRoot());
        BronzeIngest.Outcome ingest;
        try {
            ingest = new BronzeIngest(writer, spark.sparkContext().hadoopConfiguration(), config.landingRoot(), progress)
                    .execute(date);
        } catch (RuntimeException e) {
            String reason = Salespulse.oneLine(e);
            runLog.record("run", date, started, "failed", Salespulse.FAILED, reason, List.of());
            throw e;
        }
        ingest.stillRejected().forEach(s -> progress.step("ingest", "still rejected (manifest unchanged): " + s));
        List<BronzeIngest.SnapshotOutcome> rejected = ingest.rejected();
        long rows = ingest.loaded().stream().mapToLong(BronzeIngest.SnapshotOutcome::rowsLoaded).sum();
        long quarantined = ingest.loaded().stream().mapToLong(BronzeIngest.SnapshotOutcome::rowsQuarantined).sum();
        String summary = String.format("%d snapshots loaded (%,d rows, %,d quarantined), %d rejected, %d waiting",
                ingest.loaded().size() - rejected.size(), rows, quarantined, rejected.size(), ingest.waiting().size());
        int code = rejected.isEmpty() ? Salespulse.OK : Salespulse.REJECTED;
        runLog.record("run", date, started, code == Salespulse.OK ? "success" : "rejected", code, summary, ingest.loaded());
        progress.step("run", summary);
        for (BronzeIngest.SnapshotOutcome r : rejected) {
            err.println("salespulse: rejected " + r.reason());
        }
        return code;
    }

    static String newRunId(LocalDate date, Instant started) {
        return date + "_" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC).format(started)
                + "_" + UUID.randomUUID().toString().substring(0, 8);
    }
}
