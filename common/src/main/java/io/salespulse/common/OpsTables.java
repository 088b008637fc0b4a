package io.salespulse.common;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Names and schemas of the ops tables: run log, snapshot ledger, quarantine, data-quality results, alert deliveries. */
public final class OpsTables {

    public static final String LAYER = "ops";
    public static final String RUN_LOG = "run_log";
    public static final String SNAPSHOT_LEDGER = "snapshot_ledger";
    public static final String QUARANTINE = "quarantine";
    /** Raw text of malformed rows lives in bronze (it may hold personal data), keyed like the quarantine. */
    public static final String MALFORMED_ROWS = "malformed_rows";
    public static final String ALERT_DELIVERIES = "alert_deliveries";
    /** One row per data-quality check per run. */
    public static final String DQ_RESULTS = "dq_results";
    /**
     * What gold was last computed from: the silver versions, the date and the settings (incremental
     * gold). Only what the data depends on, no run id or time: two warehouses that computed the same
     * gold hold the same state (the Delta commit carries the run id).
     */
    public static final String GOLD_STATE = "gold_state";
    /**
     * What silver was last computed from: the bronze and ledger versions, the silver tables' versions
     * as that build left them, the date and the settings; recorded once the quality gate passed. A
     * run that finds all of them as recorded has nothing to compute in silver (a rerun, a cleared task).
     */
    public static final String SILVER_STATE = "silver_state";

    private OpsTables() {
    }

    public static StructType snapshotStatus() {
        return TableSchema.of()
                .col("table_name", DataTypes.StringType, "Bronze table the snapshot loads into")
                .col("snapshot_date", DataTypes.DateType, "Date of the snapshot folder (snapshot_date / received_date)")
                .col("status", DataTypes.StringType, "loaded, rejected, or duplicate (a second delivery of a loaded snapshot, ignored)")
                .col("rows_read", DataTypes.LongType, "Rows read from the snapshot's files")
                .col("rows_loaded", DataTypes.LongType, "Rows appended to bronze")
                .col("rows_quarantined", DataTypes.LongType, "Malformed rows sent to quarantine")
                .col("reason", DataTypes.StringType, "One-line reason when rejected")
                .struct();
    }

    public static StructType silverCounts() {
        return TableSchema.of()
                .col("table_name", DataTypes.StringType, "Bronze table of the source object")
                .col("rows_in", DataTypes.LongType, "Bronze rows dated on or before the run date")
                .col("quarantined", DataTypes.LongType, "Rows that could not be typed (ops.quarantine)")
                .col("superseded", DataTypes.LongType, "Older versions of a record")
                .col("deleted", DataTypes.LongType, "Current versions that delete their record")
                .col("current", DataTypes.LongType, "Current versions of live records")
                .struct();
    }

    public static StructType runLog() {
        return TableSchema.of()
                .col("run_id", DataTypes.StringType, "Unique id of the run; also on every row and Delta commit it wrote")
                .col("command", DataTypes.StringType, "CLI command of the run (run, rebuild, ...)")
                .col("run_date", DataTypes.DateType, "Business date the run was for (--date)")
                .col("started_at", DataTypes.TimestampType, "When the run started")
                .col("ended_at", DataTypes.TimestampType, "When the run ended")
                .col("outcome", DataTypes.StringType, "success, rejected (input rejected, exit 3) or failed (exit 1)")
                .col("exit_code", DataTypes.IntegerType, "Process exit code of the run")
                .col("message", DataTypes.StringType, "One-line summary or error")
                .col("snapshots", DataTypes.createArrayType(snapshotStatus()), "Per-snapshot row counts of this run")
                .col("silver_counts", DataTypes.createArrayType(silverCounts()),
                        "Per source object: bronze rows = quarantined + superseded + deleted + current")
                .struct();
    }

    public static StructType snapshotLedger() {
        return TableSchema.of()
                .col("table_name", DataTypes.StringType, "Bronze table the snapshot loads into")
                .col("landing_folder", DataTypes.StringType, "Snapshot folder relative to the landing root")
                .col("snapshot_date", DataTypes.DateType, "Date of the snapshot folder")
                .col("mode", DataTypes.StringType, "full or incremental, from the manifest")
                .col("extracted_at", DataTypes.StringType, "Extraction time, from the manifest")
                .col("manifest_records", DataTypes.LongType, "Row count the manifest announces")
                .col("manifest_fingerprint", DataTypes.StringType, "SHA-256 of the manifest; a re-extracted snapshot has a new one")
                .col("status", DataTypes.StringType, "loaded, rejected, or duplicate (a second delivery of a loaded snapshot, ignored)")
                .col("rows_loaded", DataTypes.LongType, "Rows appended to bronze")
                .col("rows_quarantined", DataTypes.LongType, "Malformed rows sent to quarantine")
                .col("reason", DataTypes.StringType, "One-line reason when rejected")
                .col("run_id", DataTypes.StringType, "Run that recorded this entry")
                .col("recorded_at", DataTypes.TimestampType, "When this entry was recorded")
                .col("manifest_listing", DataTypes.StringType, "The manifest file's size and modification time as listed: "
                        + "a later run reads a loaded snapshot's manifest again only when this changes")
                .struct();
    }

