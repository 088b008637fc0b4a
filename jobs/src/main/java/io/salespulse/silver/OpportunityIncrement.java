package io.salespulse.silver;

import io.salespulse.common.Frames;
import io.salespulse.common.TableSpec;
import io.salespulse.ingest.SourceObject;
import io.salespulse.staging.Staging;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

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
final class OpportunityIncrement {

    /** Records named in a replace's predicate, at most; a night that reaches more computes both tables whole. */
    static final int MAX_RECORDS = 20_000;

    final LocalDate appliedThrough;
    final Set<String> opportunities;
    final Set<String> history;
    /** Staged rows landed after {@link #appliedThrough}, of each object, errors included. */
    final Dataset<Row> newOpportunities;
    final Dataset<Row> newHistory;
    /** Every staged version of the reached records, errors included. */
    final Dataset<Row> opportunityVersions;
    final Dataset<Row> historyVersions;

    private OpportunityIncrement(LocalDate appliedThrough, Set<String> opportunities, Set<String> history,
                                 Dataset<Row> newOpportunities, Dataset<Row> newHistory,
                                 Dataset<Row> opportunityVersions, Dataset<Row> historyVersions) {
        this.appliedThrough = appliedThrough;
        this.opportunities = opportunities;
        this.history = history;
        this.newOpportunities = newOpportunities;
        this.newHistory = newHistory;
        this.opportunityVersions = opportunityVersions;
        this.historyVersions = historyVersions;
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

    private static void tooMany(int n, String what) {
        if (n > MAX_RECORDS) {
            throw new IllegalStateException(String.format("%,d %s reached, more than %,d", n, what, MAX_RECORDS));
        }
    }

    /** The distinct values of a one-column frame, nulls left out (a mutable, sorted set). */
    static Set<String> strings(Dataset<Row> oneColumn) {
        Set<String> out = new TreeSet<>();
        for (String s : oneColumn.distinct().as(Encoders.STRING()).collectAsList()) {
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** Staged rows landed after {@link #appliedThrough} (their errors are the object's new quarantine). */
    Dataset<Row> landed(SourceObject object) {
        return object == SourceObject.OPPORTUNITY ? newOpportunities : newHistory;
    }

    /** Every staged version of the object's reached records. */
    Dataset<Row> versions(SourceObject object) {
        return object == SourceObject.OPPORTUNITY ? opportunityVersions : historyVersions;
    }

    /** The part of {@code table} this recomputes. */
    Built.Replacement replacement(TableSpec table) {
        boolean opp = table.equals(FactOpportunity.TABLE);
        Set<String> ids = opp ? opportunities : history;
        if (ids.isEmpty()) {
            return new Built.Replacement("false", "nothing");
        }
        String words = String.format("the rows of %,d %s", ids.size(), opp
                ? (ids.size() == 1 ? "opportunity" : "opportunities") + " with a version landed after " + appliedThrough
                : "history " + (ids.size() == 1 ? "row" : "rows") + " of the opportunities reached");
        return new Built.Replacement((opp ? "opportunity_id" : "history_id") + " IN (" + list(ids) + ")", words);
    }

    /**
     * The silver quarantine's rows this leaves as they are, as a condition on alias {@code t}: the
     * two objects' rows that could not be typed (only the new ones are added), and the tables' rows
     * of records not reached.
     */
    String quarantineKept() {
        StringBuilder kept = new StringBuilder("t.table_name IN (");
        kept.append(OBJECTS.stream().map(o -> FactActivityDaily.sqlString(o.bronzeTable())).collect(Collectors.joining(", ")));
        kept.append(")");
        for (TableSpec t : TABLES) {
            Set<String> ids = t.equals(FactOpportunity.TABLE) ? opportunities : history;
            kept.append(" OR (t.table_name = ").append(FactActivityDaily.sqlString(t.name()));
            kept.append(ids.isEmpty() ? ")" : " AND NOT t.record_id IN (" + list(ids) + "))");
        }
        return kept.toString();
    }

    private static String list(Set<String> ids) {
        return ids.stream().map(FactActivityDaily::sqlString).collect(Collectors.joining(", "));
    }
}
