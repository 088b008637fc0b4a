package io.salespulse.silver;

import io.salespulse.common.Frames;
import io.salespulse.common.TableSpec;
import io.salespulse.ingest.SourceObject;
import io.salespulse.staging.Staging;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The opportunities' part of a daily run that takes only what the rows landed since silver was
 * last computed reach, instead of staging every opportunity and every history row in bronze:
 * {@code fact_opportunity} keeps one row per live opportunity and {@code fact_opportunity_stage}
 * one per history row of one, so a night's new versions change only the rows of the records they
 * name, and the stage intervals of their opportunities (a new stage ends the one before it).
 *
 * <p>The records reached: every opportunity with a new version, and every opportunity any version
 * of a new history row names; then every history row whose versions name one of those
 * opportunities. Each of them is ranked from all its versions in bronze, as a rebuild ranks it (a
 * record's current version depends on its own versions and the object's full snapshots only), and
 * the two tables' rows of exactly those records are replaced. When a reached history row also
 * names an opportunity outside them (OpportunityHistory rows never move in Salesforce), or the
 * records are too many to name, the caller computes both tables from all of bronze instead.
 */
final class OpportunityIncrement extends RecordsReached {

    final Set<String> opportunities;
    final Set<String> history;

    private OpportunityIncrement(LocalDate appliedThrough, Set<String> opportunities, Set<String> history,
                                 Dataset<Row> newOpportunities, Dataset<Row> newHistory,
                                 Dataset<Row> opportunityVersions, Dataset<Row> historyVersions) {
        super(appliedThrough, OBJECTS, TABLES,
                Map.of(SourceObject.OPPORTUNITY, newOpportunities, SourceObject.OPPORTUNITY_HISTORY, newHistory),
                Map.of(SourceObject.OPPORTUNITY, opportunityVersions, SourceObject.OPPORTUNITY_HISTORY, historyVersions),
                Map.of(FactOpportunity.TABLE, opportunities, FactOpportunityStage.TABLE, history));
        this.opportunities = opportunities;
        this.history = history;
    }

    /** The objects whose staging this covers. */
    static final List<SourceObject> OBJECTS = List.of(SourceObject.OPPORTUNITY, SourceObject.OPPORTUNITY_HISTORY);

    /** The silver tables whose rows this replaces in part. */
    static final List<TableSpec> TABLES = List.of(FactOpportunity.TABLE, FactOpportunityStage.TABLE);

    /**
     * The records the rows landed after {@code appliedThrough} reach, and their versions; a reason to
     * compute both tables whole instead when that cannot be told exactly here (thrown as the message
     * of an {@link IllegalStateException}: the caller says it and computes them whole).
     *
     * @param opportunityBronze bronze Opportunity rows dated on or before the run date
     * @param historyBronze     bronze OpportunityHistory rows dated on or before the run date
     * @param pinned            where the frames this holds are pinned (released with the run's)
     */
    static OpportunityIncrement reach(LocalDate appliedThrough, Dataset<Row> opportunityBronze, Dataset<Row> historyBronze,
                                      List<Dataset<Row>> pinned) {
        return reach(appliedThrough, opportunityBronze, historyBronze, Set.of(), Set.of(), pinned);
    }

    /**
     * As above, with the records reached otherwise as well ({@code alsoOpportunities},
     * {@code alsoHistory}: the amounts new exchange rates convert differently), whose history rows and
     * opportunities are then reached as a new row's are.
     */
    static OpportunityIncrement reach(LocalDate appliedThrough, Dataset<Row> opportunityBronze, Dataset<Row> historyBronze,
                                      Set<String> alsoOpportunities, Set<String> alsoHistory, List<Dataset<Row>> pinned) {
        var oppModel = Staging.MODELS.get(SourceObject.OPPORTUNITY);
        var historyModel = Staging.MODELS.get(SourceObject.OPPORTUNITY_HISTORY);
        org.apache.spark.sql.Column landed = col("_snapshot_date").gt(lit(Date.valueOf(appliedThrough)));
        Dataset<Row> newOpps = Frames.pin(Staging.stage(opportunityBronze.where(landed), oppModel), pinned);
        Dataset<Row> newHistory = Frames.pin(Staging.stage(historyBronze.where(landed), historyModel), pinned);
        Set<String> touchedHistory = strings(newHistory.where(col("_error").isNull()).select("id"));
        touchedHistory.addAll(alsoHistory);
        Set<String> opps = strings(newOpps.where(col("_error").isNull()).select("id"));
        opps.addAll(alsoOpportunities);
        // every opportunity any version of a new history row names: a row that moved leaves its old one too
        if (!touchedHistory.isEmpty()) {
            opps.addAll(strings(Staging.stage(historyBronze.where(col("Id").isin(touchedHistory.toArray())), historyModel)
                    .where(col("_error").isNull()).select("opportunity_id")));
        }
        tooMany(opps.size(), "opportunities");
        Set<String> history = new TreeSet<>(touchedHistory);
        if (!opps.isEmpty()) {
            // the raw OpportunityId is the staged one wherever it is not blank (text is kept as landed)
            history.addAll(strings(historyBronze.where(col("OpportunityId").isin(opps.toArray())).select("Id")));
        }
        tooMany(history.size(), "history rows");
        Dataset<Row> historyVersions = Frames.pin(Staging.stage(
                historyBronze.where(col("Id").isin(history.toArray())), historyModel), pinned);
        if (!history.isEmpty()) {
            Set<String> named = strings(historyVersions.where(col("_error").isNull()).select("opportunity_id"));
            named.removeAll(opps);
            if (!named.isEmpty()) {
                throw new IllegalStateException("a history row reached names " + named.size() + " other opportunities");
            }
        }
        Dataset<Row> oppVersions = Frames.pin(Staging.stage(
                opportunityBronze.where(col("Id").isin(opps.toArray())), oppModel), pinned);
        return new OpportunityIncrement(appliedThrough, opps, history, newOpps, newHistory, oppVersions, historyVersions);
    }

    @Override
    String describe(TableSpec table, int n) {
        return table.equals(FactOpportunity.TABLE)
                ? (n == 1 ? "opportunity" : "opportunities") + " reached by the rows landed after " + appliedThrough
                : "history " + (n == 1 ? "row" : "rows") + " of the opportunities reached";
    }
}
