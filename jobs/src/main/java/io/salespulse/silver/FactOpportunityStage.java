package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.common.TableSchema;
import io.salespulse.ingest.SourceObject;
import io.salespulse.intermediate.ConversionRates;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createDecimalType;

/**
 * {@code silver.fact_opportunity_stage}: one row per OpportunityHistory row of a live
 * opportunity, i.e. one stage interval from entered_at to the next change (reopens included).
 */
public final class FactOpportunityStage {

    public static final TableSpec TABLE = new TableSpec("fact_opportunity_stage",
            "One row per opportunity stage interval, from OpportunityHistory (reopened deals included)",
            TableSchema.of()
                    .col("history_id", StringType, "OpportunityHistory Id")
                    .col("opportunity_id", StringType, "Opportunity the interval belongs to")
                    .col("stage_name", StringType, "Stage during the interval")
                    .col("entered_at", TimestampType, "When the stage was entered (history CreatedDate)")
                    .col("exited_at", TimestampType, "When the next history row was created; null for the current interval")
                    .col("close_date", DateType, "CloseDate recorded on the history row")
                    .col("probability", createDecimalType(38, 6), "Probability (%) recorded on the history row")
                    .col("amount", createDecimalType(38, 6), "Amount recorded on the history row, opportunity currency")
                    .col("currency", StringType, "The opportunity's CurrencyIsoCode")
                    .col("amount_rc", createDecimalType(38, 6), "Amount in reporting currency at the rate valid on the row's close_date")
                    .col("is_closed_stage", BooleanType, "Stage is one of the configured closed stages")
                    .struct(),
            List.of("history_id"))
            // the build quarantines stages of unknown opportunities: an orphan here is a defect
            .referencing("opportunity_id", FactOpportunity.TABLE, "opportunity_id");

    private FactOpportunityStage() {
    }

    /**
     * From the run's inputs: history rows of live opportunities; a row whose opportunity never
     * existed is quarantined (one of a deleted opportunity is dropped with it).
     */
    public static Built build(SilverInputs in) {
        Dataset<Row> history = in.live(SourceObject.OPPORTUNITY_HISTORY);
        Dataset<Row> liveOpps = in.live(SourceObject.OPPORTUNITY).select(col("id").as("_opp"));
        Dataset<Row> everOpps = in.ranked(SourceObject.OPPORTUNITY).select(col("id").as("_ever")).distinct();
        Dataset<Row> linked = history.join(liveOpps, history.col("opportunity_id").equalTo(liveOpps.col("_opp")), "left")
                .join(everOpps, history.col("opportunity_id").equalTo(everOpps.col("_ever")), "left");
        Built built = build(linked.where(col("_opp").isNotNull()).drop("_opp", "_ever"), in.live(SourceObject.OPPORTUNITY),
                in.rates(), in.reportingCurrency(), in.closedStages());
        Dataset<Row> orphans = Built.quarantine(linked.where(col("_ever").isNull()), TABLE.name(),
                concat(lit("opportunity not found: "), col("opportunity_id")));
        return built.withQuarantined(orphans);
    }

    /**
     * @param history       live staged OpportunityHistory rows whose opportunity is live
     * @param opportunities live staged opportunities (for the currency)
     */
    public static Built build(Dataset<Row> history, Dataset<Row> opportunities, Dataset<Row> rates, String reportingCurrency,
                              List<String> closedStages) {
        Dataset<Row> opp = opportunities.select(col("id").as("_opp_id"), col("currency"));
        Dataset<Row> withCurrency = history.join(opp, history.col("opportunity_id").equalTo(opp.col("_opp_id")))
                .drop("_opp_id");
        Dataset<Row> converted = ConversionRates.convert(withCurrency, rates, reportingCurrency,
                "amount", "currency", "close_date", "amount_rc", "id");
        return Built.split(converted, c -> c.where(col("_rate_error").isNull()).select(
                        col("id").as("history_id"), col("opportunity_id"), col("stage_name"), col("created_at").as("entered_at"),
                        lead(col("created_at"), 1).over(Window.partitionBy("opportunity_id").orderBy(col("created_at"), col("id")))
                                .as("exited_at"),
                        col("close_date"), col("probability"), col("amount"), col("currency"), col("amount_rc"),
                        coalesce(col("stage_name").isin(closedStages.toArray()), lit(false)).as("is_closed_stage")),
                c -> Built.withoutRate(c, TABLE.name()));
    }
}
