package io.salespulse.silver;

import io.salespulse.ingest.SourceObject;
import io.salespulse.testing.Bronze;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import static io.salespulse.testing.Bronze.live;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

/** Stage intervals, order lines and their quarantine reasons, and daily activity, by hand. */
class SilverFactsTest extends SparkTestBase {

    private static final EmailHash HASH = new EmailHash("unit-test-key");

    private static Dataset<Row> noRates() {
        return live(SourceObject.DATED_CONVERSION_RATE, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp",
                "IsoCode", "ConversionRate", "StartDate", "NextStartDate"));
    }

    private static Timestamp ts(String iso) {
        return Timestamp.from(Instant.parse(iso));
    }

    @Test
    void reopenedOpportunityHasOneIntervalPerStageChange() {
        Dataset<Row> opps = live(SourceObject.OPPORTUNITY, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "AccountId",
                        "StageName", "Amount", "CloseDate", "IsClosed", "IsWon", "OwnerId", "CurrencyIsoCode")
                .row("2026-03-09", "O1", "false", "2026-03-01T10:00:00Z", "2026-03-09T10:00:00Z", "A1", "Closed Won", "500", "2026-03-09", "true", "true", "U1", "USD"));
        Dataset<Row> history = live(SourceObject.OPPORTUNITY_HISTORY, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp",
                        "OpportunityId", "StageName", "Amount", "CloseDate", "Probability")
                .row("2026-03-01", "H1", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "O1", "Prospecting", "400", "2026-03-20", "10")
                .row("2026-03-03", "H2", "false", "2026-03-03T10:00:00Z", "2026-03-03T10:00:00Z", "O1", "Closed Lost", "400", "2026-03-03", "0")
                .row("2026-03-05", "H3", "false", "2026-03-05T10:00:00Z", "2026-03-05T10:00:00Z", "O1", "Negotiation", "500", "2026-03-15", "75")
                .row("2026-03-09", "H4", "false", "2026-03-09T10:00:00Z", "2026-03-09T10:00:00Z", "O1", "Closed Won", "500", "2026-03-09", "100"));
        Built built = FactOpportunityStage.build(history, opps, noRates(), "USD", List.of("Closed Won", "Closed Lost"));
        assertRows("intervals", List.<Object[]>of(
                        row("H1", "Prospecting", ts("2026-03-01T10:00:00Z"), ts("2026-03-03T10:00:00Z"), false, new BigDecimal("400.000000")),
                        row("H2", "Closed Lost", ts("2026-03-03T10:00:00Z"), ts("2026-03-05T10:00:00Z"), true, new BigDecimal("400.000000")),
                        row("H3", "Negotiation", ts("2026-03-05T10:00:00Z"), ts("2026-03-09T10:00:00Z"), false, new BigDecimal("500.000000")),
                        row("H4", "Closed Won", ts("2026-03-09T10:00:00Z"), null, true, new BigDecimal("500.000000"))),
                rowsOf(built.rows().select("history_id", "stage_name", "entered_at", "exited_at", "is_closed_stage", "amount_rc")));
    }

    @Test
    void orderLinesKeepOrdersWithoutLinesAndQuarantineWhatCannotBeTrusted() {
        Dataset<Row> accounts = live(SourceObject.ACCOUNT, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "Name", "OwnerId")
                .row("2026-03-01", "A1", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "Acme", "U1")
                .row("2026-03-01", "A9", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "Gone", "U1")
                .row("2026-03-02", "A9", "true", "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z", "Gone", "U1"));
        Dataset<Row> everAccounts = spark().sql("SELECT 'A1' AS id UNION ALL SELECT 'A9'");
        Dataset<Row> orders = live(SourceObject.ORDER, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "AccountId",
                        "EffectiveDate", "Status", "TotalAmount", "CurrencyIsoCode", "IsReductionOrder")
                .row("2026-03-02", "X1", "false", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", "A1", "2026-03-02", "Activated", "300", "USD", "false")
                .row("2026-03-02", "X2", "false", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", "A1", "2026-03-03", "Activated", "-50", "USD", "true")
                .row("2026-03-02", "X3", "false", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", "A9", "2026-03-02", "Activated", "10", "USD", "false")
                .row("2026-03-02", "X4", "false", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", "NOPE", "2026-03-02", "Activated", "10", "USD", "false")
                .row("2026-03-02", "X5", "false", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", "A1", "2026-03-02", "Activated", "10", "GBP", "false"));
        Built conformed = FactOrder.orders(orders, accounts, everAccounts, noRates(), "USD");
        Dataset<Row> items = live(SourceObject.ORDER_ITEM, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "OrderId",
                        "Product2Id", "Quantity", "UnitPrice", "TotalPrice")
                .row("2026-03-02", "I1", "false", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", "X1", "P1", "2", "100", "200")
                .row("2026-03-02", "I2", "false", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", "X1", "P2", "1", "100", "100")
                .row("2026-03-02", "I3", "false", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", "X1", "P2", "-1", "100", "-100")
                .row("2026-03-02", "I4", "false", "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", "X404", "P2", "1", "5", "5"));
        Dataset<Row> everOrders = spark().sql("SELECT explode(array('X1','X2','X3','X4','X5')) AS id");
        Dataset<Row> firstOrders = spark().sql("SELECT 'A1' AS account_id, 'X1' AS first_order_id");
        Built lines = FactOrder.build(conformed.rows(), items, everOrders, noRates(), "USD", firstOrders);
        // X3 belongs to a deleted account: it counts nowhere and is not an error
        assertRows("lines", List.<Object[]>of(
                        row("I1", "X1", new BigDecimal("200.000000"), new BigDecimal("300.000000"), true, false),
                        row("I2", "X1", new BigDecimal("100.000000"), new BigDecimal("300.000000"), true, false),
                        row("X2:order", "X2", null, new BigDecimal("-50.000000"), false, true)),
                rowsOf(lines.rows().select("order_line_id", "order_id", "amount_rc", "order_total_amount_rc", "is_first_order", "is_reduction")));
        assertRows("quarantined", List.<Object[]>of(
                        row("X4", "account not found: NOPE"),
                        row("X5", "no conversion rate for GBP on 2026-03-02"),
                        row("I3", "negative Quantity -1.000000"),
                        row("I4", "order not found: X404")),
                rowsOf(conformed.quarantined().unionByName(lines.quarantined()).select("record_id", "reason")));
    }

    @Test
    void dailyActivityDedupesPlacesLateEventsAndLinksPaddedEmails() {
        Bronze events = Bronze.of("messageId", "type", "event", "userId", "anonymousId", "timestamp", "traits")
                .row("2026-03-01", "m1", "identify", null, "u1", "a1", "2026-03-01T09:00:00Z", "{\"email\":\"old@x.com\"}")
                .row("2026-03-01", "m2", "track", "Signed Up", "u1", "a1", "2026-03-01T09:05:00Z", null)
                .row("2026-03-01", "m3", "page", null, null, "a2", "2026-03-01T10:00:00Z", null)
                // the same message delivered again the next day: counted once
                .row("2026-03-02", "m2", "track", "Signed Up", "u1", "a1", "2026-03-01T09:05:00Z", null)
                // a late event: received March 3, happened March 1
                .row("2026-03-03", "m4", "page", null, "u1", "a1", "2026-03-01T23:59:00Z", null)
                // the most recent identify decides the account; padded, mixed case
                .row("2026-03-03", "m5", "identify", null, "u1", "a1", "2026-03-03T08:00:00Z", "{\"email\":\"  Ada@Example.COM \"}")
                .row("2026-03-03", "m6", "track", "Account Activated", "u1", "a1", "2026-03-03T08:01:00Z", null)
                .row("2026-03-03", "m7", "robot", null, "u1", "a1", "2026-03-03T08:02:00Z", null)
                .row("2026-03-03", "m8", "page", null, "u1", "a1", "not a time", null);
        Dataset<Row> staged = FactActivityDaily.stage(events.frame());
        Dataset<Row> contacts = live(SourceObject.CONTACT, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "AccountId", "Email")
                .row("2026-03-01", "C1", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "A-old", "old@x.com")
                .row("2026-03-01", "C2", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "A-ada", "ada@example.com"));
        Dataset<Row> users = DimAnalyticsUser.fromEvents(events.frame(), contacts, HASH);
        Dataset<Row> daily = FactActivityDaily.build(FactActivityDaily.dedupe(staged.where(col("_error").isNull())), users);
        List<Object[]> expected = List.of(
                row(Date.valueOf("2026-03-01"), "u1", true, "A-ada", 3L, 1L, true, false),
                row(Date.valueOf("2026-03-01"), "a2", false, null, 1L, 1L, false, false),
                row(Date.valueOf("2026-03-03"), "u1", true, "A-ada", 2L, 0L, false, true));
        assertRows("daily", expected,
                rowsOf(daily.select("activity_date", "user_id", "is_identified", "account_id", "events", "page_views", "signed_up", "activated")));
        // a build from all events spreads them over more partitions than the session's (two copies of
        // m2 may then meet in a partition of their own): the same rows
        Dataset<Row> spread = FactActivityDaily.build(FactActivityDaily.dedupe(staged.where(col("_error").isNull())
                .repartition(5, col("id"))), users, 5);
        assertThat(spread.rdd().getNumPartitions()).isEqualTo(5);
        assertRows("daily in 5 partitions", expected,
                rowsOf(spread.select("activity_date", "user_id", "is_identified", "account_id", "events", "page_views", "signed_up", "activated")));
        assertRows("quarantined", List.<Object[]>of(row("m7", "unknown event type 'robot'"), row("m8", "unparseable timestamp 'not a time'")),
                rowsOf(staged.where(col("_error").isNotNull()).select("id", "_error")));
    }

    @Test
    void analyticsUsersTakeTheirLatestIdentifyWithAnEmailAndItsContactsAccount() {
        Bronze events = Bronze.of("messageId", "type", "event", "userId", "anonymousId", "timestamp", "traits")
                .row("2026-03-01", "m1", "identify", null, "u1", "a1", "2026-03-01T09:00:00Z", "{\"email\":\"one@x.com\"}")
                // later, but with a blank email: does not count
                .row("2026-03-02", "m2", "identify", null, "u1", "a1", "2026-03-02T09:00:00Z", "{\"email\":\"  \"}")
                // later, landed first: counts
                .row("2026-03-01", "m3", "identify", null, "u2", "a2", "2026-03-02T20:00:00Z", "{\"email\":\"shared@x.com\"}")
                .row("2026-03-04", "m4", "identify", null, "u2", "a2", "2026-03-02T09:00:00Z", "{\"email\":\"one@x.com\"}")
                // two at the same time: the greater messageId
                .row("2026-03-01", "m6", "identify", null, "u3", null, "2026-03-01T12:00:00Z", "{\"email\":\"nobody@x.com\"}")
                .row("2026-03-01", "m5", "identify", null, "u3", null, "2026-03-01T12:00:00Z", "{\"email\":\"one@x.com\"}")
                // anonymous, not an identify, untypeable: no user row
                .row("2026-03-01", "m7", "identify", null, null, "a4", "2026-03-01T12:00:00Z", "{\"email\":\"one@x.com\"}")
                .row("2026-03-01", "m8", "track", "Signed Up", "u5", null, "2026-03-01T12:00:00Z", "{\"email\":\"one@x.com\"}")
                .row("2026-03-01", "m9", "identify", null, "u6", null, "not a time", "{\"email\":\"one@x.com\"}");
        // two contacts share an email (padded, mixed case): the most recently modified one's account
        Dataset<Row> contacts = live(SourceObject.CONTACT, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "AccountId", "Email")
                .row("2026-03-01", "C1", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "A-one", "one@x.com")
                .row("2026-03-01", "C2", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "A-old", "shared@x.com")
                .row("2026-03-01", "C3", "false", "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z", "A-new", " Shared@X.com"));
        Dataset<Row> users = DimAnalyticsUser.fromEvents(events.frame(), contacts, HASH);
        assertRows("dim_analytics_user", List.<Object[]>of(
                        row("u1", "m1", Timestamp.from(Instant.parse("2026-03-01T09:00:00Z")), "A-one"),
                        row("u2", "m3", Timestamp.from(Instant.parse("2026-03-02T20:00:00Z")), "A-new"),
                        row("u3", "m6", Timestamp.from(Instant.parse("2026-03-01T12:00:00Z")), null)),
                rowsOf(users.select("user_id", "identify_message_id", "identified_at", "account_id")));
        // the email only hashed: the hash of one@x.com, whatever its padding and case
        assertThat(rowsOf(users.where(col("user_id").equalTo("u1")).select(col("email_hash").equalTo(HASH.hash(lit(" ONE@x.com "))))).get(0)[0])
                .isEqualTo(true);
        // the same table updated from the rows of March 1 with the rest landed after: u2's late-landed
        // identify of March 2 is older than the one stored, and changes nothing
        Dataset<Row> march1 = DimAnalyticsUser.fromEvents(events.frame().where(col("_snapshot_date").equalTo(lit(Date.valueOf("2026-03-01")))),
                contacts, HASH);
        assertRows("updated", rowsOf(users), rowsOf(DimAnalyticsUser.updated(march1,
                events.frame().where(col("_snapshot_date").gt(lit(Date.valueOf("2026-03-01")))), contacts, HASH)));
    }

    @Test
    void dailyActivityUpdateRecomputesTheDaysFromTheEarliestNewEventAndTheRelinkedUsers() {
        Bronze events = Bronze.of("messageId", "type", "event", "userId", "anonymousId", "timestamp", "traits")
                // counted already (applied through March 2)
                .row("2026-02-27", "m0", "page", null, "u1", "a1", "2026-02-27T09:00:00Z", null)
                .row("2026-02-27", "m8", "page", null, null, "a9", "2026-02-27T10:00:00Z", null)
                .row("2026-03-01", "m1", "identify", null, "u1", "a1", "2026-03-01T09:00:00Z", "{\"email\":\"old@x.com\"}")
                .row("2026-03-01", "m2", "track", "Signed Up", "u1", "a1", "2026-03-01T09:05:00Z", null)
                .row("2026-03-01", "m3", "page", null, null, "a2", "2026-03-01T10:00:00Z", null)
                .row("2026-03-01", "m10", "identify", null, "u'3", null, "2026-03-01T11:00:00Z", "{\"email\":\"c3@x.com\"}")
                .row("2026-03-02", "m9", "page", null, "u2", null, "2026-03-02T10:00:00Z", null)
                // a first copy that could not be typed (quarantined, not counted)
                .row("2026-03-02", "m12", "page", null, "u2", null, "not a time", null)
                // landed March 3: m2 again (counted already), a late page view of March 1, a newer identify
                // of u1, a new day for u1, one message delivered twice, one that cannot be typed, and a
                // copy of m12 that can (the one counted)
                .row("2026-03-03", "m12", "page", null, "u2", null, "2026-03-02T15:00:00Z", null)
                .row("2026-03-03", "m2", "track", "Signed Up", "u1", "a1", "2026-03-01T09:05:00Z", null)
                .row("2026-03-03", "m4", "page", null, "u1", "a1", "2026-03-01T23:59:00Z", null)
                .row("2026-03-03", "m5", "identify", null, "u1", "a1", "2026-03-03T08:00:00Z", "{\"email\":\"ada@example.com\"}")
                .row("2026-03-03", "m6", "track", "Account Activated", "u1", "a1", "2026-03-03T08:01:00Z", null)
                .row("2026-03-03", "m11", "page", null, null, "a2", "2026-03-03T12:00:00Z", null)
                .row("2026-03-03", "m11", "page", null, null, "a2", "2026-03-03T12:00:00Z", null)
                .row("2026-03-03", "m7", "robot", null, "u1", "a1", "2026-03-03T08:02:00Z", null);
        // C3 moved to another account since the table was computed
        Dataset<Row> contacts = live(SourceObject.CONTACT, Bronze.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp", "AccountId", "Email")
                .row("2026-03-01", "C1", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "A-old", "old@x.com")
                .row("2026-03-01", "C2", "false", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", "A-ada", "ada@example.com")
                .row("2026-03-03", "C3", "false", "2026-03-01T10:00:00Z", "2026-03-03T10:00:00Z", "A-3b", "c3@x.com"));
        // the table as the run of March 2 left it, by hand
        Dataset<Row> stored = spark().createDataFrame(List.of(
                org.apache.spark.sql.RowFactory.create(Date.valueOf("2026-02-27"), "u1", true, "A-old", 1L, 1L, false, false, false),
                org.apache.spark.sql.RowFactory.create(Date.valueOf("2026-02-27"), "a9", false, null, 1L, 1L, false, false, false),
                org.apache.spark.sql.RowFactory.create(Date.valueOf("2026-03-01"), "u1", true, "A-old", 2L, 0L, true, false, false),
                org.apache.spark.sql.RowFactory.create(Date.valueOf("2026-03-01"), "a2", false, null, 1L, 1L, false, false, false),
                org.apache.spark.sql.RowFactory.create(Date.valueOf("2026-03-01"), "u'3", true, "A-3", 1L, 0L, false, false, false),
                org.apache.spark.sql.RowFactory.create(Date.valueOf("2026-03-02"), "u2", true, null, 1L, 1L, false, false, false)),
                FactActivityDaily.TABLE.schema());

        // dim_analytics_user as the run of March 2 left it, by hand: u1's identify m1 with old@x.com, u'3's m10
        Dataset<Row> storedUsers = spark().createDataFrame(List.of(
                        org.apache.spark.sql.RowFactory.create("u1", "old@x.com", java.sql.Timestamp.from(java.time.Instant.parse("2026-03-01T09:00:00Z")), "m1", "A-old"),
                        org.apache.spark.sql.RowFactory.create("u'3", "c3@x.com", java.sql.Timestamp.from(java.time.Instant.parse("2026-03-01T11:00:00Z")), "m10", "A-3")),
                        DimAnalyticsUser.TABLE.schema())
                .withColumn("email_hash", HASH.hash(col("email_hash")));
        Dataset<Row> users = DimAnalyticsUser.updated(storedUsers, events.frame().where(col("_snapshot_date").gt(lit(Date.valueOf("2026-03-02")))),
                contacts, HASH);
        // u1's newer identify links it to Ada's account; C3 moved u'3 to A-3b
        assertRows("dim_analytics_user", List.<Object[]>of(row("u1", "m5", "A-ada"), row("u'3", "m10", "A-3b")),
                rowsOf(users.select("user_id", "identify_message_id", "account_id")));
        assertRows("dim_analytics_user, computed from all events", rowsOf(users),
                rowsOf(DimAnalyticsUser.fromEvents(events.frame(), contacts, HASH)));

        Built update = FactActivityDaily.update(events.frame(), users,
                new FactActivityDaily.Increment(java.time.LocalDate.parse("2026-03-02"), stored, storedUsers));

        // the late page view reaches back to March 1; u1 and u'3 (a quote in the id) link to other accounts now
        assertThat(update.replacing().predicate())
                .isEqualTo("activity_date >= DATE'2026-03-01' OR user_id IN ('u\\'3', 'u1')");
        List<Object[]> replaced = List.of(
                row(Date.valueOf("2026-02-27"), "u1", true, "A-ada", 1L, 1L, false, false, false),
                row(Date.valueOf("2026-03-01"), "u1", true, "A-ada", 3L, 1L, true, false, false),
                row(Date.valueOf("2026-03-01"), "a2", false, null, 1L, 1L, false, false, false),
                row(Date.valueOf("2026-03-01"), "u'3", true, "A-3b", 1L, 0L, false, false, false),
                row(Date.valueOf("2026-03-02"), "u2", true, null, 2L, 2L, false, false, false),
                row(Date.valueOf("2026-03-03"), "a2", false, null, 1L, 1L, false, false, false),
                row(Date.valueOf("2026-03-03"), "u1", true, "A-ada", 2L, 0L, false, true, false));
        String[] columns = {"activity_date", "user_id", "is_identified", "account_id", "events", "page_views", "signed_up",
                "activated", "cancelled"};
        assertRows("replacing rows", replaced, rowsOf(update.rows().selectExpr(columns)));
        assertRows("quarantined", List.<Object[]>of(row("m7", "unknown event type 'robot'")),
                rowsOf(update.quarantined().select("record_id", "reason")));
        // the stored table with them in place of the rows the predicate matches is what computing from every event gives
        List<Object[]> whole = new java.util.ArrayList<>(replaced);
        whole.add(row(Date.valueOf("2026-02-27"), "a9", false, null, 1L, 1L, false, false, false));
        assertRows("stored, the rows replaced", whole, rowsOf(stored.where(functions.not(functions.expr(update.replacing().predicate())))
                .unionByName(update.rows()).selectExpr(columns)));
        Dataset<Row> all = FactActivityDaily.stage(events.frame());
        Dataset<Row> rebuilt = FactActivityDaily.build(FactActivityDaily.dedupe(all.where(col("_error").isNull())),
                DimAnalyticsUser.fromEvents(events.frame(), contacts, HASH));
        assertRows("rebuilt", whole, rowsOf(rebuilt.selectExpr(columns)));
    }

    @Test
    void theRelinkedUsersAreThoseWhoseLinkDiffersBetweenTheDimensionsTwoVersions() {
        org.apache.spark.sql.types.StructType links = new org.apache.spark.sql.types.StructType()
                .add("user_id", "string").add("account_id", "string");
        Dataset<Row> before = spark().createDataFrame(List.of(
                org.apache.spark.sql.RowFactory.create("same", "A1"),
                org.apache.spark.sql.RowFactory.create("moved", "A1"),
                org.apache.spark.sql.RowFactory.create("unlinked", "A2"),
                org.apache.spark.sql.RowFactory.create("still-none", null),
                org.apache.spark.sql.RowFactory.create("gone", "A3"),
                org.apache.spark.sql.RowFactory.create("gone-none", null)), links);
        Dataset<Row> now = spark().createDataFrame(List.of(
                org.apache.spark.sql.RowFactory.create("same", "A1"),
                org.apache.spark.sql.RowFactory.create("moved", "A9"),
                org.apache.spark.sql.RowFactory.create("unlinked", null),
                org.apache.spark.sql.RowFactory.create("still-none", null),
                org.apache.spark.sql.RowFactory.create("new-linked", "A4"),
                org.apache.spark.sql.RowFactory.create("new-none", null)), links);
        // a user missing from one version is unlinked there: only a change of link counts
        assertThat(FactActivityDaily.relinked(before, now).as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
                .containsExactlyInAnyOrder("moved", "unlinked", "gone", "new-linked");
    }

    @Test
    void anUpdateWithNothingNewReplacesNothingAndManyRelinkedUsersReplaceTheWholeTable() {
        assertThat(FactActivityDaily.replaced(null, List.of())).isNull();
        assertThat(FactActivityDaily.replaced(null, List.of("a\\b")).predicate()).isEqualTo("user_id IN ('a\\\\b')");
        assertThat(FactActivityDaily.replaced(java.time.LocalDate.parse("2026-03-01"), List.of()).description())
                .isEqualTo("the rows dated from 2026-03-01");
        List<String> many = java.util.stream.IntStream.rangeClosed(0, FactActivityDaily.MAX_LISTED_USERS).mapToObj(i -> "u" + i).toList();
        assertThat(FactActivityDaily.replaced(java.time.LocalDate.parse("2026-03-01"), many).predicate()).isEqualTo("true");
    }
}
