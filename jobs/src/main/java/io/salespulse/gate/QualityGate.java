package io.salespulse.gate;

import io.salespulse.common.Progress;
import io.salespulse.common.SalespulseConfig;
import io.salespulse.quality.CheckResult;
import io.salespulse.quality.QualityChecks;
import io.salespulse.common.TableWriter;
import io.salespulse.ingest.SourceObject;
import io.salespulse.common.OpsTables;
import io.salespulse.silver.DimCustomer;
import io.salespulse.silver.Dimensions;
import io.salespulse.silver.FactCampaignMember;
import io.salespulse.silver.FactLead;
import io.salespulse.silver.FactOpportunity;
import io.salespulse.silver.FactOpportunityStage;
import io.salespulse.silver.FactOrder;
import io.salespulse.silver.SilverBuild;
import io.salespulse.common.TableSpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
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

    /** Foreign keys of silver. Error where silver quarantines orphans, so a failure means a defect. */
    static final List<QualityChecks.ForeignKey> SILVER_FOREIGN_KEYS = List.of(
            new QualityChecks.ForeignKey(FactOpportunityStage.TABLE, "opportunity_id", FactOpportunity.TABLE, "opportunity_id", CheckResult.ERROR),
            new QualityChecks.ForeignKey(FactOpportunity.TABLE, "owner_id", Dimensions.SALES_REP, "owner_id", CheckResult.WARN),
            new QualityChecks.ForeignKey(FactOpportunity.TABLE, "account_id", DimCustomer.TABLE, "account_id", CheckResult.WARN),
            new QualityChecks.ForeignKey(FactLead.TABLE, "owner_id", Dimensions.SALES_REP, "owner_id", CheckResult.WARN),
            new QualityChecks.ForeignKey(FactLead.TABLE, "first_touch_campaign_id", Dimensions.CAMPAIGN, "campaign_id", CheckResult.WARN),
            new QualityChecks.ForeignKey(FactOrder.TABLE, "account_id", DimCustomer.TABLE, "account_id", CheckResult.WARN),
            new QualityChecks.ForeignKey(FactOrder.TABLE, "product_id", Dimensions.PRODUCT, "product_id", CheckResult.WARN),
            new QualityChecks.ForeignKey(FactCampaignMember.TABLE, "campaign_id", Dimensions.CAMPAIGN, "campaign_id", CheckResult.WARN));

    /** Silver tables holding exactly one row per live record of one source object. */
    static final Map<TableSpec, SourceObject> ONE_ROW_PER_RECORD = Map.of(
            FactLead.TABLE, SourceObject.LEAD, Dimensions.SALES_REP, SourceObject.USER,
            Dimensions.PRODUCT, SourceObject.PRODUCT, FactCampaignMember.TABLE, SourceObject.CAMPAIGN_MEMBER);

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
     *               while the tables were counted), or null to check the tables as stored
     */
    public void afterSilver(SilverBuild.Outcome silver) {
        writer.spark().sparkContext().setJobDescription("quality checks silver " + runDate);
        Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
        for (TableSpec t : SilverBuild.TABLES) {
            tables.put(t, writer.read(SilverBuild.LAYER, t.name()));
        }
        List<CheckResult> results = new ArrayList<>();
        if (silver != null) {
            results.addAll(silver.keyChecks());
        } else {
            for (TableSpec t : SilverBuild.TABLES) {
                results.addAll(QualityChecks.keys("silver", t, tables.get(t)).checks());
            }
        }
        results.addAll(QualityChecks.foreignKeys("silver", SILVER_FOREIGN_KEYS, tables));
        if (silver != null) {
            for (TableSpec t : SilverBuild.TABLES) {
                SourceObject object = ONE_ROW_PER_RECORD.get(t);
                if (object != null) {
                    results.add(QualityChecks.reconcile(t.name(), silver.rows().get(t.name()), object, silver.reconciliation()));
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