    /** One row per alert per channel per delivery attempt run; no recipient address or URL token. */
    public static StructType alertDeliveries() {
        return TableSchema.of()
                .col("run_id", DataTypes.StringType, "Run (run or notify) that delivered")
                .col("kpi_date", DataTypes.DateType, "KPI date of the alert")
                .col("rule_id", DataTypes.StringType, "Alert rule id")
                .col("subject_id", DataTypes.StringType, "'company', the rep's owner_id or the campaign_id")
                .col("severity", DataTypes.StringType, "info, warning or critical")
                .col("channel", DataTypes.StringType, "email or webhook")
                .col("target", DataTypes.StringType, "Where it went, without secrets: the SMTP host:port and recipient count, or the webhook's host")
                .col("status", DataTypes.StringType, "sent, or failed (sent again by the next run or notify)")
                .col("attempts", DataTypes.IntegerType, "Attempts made in this delivery")
                .col("error", DataTypes.StringType, "Last error of a failed delivery, one line")
                .col("delivered_at", DataTypes.TimestampType, "When the delivery ended")
                .struct();
    }

    public static StructType quarantine() {
        return TableSchema.of()
                .col("run_id", DataTypes.StringType, "Run that quarantined the row")
                .col("layer", DataTypes.StringType, "Layer where the row was stopped (bronze, silver)")
                .col("table_name", DataTypes.StringType, "Table the row was meant for")
                .col("record_id", DataTypes.StringType, "Id of the record when it could be read")
                .col("source_file", DataTypes.StringType, "Landing file the row came from")
                .col("snapshot_date", DataTypes.DateType, "Snapshot the row came from")
                .col("reason", DataTypes.StringType, "Why the row was quarantined")
                .col("quarantined_at", DataTypes.TimestampType, "When the row was quarantined")
                .struct();
    }

    public static StructType dqResults() {
        return TableSchema.of()
                .col("run_id", DataTypes.StringType, "Run that ran the check")
                .col("run_date", DataTypes.DateType, "Business date of the run")
                .col("layer", DataTypes.StringType, "landing, silver or gold")
                .col("check_name", DataTypes.StringType, "primary_key_unique, key_not_null, required_not_null, foreign_key, reconciles_with_bronze, reconciles_with_silver, volume_within_norm, landing_fresh")
                .col("table_name", DataTypes.StringType, "Table checked")
                .col("severity", DataTypes.StringType, "error (a failure stops the run before gold) or warn")
                .col("passed", DataTypes.BooleanType, "Whether the check passed")
                .col("observed", DataTypes.LongType, "What the check measured (duplicates, orphans, rows, gap)")
                .col("detail", DataTypes.StringType, "One line saying what was found")
                .col("checked_at", DataTypes.TimestampType, "When the check ran")
                .struct();
    }

    public static StructType goldState() {
        return buildState("Silver table gold reads (layer.table)", "the gold tables",
                "First KPI date and the settings the KPIs depend on; a change recomputes every date").struct();
    }

    public static StructType silverState() {
        // a bronze table's counts (where its rows went, as of run_date): a run that stages only the
        // records its new rows reach adds what changed to them (null for other inputs)
        String of = " among its rows dated on or before run_date (Salesforce bronze tables only)";
        return buildState("Table silver reads, or a silver table as the last checked build left it (layer.table)", "the silver tables",
                "Reporting currency and time zone, closed stages, the email key's id and the silver columns; a change recomputes silver")
                .col("rows_in", DataTypes.LongType, "Rows" + of)
                .col("quarantined", DataTypes.LongType, "Rows that could not be typed" + of)
                .col("superseded", DataTypes.LongType, "Versions superseded by a later one" + of)
                .col("deleted", DataTypes.LongType, "Current versions that are deletions" + of)
                .col("current", DataTypes.LongType, "Current versions of live records" + of)
                .struct();
    }

    private static TableSchema buildState(String input, String outputs, String settings) {
        return TableSchema.of()
                .col("input_table", DataTypes.StringType, input)
                .col("input_version", DataTypes.LongType, "Its Delta version that " + outputs + " were computed from")
                .col("run_date", DataTypes.DateType, "Date " + outputs + " were computed as of")
                .col("settings", DataTypes.StringType, settings);
    }
}
