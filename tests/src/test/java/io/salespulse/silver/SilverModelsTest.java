package io.salespulse.silver;

import io.salespulse.ingest.SourceObject;
import io.salespulse.intermediate.CustomerAcquisition;
import io.salespulse.staging.Staging;
import io.salespulse.testing.Bronze;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static io.salespulse.testing.Bronze.live;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/** The silver models on tiny hand-made inputs, with expected rows worked out by hand. */
class SilverModelsTest extends SparkTestBase {

    private static final EmailHash HASH = new EmailHash("unit-test-key");

    private static Dataset<Row> rates() {
        // 1 USD = 0.8 EUR in February; 0.9 EUR from March 1 (that row landed late, on March 4)
        return live(SourceObject.DATED_CONVERSION_RATE, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp",
                        "IsoCode", "ConversionRate", "StartDate", "NextStartDate")
                .row("2026-02-01", "R1", "false", "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z", "EUR", "0.8", "2026-02-01", null)
                .row("2026-03-04", "R1", "false", "2026-02-01T00:00:00Z", "2026-03-04T00:00:00Z", "EUR", "0.8", "2026-02-01", "2026-03-01")
                .row("2026-03-04", "R2", "false", "2026-03-04T00:00:00Z", "2026-03-04T00:00:00Z", "EUR", "0.9", "2026-03-01", null));
    }

    @Test
    void opportunityAmountsConvertAtTheRateValidOnCloseDate() {
        Built built = FactOpportunity.build(opportunities(), rates(), "USD");
        // 1000 / 0.8 = 1250; 1000 / 0.9 = 1111.111111 (half-up at 6 decimals); USD at 1; blank amount stays null
        assertRows("amounts", CONVERTED_OPPORTUNITIES, rowsOf(built.rows().select("opportunity_id", "amount_rc", "sales_cycle_days")));
        assertRows("no rate", List.<Object[]>of(row("O4", "no conversion rate for JPY on 2026-03-20")),
                rowsOf(built.quarantined().select("record_id", "reason")));
    }

    /** opportunities() converted with rates(), worked out by hand (see the test above). */
    private static final List<Object[]> CONVERTED_OPPORTUNITIES = List.of(
            row("O1", new BigDecimal("1250.000000"), 18),
            row("O2", new BigDecimal("1111.111111"), 19),
            row("O3", new BigDecimal("100.000000"), null),
            row("O5", null, null));

    @Test
    void aHeldBuildTakesItsRowsAndItsQuarantineFromTheFrameItHolds() {
        Built built = FactOpportunity.build(opportunities(), rates(), "USD");
        List<Dataset<Row>> pinned = new ArrayList<>();
        Built held = built.held(f -> io.salespulse.common.Frames.pin(f, pinned));
        // not held, the quarantine joins the rates and picks each row's rate again after the table is
        // written; held, both are filters of the held rows
        assertThat(plan(built.quarantined())).contains("Join");
        assertThat(plan(held.quarantined())).doesNotContain("Join");
        assertThat(plan(held.rows())).doesNotContain("Join");
        assertThat(pinned).isNotEmpty();
        assertRows("amounts", CONVERTED_OPPORTUNITIES, rowsOf(held.rows().select("opportunity_id", "amount_rc", "sales_cycle_days")));
        // more stopped rows join the quarantine and keep it a filter of the held frame, plus those rows
        Dataset<Row> orphan = spark().sql("SELECT 'fact_opportunity' AS table_name, 'O9' AS record_id, 'f.csv' AS source_file,"
                + " DATE'2026-03-05' AS snapshot_date, 'opportunity not found: O9' AS reason");
        Built more = built.withQuarantined(orphan).held(f -> io.salespulse.common.Frames.pin(f, pinned));
        assertThat(plan(more.quarantined())).doesNotContain("Join");
        assertRows("no rate, and the orphan", List.<Object[]>of(row("O4", "no conversion rate for JPY on 2026-03-20"),
                        row("O9", "opportunity not found: O9")),
                rowsOf(more.quarantined().select("record_id", "reason")));
        // a build that is not split is held as it is
        Built clean = Built.clean(held.rows());
        assertThat(clean.held(f -> {
            throw new AssertionError("nothing to hold");
        })).isSameAs(clean);
        io.salespulse.common.Frames.unpersistAll(pinned);
    }

    private static String plan(Dataset<Row> frame) {
        return frame.queryExecution().optimizedPlan().toString();
    }

    private static Dataset<Row> opportunities() {
        return live(SourceObject.OPPORTUNITY, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "AccountId",
                        "StageName", "Amount", "CloseDate", "IsClosed", "IsWon", "OwnerId", "CurrencyIsoCode")
                .row("2026-03-05", "O1", "false", "2026-02-10T10:00:00Z", "2026-03-05T10:00:00Z", "A1", "Closed Won", "1000", "2026-02-28", "true", "true", "U1", "EUR")
                .row("2026-03-05", "O2", "false", "2026-02-10T10:00:00Z", "2026-03-05T10:00:00Z", "A1", "Closed Won", "1000", "2026-03-01", "true", "true", "U1", "EUR")
                .row("2026-03-05", "O3", "false", "2026-02-10T10:00:00Z", "2026-03-05T10:00:00Z", "A1", "Prospecting", "100", "2026-03-20", "false", "false", "U1", "USD")
                .row("2026-03-05", "O4", "false", "2026-02-10T10:00:00Z", "2026-03-05T10:00:00Z", "A1", "Prospecting", "100", "2026-03-20", "false", "false", "U1", "JPY")
                .row("2026-03-05", "O5", "false", "2026-02-10T10:00:00Z", "2026-03-05T10:00:00Z", "A1", "Closed Lost", null, "2026-03-02", "true", "false", "U1", "EUR"));
    }

    @Test
    void orderLinesCampaignCostsAndStageAmountsConvertAtTheRateOfTheirOwnDate() {
        // rates(): 1 USD = 0.8 EUR up to 2026-02-28, 0.9 EUR from 2026-03-01
        Dataset<Row> accounts = live(SourceObject.ACCOUNT, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "Name", "OwnerId")
                .row("2026-02-01", "A1", "false", "2026-02-01T10:00:00Z", "2026-02-01T10:00:00Z", "Acme", "U1"));
        Dataset<Row> orders = live(SourceObject.ORDER, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "AccountId",
                        "EffectiveDate", "Status", "TotalAmount", "CurrencyIsoCode", "IsReductionOrder")
                .row("2026-03-02", "X1", "false", "2026-02-28T10:00:00Z", "2026-02-28T10:00:00Z", "A1", "2026-02-28", "Activated", "100", "EUR", "false")
                .row("2026-03-02", "X2", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "A1", "2026-03-01", "Activated", "100", "EUR", "false"));
        Built conformed = FactOrder.orders(orders, accounts, accounts.select("id"), rates(), "USD");
        Dataset<Row> items = live(SourceObject.ORDER_ITEM, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "OrderId",
                        "Product2Id", "Quantity", "UnitPrice", "TotalPrice")
                .row("2026-03-02", "I1", "false", "2026-02-28T10:00:00Z", "2026-02-28T10:00:00Z", "X1", "P1", "1", "60", "60")
                .row("2026-03-02", "I2", "false", "2026-02-28T10:00:00Z", "2026-02-28T10:00:00Z", "X1", "P2", "2", "20", "40")
                .row("2026-03-02", "I3", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "X2", "P1", "1", "100", "100"));
        Built lines = FactOrder.build(conformed.rows(), items, orders.select("id"), rates(), "USD",
                spark().sql("SELECT 'A1' AS account_id, 'X1' AS first_order_id"));
        // X1 on Feb 28: 60 / 0.8 = 75, 40 / 0.8 = 50, total 100 / 0.8 = 125; X2 on Mar 1: 100 / 0.9 = 111.111111 (half-up)
        assertRows("order lines", List.<Object[]>of(
                        row("I1", new BigDecimal("75.000000"), new BigDecimal("125.000000")),
                        row("I2", new BigDecimal("50.000000"), new BigDecimal("125.000000")),
                        row("I3", new BigDecimal("111.111111"), new BigDecimal("111.111111"))),
                rowsOf(lines.rows().select("order_line_id", "amount_rc", "order_total_amount_rc")));
        assertThat(conformed.quarantined().count() + lines.quarantined().count()).isZero();

        Dataset<Row> campaigns = live(SourceObject.CAMPAIGN, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "Name",
                        "StartDate", "ActualCost", "CurrencyIsoCode")
                // the rate of the start date, not of the day it was created or landed
                .row("2026-03-05", "C1", "false", "2026-03-03T10:00:00Z", "2026-03-03T10:00:00Z", "Winter", "2026-02-15", "90", "EUR")
                .row("2026-03-05", "C2", "false", "2026-02-10T10:00:00Z", "2026-02-10T10:00:00Z", "Spring", "2026-03-02", "90", "EUR"));
        // 90 / 0.8 = 112.5; 90 / 0.9 = 100
        assertRows("campaign costs", List.<Object[]>of(
                        row("C1", new BigDecimal("112.500000")),
                        row("C2", new BigDecimal("100.000000"))),
                rowsOf(Dimensions.campaigns(campaigns, rates(), "USD").rows().select("campaign_id", "actual_cost_rc")));

        Dataset<Row> opps = live(SourceObject.OPPORTUNITY, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "AccountId",
                        "StageName", "Amount", "CloseDate", "IsClosed", "IsWon", "OwnerId", "CurrencyIsoCode")
                .row("2026-03-05", "O1", "false", "2026-02-10T10:00:00Z", "2026-03-05T10:00:00Z", "A1", "Negotiation", "450", "2026-03-10", "false", "false", "U1", "EUR"));
        Dataset<Row> history = live(SourceObject.OPPORTUNITY_HISTORY, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp",
                        "OpportunityId", "StageName", "Amount", "CloseDate", "Probability")
                .row("2026-02-10", "H1", "false", "2026-02-10T10:00:00Z", "2026-02-10T10:00:00Z", "O1", "Prospecting", "400", "2026-02-20", "10")
                .row("2026-03-05", "H2", "false", "2026-03-05T10:00:00Z", "2026-03-05T10:00:00Z", "O1", "Negotiation", "450", "2026-03-10", "60"));
        // each interval at the rate of its own CloseDate: 400 / 0.8 = 500, 450 / 0.9 = 500
        assertRows("stage amounts", List.<Object[]>of(
                        row("H1", new BigDecimal("500.000000")),
                        row("H2", new BigDecimal("500.000000"))),
                rowsOf(FactOpportunityStage.build(history, opps, rates(), "USD", List.of("Closed Won", "Closed Lost")).rows()
                        .select("history_id", "amount_rc")));
    }

    @Test
    void leadQualityConversionAndFirstTouch() {
        Dataset<Row> leads = live(SourceObject.LEAD, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "FirstName", "LastName",
                        "Email", "Phone", "MobilePhone", "LeadSource", "Status", "OwnerId", "IsConverted", "ConvertedDate",
                        "ConvertedAccountId", "ConvertedOpportunityId")
                // all three ok; converted into A1 (customer since 2026-03-05): 4 days
                .row("2026-03-01", "L1", "false", "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z", "Ada", null, "  Ada@Example.COM ",
                        "+1 (555) 010-0000", null, "Web", "Converted", "U1", "true", "2026-03-02", "A1", "O1")
                // blank names, invalid email, too-short phone but a valid mobile: 1/3
                .row("2026-03-01", "L2", "false", "2026-03-01T11:00:00Z", "2026-03-01T11:00:00Z", " ", null, "ada at example.com",
                        "555", "07700 900123", "Partner", "Open", "U1", "false", null, null, null)
                // converted into A2, which is no customer
                .row("2026-03-01", "L3", "false", "2026-03-01T12:00:00Z", "2026-03-01T12:00:00Z", null, "Hopper", "g@h",
                        null, null, null, "Converted", "U2", "true", "2026-03-01", "A2", null)
                // created after A1's acquisition: converted, but did not make A1 a customer
                .row("2026-03-06", "L4", "false", "2026-03-06T09:00:00Z", "2026-03-06T09:00:00Z", "Late", "Lead", "l@x.io",
                        "12345678901234567", null, "Web", "Converted", "U1", "true", "2026-03-06", "A1", null));
        Dataset<Row> members = live(SourceObject.CAMPAIGN_MEMBER, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp",
                        "CampaignId", "LeadId", "HasResponded")
                .row("2026-03-01", "M2", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "C-later-id", "L1", "false")
                .row("2026-03-01", "M1", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "C-first", "L1", "true")
                .row("2026-03-01", "M3", "false", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", "C-early", "L2", "false"));
        Dataset<Row> acquisitions = spark().sql("SELECT 'A1' AS account_id, DATE'2026-03-05' AS acquisition_date");
        List<Object[]> rows = rowsOf(FactLead.build(leads, FactCampaignMember.build(members), acquisitions, HASH).select("lead_id", "name_ok", "email_ok",
                "phone_ok", "quality_score", "first_touch_campaign_id", "became_customer", "days_to_customer", "created_date"));
        assertRows("fact_lead", List.<Object[]>of(
                row("L1", true, true, true, 1.0, "C-first", true, 4, Date.valueOf("2026-03-01")),
                row("L2", false, false, true, 1.0 / 3, "C-early", false, null, Date.valueOf("2026-03-01")),
                row("L3", true, false, false, 1.0 / 3, null, false, null, Date.valueOf("2026-03-01")),
                row("L4", true, true, false, 2.0 / 3, null, false, null, Date.valueOf("2026-03-06"))), rows);
    }

    @Test
    void emailHashIsTheHmacOfTheNormalizedEmail() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("unit-test-key".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal("ada@example.com".getBytes(StandardCharsets.UTF_8)));
        Dataset<Row> df = spark().sql("SELECT '  Ada@Example.COM ' AS e UNION ALL SELECT ' ' UNION ALL SELECT NULL");
        List<Object[]> out = rowsOf(df.select(HASH.hash(col("e"))));
        assertRows("hashes", List.<Object[]>of(row(expected), row((Object) null), row((Object) null)), out);
        // a long key is hashed first, as HMAC specifies
        String longKey = "k".repeat(100);
        Mac longMac = Mac.getInstance("HmacSHA256");
        longMac.init(new SecretKeySpec(longKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(rowsOf(spark().range(1).select(new EmailHash(longKey).hash(org.apache.spark.sql.functions.lit("x@y.z")))).get(0)[0])
                .isEqualTo(HexFormat.of().formatHex(longMac.doFinal("x@y.z".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void customerScdTwoOpensARowPerOwnerIndustryCountryOrTypeChange() {
        Bronze b = Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "Name", "Type", "Industry", "BillingCountry", "OwnerId")
                .row("2026-03-01", "A1", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "Acme", "Prospect", "Retail", "US", "U1")
                // a name change alone opens no version
                .row("2026-03-02", "A1", "false", "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z", "Acme Inc", "Prospect", "Retail", "US", "U1")
                .row("2026-03-03", "A1", "false", "2026-03-01T10:00:00Z", "2026-03-03T10:00:00Z", "Acme Inc", "Prospect", "Retail", "US", "U2")
                .row("2026-03-04", "A1", "false", "2026-03-01T10:00:00Z", "2026-03-04T10:00:00Z", "Acme Inc", "Customer", "Retail", "US", "U2");
        Dataset<Row> staged = Staging.stage(b.frame(), Staging.MODELS.get(SourceObject.ACCOUNT)).where(col("_error").isNull());
        Dataset<Row> current = live(SourceObject.ACCOUNT, b);
        Dataset<Row> acquisitions = spark().sql("SELECT 'A1' AS account_id, DATE'2026-03-04' AS acquisition_date, '2026-03' AS cohort_month");
        Dataset<Row> channels = spark().sql("SELECT 'A1' AS account_id, 'Web' AS acquisition_channel");
        List<Object[]> rows = rowsOf(DimCustomer.build(staged, current, acquisitions, channels)
                .select("account_id", "name", "owner_id", "type", "valid_from", "valid_to", "is_current", "is_customer", "cohort_month",
                        "acquisition_channel"));
        Timestamp t1 = Timestamp.from(Instant.parse("2026-03-01T10:00:00Z"));
        Timestamp t3 = Timestamp.from(Instant.parse("2026-03-03T10:00:00Z"));
        Timestamp t4 = Timestamp.from(Instant.parse("2026-03-04T10:00:00Z"));
        assertRows("versions", List.<Object[]>of(
                row("A1", "Acme Inc", "U1", "Prospect", t1, t3, false, true, "2026-03", "Web"),
                row("A1", "Acme Inc", "U2", "Prospect", t3, t4, false, true, "2026-03", "Web"),
                row("A1", "Acme Inc", "U2", "Customer", t4, null, true, true, "2026-03", "Web")), rows);
    }

    @Test
    void acquisitionIsTheEarliestCountedNonReductionOrderAndChannelTheEarliestLead() {
        Dataset<Row> orders = spark().sql("SELECT * FROM VALUES "
                + "('X1','A1',DATE'2026-03-03','Activated',false),"
                + "('X2','A1',DATE'2026-03-02','Draft',false),"
                + "('X3','A1',DATE'2026-03-01','Activated',true),"
                + "('X5','A1',DATE'2026-03-03','Activated',false),"
                + "('X4','A2',DATE'2026-03-05','Cancelled',false) AS t(id, account_id, effective_date, status, is_reduction)");
        assertRows("acquisitions", List.<Object[]>of(row("A1", Date.valueOf("2026-03-03"), "2026-03", "X1")),
                rowsOf(CustomerAcquisition.acquisitions(orders)));
        Dataset<Row> leads = spark().sql("SELECT * FROM VALUES "
                + "('L2', TIMESTAMP'2026-03-01 10:00:00', true, 'A1', 'Partner'),"
                + "('L1', TIMESTAMP'2026-03-01 10:00:00', true, 'A1', 'Web'),"
                + "('L3', TIMESTAMP'2026-02-01 10:00:00', false, 'A1', 'Ads'),"
                + "('L4', TIMESTAMP'2026-03-01 10:00:00', true, 'A2', null) AS t(lead_id, created_at, is_converted, converted_account_id, lead_source)");
        assertRows("channels", List.<Object[]>of(row("A1", "Web"), row("A2", "unknown")), rowsOf(CustomerAcquisition.channels(leads)));
    }
}
