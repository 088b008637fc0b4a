package io.salespulse.reliability;

import io.salespulse.testing.Cli;
import io.salespulse.testing.LandingFixture;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input catalogue of docs/bad-input.md, for rows that load into bronze but cannot be
 * conformed: one landing with one bad row per case beside good ones, one full run (exit 0: a
 * bad row is quarantined, it does not stop the night), then one test per case.
 */
class BadInputSilverTest extends SparkTestBase {

    private static final String TS = "2026-03-01T10:00:00.000+0000";
    private static Path warehouse;
    private static Cli.Result run;

    @BeforeAll
    static void runOnBadRows() {
        Path dir = workDir("bad-silver");
        LandingFixture landing = new LandingFixture(dir.resolve("landing"));
        warehouse = dir.resolve("warehouse");
        String day = "2026-03-01";
        landing.salesforce("Lead", day).full().file("part-00000.csv", 2, LandingFixture.leadCsv("L1,a@x.com")
                + "L2,false,2099-01-01T00:00:00.000+0000,2099-01-01T00:00:00.000+0000,Ada,Lovelace,b@x.com,1,Web,Open,005000000000000001,false\n").manifest();
        landing.salesforce("Account", day).full().file("part-00000.csv", 1,
                "Id,IsDeleted,CreatedDate,SystemModstamp,Name,OwnerId\nA1,false," + TS + "," + TS + ",Acme,005000000000000001\n").manifest();
        String opp = "Id,IsDeleted,CreatedDate,SystemModstamp,AccountId,Name,StageName,Amount,CloseDate,LeadSource,IsClosed,IsWon,OwnerId,CurrencyIsoCode\n";
        String o = ",false," + TS + "," + TS + ",A1,Deal,Prospecting,";
        landing.salesforce("Opportunity", day).full().file("part-00000.csv", 4, opp
                + "O1" + o + "1000,2026-03-20,Web,false,false,005000000000000001,EUR\n"
                + "O2" + o + "abc,2026-03-20,Web,false,false,005000000000000001,EUR\n"
                + "O3" + o + "1000,2026-02-30,Web,false,false,005000000000000001,EUR\n"
                + "O4" + o + "1000,2026-03-20,Web,false,false,005000000000000001,XYZ\n").manifest();
        landing.salesforce("DatedConversionRate", day).full().file("part-00000.csv", 1,
                "Id,IsDeleted,CreatedDate,SystemModstamp,IsoCode,ConversionRate,StartDate,NextStartDate\n"
                        + "R1,false," + TS + "," + TS + ",EUR,0.8,2026-01-01,\n").manifest();
        landing.salesforce("Order", day).full().file("part-00000.csv", 1,
                "Id,IsDeleted,CreatedDate,SystemModstamp,AccountId,OrderNumber,EffectiveDate,Status,TotalAmount,CurrencyIsoCode,IsReductionOrder\n"
                        + "R100,false," + TS + "," + TS + ",A1,0001,2026-03-01,Activated,300,USD,false\n").manifest();
        landing.salesforce("OrderItem", day).full().file("part-00000.csv", 2,
                "Id,IsDeleted,CreatedDate,SystemModstamp,OrderId,Product2Id,Quantity,UnitPrice,TotalPrice\n"
                        + "I1,false," + TS + "," + TS + ",R100,P1,3,100,300\n"
                        + "I2,false," + TS + "," + TS + ",R100,P1,-2,100,-200\n").manifest();
        landing.segment(day).file("part-00000.json", 3,
                "{\"messageId\":\"m1\",\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"u1\",\"timestamp\":\"2026-03-01T10:00:00Z\"}\n"
                        + "{\"messageId\":\"m2\",\"type\":\"purchase\",\"userId\":\"u1\",\"timestamp\":\"2026-03-01T11:00:00Z\"}\n"
                        + "{\"messageId\":\"m3\",\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"u2\",\"timestamp\":\"2099-03-01T10:00:00Z\"}\n").manifest();
        run = Cli.run("run", "--date", day, "--landing", landing.uri(), "--warehouse", warehouse.toString());
    }

    private static Dataset<Row> table(String layerAndName) {
        return spark().read().format("delta").load(warehouse.resolve(layerAndName.replace('.', '/')).toString());
    }

    private static String reason(String table, String recordId) {
        List<Object[]> r = rowsOf(table("ops.quarantine")
                .where("layer = 'silver' AND table_name = '" + table + "' AND record_id = '" + recordId + "'").select("reason"));
        assertThat(r).as("quarantine row for %s %s", table, recordId).hasSize(1);
        return (String) r.get(0)[0];
    }

    /** (rows_in, quarantined, superseded, deleted, current) of one source object in the run log. */
    private static List<Object[]> reconciliation(String bronzeTable) {
        return rowsOf(table("ops.run_log").selectExpr("explode(silver_counts) AS c").where("c.table_name = '" + bronzeTable + "'")
                .selectExpr("c.rows_in", "c.quarantined", "c.superseded", "c.deleted", "c.current"));
    }

    @Test
    void theRunSucceedsDespiteTheBadRows() {
        assertThat(run.code()).as(run.err()).isEqualTo(0);
    }

    @Test
    void textInAnAmountIsQuarantined() {
        assertThat(reason("salesforce_opportunity", "O2")).isEqualTo("unparseable Amount 'abc'");
        // O1..O4 in; O2 and O3 stop at typing, O1 and O4 are current (O4 is stopped later, for its currency)
        assertRows("opportunity reconciliation", List.<Object[]>of(row(4L, 2L, 0L, 0L, 2L)), reconciliation("salesforce_opportunity"));
    }

    @Test
    void impossibleDateIsQuarantined() {
        assertThat(reason("salesforce_opportunity", "O3")).isEqualTo("unparseable CloseDate '2026-02-30'");
    }

    @Test
    void currencyWithoutARateIsQuarantined() {
        assertThat(reason("fact_opportunity", "O4")).isEqualTo("no conversion rate for XYZ on 2026-03-20");
        // the good EUR deal converts at 0.8: 1000 / 0.8 = 1250
        assertRows("fact_opportunity", List.<Object[]>of(row("O1", new java.math.BigDecimal("1250.000000"))),
                rowsOf(table("silver.fact_opportunity").select("opportunity_id", "amount_rc")));
    }

    @Test
    void negativeQuantityIsQuarantined() {
        assertThat(reason("fact_order", "I2")).startsWith("negative Quantity -2");
        assertRows("order lines", List.<Object[]>of(row("I1")), rowsOf(table("silver.fact_order").select("order_item_id")));
    }

    @Test
    void datesFarInTheFutureAreQuarantined() {
        assertThat(reason("salesforce_lead", "L2")).isEqualTo("CreatedDate '2099-01-01T00:00:00.000+0000' is after its snapshot date");
        assertThat(reason("segment_events", "m3")).isEqualTo("timestamp '2099-03-01T10:00:00Z' is after its received date");
        assertRows("fact_lead", List.<Object[]>of(row("L1")), rowsOf(table("silver.fact_lead").select("lead_id")));
        assertRows("lead reconciliation", List.<Object[]>of(row(2L, 1L, 0L, 0L, 1L)), reconciliation("salesforce_lead"));
    }

    @Test
    void unknownSegmentTypeIsQuarantined() {
        assertThat(reason("segment_events", "m2")).isEqualTo("unknown event type 'purchase'");
        assertRows("activity", List.<Object[]>of(row("u1")), rowsOf(table("silver.fact_activity_daily").select("user_id")));
    }
}
