package io.salespulse.ops;

import io.salespulse.common.OpsTables;
import io.salespulse.quality.Reconciliation;
import io.salespulse.common.TableWriter;
import io.salespulse.ingest.BronzeIngest;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** Appends one row per run to {@code ops/run_log}: what ran, for which date, how it ended, with row counts. */
public final class RunLog {

    private final TableWriter writer;

    public RunLog(TableWriter writer) {
        this.writer = writer;
    }

    public void record(String command, LocalDate runDate, Instant startedAt, String outcome, int exitCode,
                       String message, List<BronzeIngest.SnapshotOutcome> snapshots,
                       List<Reconciliation> silver) {
        List<Row> perSnapshot = new ArrayList<>();
        for (BronzeIngest.SnapshotOutcome s : snapshots) {
            perSnapshot.add(RowFactory.create(s.snapshot().object().bronzeTable(), Date.valueOf(s.snapshot().date()),
                    s.status(), s.rowsRead(), s.rowsLoaded(), s.rowsQuarantined(), s.reason()));
        }
        List<Row> silverCounts = new ArrayList<>();
        for (Reconciliation r : silver) {
            silverCounts.add(RowFactory.create(r.tableName(), r.rowsIn(), r.quarantined(), r.superseded(), r.deleted(), r.current()));
        }
        Row row = RowFactory.create(writer.runId(), command, runDate == null ? null : Date.valueOf(runDate),
                Timestamp.from(startedAt), Timestamp.from(Instant.now()), outcome, exitCode, message,
                perSnapshot, silverCounts);
        writer.append(OpsTables.LAYER, OpsTables.RUN_LOG,
                writer.spark().createDataFrame(List.of(row), OpsTables.runLog()), List.of());
    }
}
