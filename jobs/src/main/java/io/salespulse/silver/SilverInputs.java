package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.ingest.SourceObject;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.col;

/**
 * What the silver models read, prepared by {@link SilverBuild} (staging and the intermediate
 * steps several models share), and the silver tables already built in this run.
 *
 * @param live              each Salesforce object's current, not deleted records (staged, typed)
 * @param ranked            each Salesforce object's every typed version, {@code _is_current} marking the latest
 * @param events            bronze Segment events landed on or before the run date
 * @param rates             live dated conversion rates
 * @param orders            conformed orders (amounts in the reporting currency, counted or not)
 * @param acquisitions      each customer's acquisition (first counted order)
 * @param leadsReached      when not null, the leads this run computes {@code fact_lead}'s rows of
 *                          ({@link LeadIncrement}): the live leads are those of them only
 * @param activityIncrement when not null, fact_activity_daily is updated with the events landed
 *                          since it was last computed instead of being recomputed from all of them
 * @param tables            silver tables built before this model (those it names in {@link SilverModel#reading})
 */
public record SilverInputs(LocalDate runDate, Map<SourceObject, Dataset<Row>> live, Map<SourceObject, Dataset<Row>> ranked,
                           Dataset<Row> events, Dataset<Row> rates, Dataset<Row> orders, Dataset<Row> acquisitions,
                           Set<String> leadsReached, String reportingCurrency, List<String> closedStages, EmailHash hash,
                           FactActivityDaily.Increment activityIncrement, Map<TableSpec, Dataset<Row>> tables) {

    public SilverInputs {
        live = Map.copyOf(live);
        ranked = Map.copyOf(ranked);
        closedStages = List.copyOf(closedStages);
        tables = Map.copyOf(tables);
        leadsReached = leadsReached == null ? null : Set.copyOf(leadsReached);
    }

    /** fact_campaign_member's rows of the leads this run computes (all of them, or the leads reached): their first touches. */
    public Dataset<Row> leadMembers() {
        Dataset<Row> members = table(FactCampaignMember.TABLE);
        return leadsReached == null ? members : members.where(col("lead_id").isin(leadsReached.toArray()));
    }

    public Dataset<Row> live(SourceObject object) {
        return live.get(object);
    }

    public Dataset<Row> ranked(SourceObject object) {
        return ranked.get(object);
    }

    /** A silver table an earlier model of this run built. */
    public Dataset<Row> table(TableSpec t) {
        Dataset<Row> rows = tables.get(t);
        if (rows == null) {
            throw new IllegalStateException(t.name() + " is not built yet (a model reads only the silver tables it names in SilverModel.reading)");
        }
        return rows;
    }

    /** Whether {@code t} is built already. */
    public boolean has(TableSpec t) {
        return tables.containsKey(t);
    }

    /** These inputs with {@code t}'s rows added, for the models built after it. */
    public SilverInputs with(TableSpec t, Dataset<Row> rows) {
        Map<TableSpec, Dataset<Row>> more = new LinkedHashMap<>(tables);
        more.put(t, rows);
        return new SilverInputs(runDate, live, ranked, events, rates, orders, acquisitions, leadsReached, reportingCurrency,
                closedStages, hash, activityIncrement, more);
    }
}
