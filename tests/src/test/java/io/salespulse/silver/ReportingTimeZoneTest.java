package io.salespulse.silver;

import io.salespulse.common.TableSpec;
import io.salespulse.gold.GoldInputs;
import io.salespulse.gold.KpiDaily;
import io.salespulse.ingest.SourceObject;
import io.salespulse.testing.Bronze;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.salespulse.testing.Bronze.live;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sequence;

/**
 * Business dates are taken in the reporting time zone (the session's, set from
 * {@code reporting.timezone}). In Europe/Warsaw (UTC+1 in March) a lead, an opportunity or an event
 * at 23:30Z belongs to the next day, and one at 22:30Z to the same day — in silver and in gold alike.
 * Dates that land as calendar dates (an order's EffectiveDate, a CloseDate) are taken as they are.
 */
class ReportingTimeZoneTest extends SparkTestBase {

    private String zoneBefore;

    @BeforeEach
    void warsaw() {
        zoneBefore = spark().conf().get("spark.sql.session.timeZone");
        spark().conf().set("spark.sql.session.timeZone", "Europe/Warsaw");
    }

    @AfterEach
    void restore() {
        spark().conf().set("spark.sql.session.timeZone", zoneBefore);
    }

    @Test
    void aRecordOrEventAt2330ZBelongsToTheNextDayInWarsaw() {
        Dataset<Row> leads = live(SourceObject.LEAD, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "LastName", "Status", "OwnerId")
                .row("2026-03-02", "L1", "false", "2026-03-01T23:30:00Z", "2026-03-01T23:30:00Z", "Late", "Open", "U1")
                .row("2026-03-02", "L2", "false", "2026-03-01T22:30:00Z", "2026-03-01T22:30:00Z", "Early", "Open", "U1"));
        Dataset<Row> noMembers = live(SourceObject.CAMPAIGN_MEMBER, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "CampaignId", "LeadId"));
        Dataset<Row> noAcquisitions = spark().sql("SELECT 'none' AS account_id, DATE'2026-01-01' AS acquisition_date").where("false");
        Dataset<Row> factLead = FactLead.build(leads, FactCampaignMember.build(noMembers), noAcquisitions, new EmailHash("unit-test-key"));
        assertRows("fact_lead", List.<Object[]>of(
                        row("L1", Date.valueOf("2026-03-02")),
                        row("L2", Date.valueOf("2026-03-01"))),
                rowsOf(factLead.select("lead_id", "created_date")));

        Dataset<Row> opps = live(SourceObject.OPPORTUNITY, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "AccountId",
                        "StageName", "Amount", "CloseDate", "IsClosed", "IsWon", "OwnerId", "CurrencyIsoCode")
                .row("2026-03-02", "O1", "false", "2026-03-01T23:30:00Z", "2026-03-01T23:30:00Z", "A1", "Closed Won", "100", "2026-03-05", "true", "true", "U1", "USD"));
        Dataset<Row> noRates = live(SourceObject.DATED_CONVERSION_RATE, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp",
                "IsoCode", "ConversionRate", "StartDate", "NextStartDate"));
        Dataset<Row> factOpportunity = FactOpportunity.build(opps, noRates, "USD").rows();
        // created on Mar 2 in Warsaw, closed on the calendar date Mar 5: a 3-day cycle (4 days in UTC)
        assertRows("fact_opportunity", List.<Object[]>of(row("O1", Date.valueOf("2026-03-02"), Date.valueOf("2026-03-05"), 3)),
                rowsOf(factOpportunity.select("opportunity_id", "created_date", "close_date", "sales_cycle_days")));

        Bronze events = Bronze.of("messageId", "type", "event", "userId", "anonymousId", "timestamp", "traits")
                .row("2026-03-02", "m1", "page", null, "u1", "a1", "2026-03-01T23:30:00Z", null)
                .row("2026-03-02", "m2", "page", null, "u2", "a2", "2026-03-01T22:30:00Z", null);
        Dataset<Row> staged = FactActivityDaily.stage(events.frame());
        Dataset<Row> noContacts = live(SourceObject.CONTACT, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "AccountId", "Email"));
        Dataset<Row> activity = FactActivityDaily.build(FactActivityDaily.dedupe(staged.where(col("_error").isNull())),
                DimAnalyticsUser.fromEvents(events.frame(), noContacts, new EmailHash("unit-test-key")));
        assertRows("fact_activity_daily", List.<Object[]>of(
                        row(Date.valueOf("2026-03-02"), "u1"),
                        row(Date.valueOf("2026-03-01"), "u2")),
                rowsOf(activity.select("activity_date", "user_id")));

        // gold places them on the same days
        Map<TableSpec, Dataset<Row>> silver = new LinkedHashMap<>();
        for (TableSpec t : io.salespulse.gold.GoldBuild.SILVER_INPUTS) {
            silver.put(t, spark().createDataFrame(List.of(), t.schema()));
        }
        silver.put(FactLead.TABLE, conform(factLead, FactLead.TABLE));
        silver.put(FactOpportunity.TABLE, conform(factOpportunity, FactOpportunity.TABLE));
        silver.put(FactActivityDaily.TABLE, conform(activity, FactActivityDaily.TABLE));
        Dataset<Row> dates = spark().range(1).select(explode(sequence(lit(Date.valueOf("2026-03-01")),
                lit(Date.valueOf("2026-03-05")))).as("kpi_date"));
        GoldInputs in = new GoldInputs(dates, LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-05"), silver,
                List.of("Closed Won", "Closed Lost"), List.of());
        assertRows("kpi_daily", List.<Object[]>of(
                        row(Date.valueOf("2026-03-01"), 1L, 0L, 1L, 0L),
                        row(Date.valueOf("2026-03-02"), 1L, 1L, 1L, 0L),
                        row(Date.valueOf("2026-03-03"), 0L, 0L, 0L, 0L),
                        row(Date.valueOf("2026-03-04"), 0L, 0L, 0L, 0L),
                        row(Date.valueOf("2026-03-05"), 0L, 0L, 0L, 1L)),
                rowsOf(KpiDaily.build(in).select("kpi_date", "leads_created", "opportunities_created", "active_users", "won")));
    }

    private static Dataset<Row> conform(Dataset<Row> rows, TableSpec t) {
        return io.salespulse.common.TableWriter.conform(rows, t.schema());
    }
}
