package io.salespulse.datagen;

import io.salespulse.testing.Cli;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/** The generated landing has what real exports have, and the same seed gives the same tree. */
class DatagenTest extends SparkTestBase {

    private static Path landing;

    @BeforeAll
    static void generate() {
        landing = workDir("datagen").resolve("landing");
        Cli.Result r = Cli.run("datagen", "--out", landing.toString(), "--start", "2026-01-01", "--days", "120",
                "--scale", "0.02", "--seed", "11", "--malformed-rate", "0.002");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
    }

    private static Dataset<Row> csv(String object) {
        return rows(landing, object + "/*");
    }

    @Test
    void layoutFollowsTheLandingContract() throws IOException {
        for (String object : List.of("Lead", "Account", "Contact", "Opportunity", "OpportunityHistory", "Campaign",
                "CampaignMember", "User", "Order", "OrderItem", "Product2", "DatedConversionRate")) {
            try (Stream<Path> days = Files.list(landing.resolve("salesforce").resolve(object))) {
                List<Path> folders = days.toList();
                assertThat(folders).as(object).hasSize(120);
                assertThat(folders).allSatisfy(f -> assertThat(f.resolve("_manifest.json")).exists());
            }
        }
        String day1 = Files.readString(landing.resolve("salesforce/Lead/snapshot_date=2026-01-01/_manifest.json"));
        String day2 = Files.readString(landing.resolve("salesforce/Lead/snapshot_date=2026-01-02/_manifest.json"));
        assertThat(day1).contains("\"mode\" : \"full\"");
        assertThat(day2).contains("\"mode\" : \"incremental\"");
        assertThat(landing.resolve("segment/events/received_date=2026-01-05/part-00000.json.gz")).exists();
    }

    @Test
    void containsTheMessOfRealExports() {
        Dataset<Row> leads = csv("Lead");
        // several versions of one record, deletes, schema drift half-way
        assertThat(leads.groupBy("Id").count().where("count > 1").count()).isPositive();
        assertThat(leads.where("IsDeleted = 'true'").count()).isPositive();
        assertThat(List.of(spark().read().option("header", "true")
                .csv(landing.resolve("salesforce/Lead/snapshot_date=2026-04-30").toString()).columns())).contains("Rating");
        assertThat(List.of(spark().read().option("header", "true")
                .csv(landing.resolve("salesforce/Lead/snapshot_date=2026-01-02").toString()).columns())).doesNotContain("Rating");
        // bad and padded emails, bad phones
        assertThat(leads.where("Email LIKE '% at %'").count()).isPositive();
        assertThat(leads.where("Email LIKE ' %'").count()).isPositive();
        assertThat(leads.where("Phone = 'n/a'").count()).isPositive();
        // several currencies and changing rates; reduction orders; a reopened opportunity
        Dataset<Row> rates = csv("DatedConversionRate");
        assertThat(rates.select("IsoCode").distinct().count()).isEqualTo(4);
        assertThat(rates.where("IsoCode = 'EUR'").select("ConversionRate").distinct().count()).isGreaterThan(2);
        assertThat(csv("Order").where("IsReductionOrder = 'true' AND TotalAmount LIKE '-%'").count()).isPositive();
        assertThat(csv("Order").select("CurrencyIsoCode").distinct().count()).isGreaterThan(1);
        Dataset<Row> history = csv("OpportunityHistory");
        assertThat(history.where(col("StageName").equalTo("Closed Lost")).join(
                history.where(col("StageName").equalTo("Negotiation")).withColumnRenamed("SystemModstamp", "later")
                        .select("OpportunityId", "later"), "OpportunityId")
                .where("later > SystemModstamp").count()).as("reopened after a loss").isPositive();
        // late and duplicate events
        Dataset<Row> events = spark().read().json(landing.resolve("segment/events/*/part-*").toString())
                .where("messageId IS NOT NULL");
        assertThat(events.where("substr(timestamp, 1, 10) < substr(receivedAt, 1, 10)").count()).isPositive();
        assertThat(events.groupBy("messageId").count().where("count > 1").count()).isPositive();
        assertThat(events.where("type = 'identify' AND traits.email IS NOT NULL").count()).isPositive();
    }

    @Test
    void eachPersonHasTheirOwnEmailAndAFewLeadsComeBack() {
        // trimmed and lower-cased, as silver matches them; each lead's first version
        Dataset<Row> emails = csv("Lead").where("Email IS NOT NULL")
                .selectExpr("Id", "lower(trim(Email)) AS email").dropDuplicates("Id");
        Dataset<Row> perAddress = emails.groupBy("email").count();
        long leads = emails.count();
        long shared = perAddress.where("count > 1").count();
        // a returning lead (one in 25) repeats the address of the lead seven before it; namesakes
        // at different companies, or at one, no longer share an address
        assertThat(shared).as("addresses of returning leads").isPositive();
        assertThat(shared).as("addresses of more than one lead, of %d leads", leads).isLessThan(leads / 20);
        assertThat(perAddress.agg(org.apache.spark.sql.functions.max("count")).first().getLong(0)).as("leads of one address").isEqualTo(2);
    }

    @Test
    void sameSeedGivesTheSameLanding() throws IOException {
        Path again = workDir("datagen-again").resolve("landing");
        assertThat(Cli.run("datagen", "--out", again.toString(), "--start", "2026-01-01", "--days", "120",
                "--scale", "0.02", "--seed", "11", "--malformed-rate", "0.002").code()).isEqualTo(0);
        for (String f : List.of("salesforce/Lead/snapshot_date=2026-03-15/part-00000.csv.gz",
                "salesforce/Opportunity/snapshot_date=2026-04-01/part-00000.csv.gz",
                "segment/events/received_date=2026-02-10/part-00000.json.gz")) {
            assertThat(uncompressed(again.resolve(f))).as(f).isEqualTo(uncompressed(landing.resolve(f)));
        }
        // and in another JVM too: nested JSON keys keep the order they were put in (Map.of's order changes per JVM)
        String events = uncompressed(landing.resolve("segment/events/received_date=2026-02-10/part-00000.json.gz"));
        assertThat(events).contains("\"campaign\":{\"source\":").doesNotContain("\"campaign\":{\"name\":", "\"campaign\":{\"medium\":");
    }

    /** Two more landings (~40 s): in the full suite only, beside IncrementalEqualsRebuildTest, which runs such a day. */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void aShakeUpDayReachesFarBackAndLeavesTheDaysBeforeAsTheyWere() throws IOException {
        // small landings of their own: the same 60 days without and with a shake-up on the last one
        Path plain = workDir("datagen-plain").resolve("landing");
        Path shaken = workDir("datagen-shake-up").resolve("landing");
        for (Path out : List.of(plain, shaken)) {
            List<String> args = new java.util.ArrayList<>(List.of("datagen", "--out", out.toString(), "--start", "2026-01-01",
                    "--days", "60", "--scale", "0.01", "--seed", "5"));
            if (out == shaken) {
                args.addAll(List.of("--shake-up", "2026-03-01"));
            }
            assertThat(Cli.run(args.toArray(String[]::new)).code()).isEqualTo(0);
        }
        for (String f : List.of("salesforce/Account/snapshot_date=2026-02-28/part-00000.csv.gz",
                "salesforce/Opportunity/snapshot_date=2026-02-28/part-00000.csv.gz",
                "segment/events/received_date=2026-02-28/part-00000.json.gz")) {
            assertThat(uncompressed(shaken.resolve(f))).as(f).isEqualTo(uncompressed(plain.resolve(f)));
        }
        String last = "/snapshot_date=2026-03-01";
        // the Account extract is full and holds every other live account (no account comes back once deleted)
        Dataset<Row> accounts = rows(plain, "Account/*");
        long live = accounts.select("Id").distinct().count() - accounts.where("IsDeleted = 'true'").select("Id").distinct().count();
        assertThat(Files.readString(shaken.resolve("salesforce/Account" + last + "/_manifest.json"))).contains("\"mode\" : \"full\"");
        assertThat(rows(shaken, "Account" + last).count()).isEqualTo(live / 2);
        // the first month's three non-dollar rates land again, corrected
        assertThat(rows(shaken, "DatedConversionRate" + last).where("StartDate = '2026-01-01'").select("IsoCode").distinct()
                .orderBy("IsoCode").as(org.apache.spark.sql.Encoders.STRING()).collectAsList()).containsExactly("CAD", "EUR", "GBP");
        // one more Opportunity version: a deal that closed weeks ago comes back open, with a history row
        List<Row> reopened = rows(shaken, "Opportunity" + last).except(rows(plain, "Opportunity" + last)).collectAsList();
        assertThat(reopened).hasSize(1);
        assertThat(reopened.get(0).<String>getAs("IsClosed")).isEqualTo("false");
        String closedOn = rows(plain, "Opportunity/*").where(col("Id").equalTo(reopened.get(0).<String>getAs("Id"))
                        .and(col("IsClosed").equalTo("true")))
                .agg(org.apache.spark.sql.functions.min("CloseDate")).first().getString(0);
        assertThat(closedOn).isLessThan("2026-02-15");
        assertThat(rows(shaken, "OpportunityHistory" + last).count()).isEqualTo(rows(plain, "OpportunityHistory" + last).count() + 1);
    }

    /** The CSV rows of one Salesforce object's folder(s) under a landing root ({@code Account/*}: every day). */
    private static Dataset<Row> rows(Path root, String objectFolder) {
        return spark().read().option("header", "true").option("multiLine", "true").option("escape", "\"")
                .csv(root.resolve("salesforce/" + objectFolder + "/part-*").toString());
    }

    @Test
    void bothTimestampFormsItWritesAreReadBack() {
        // the generator writes 1 in 10 Salesforce timestamps in ISO form; a record touched again
        // within the same second is moved one second past its last one, whichever form that was in
        java.time.Instant t = java.time.Instant.parse("2026-06-04T17:34:51Z");
        assertThat(DemoCompany.instantOf("2026-06-04T17:34:51Z")).isEqualTo(t);
        assertThat(DemoCompany.instantOf("2026-06-04T17:34:51.250Z")).isEqualTo(t.plusMillis(250));
        assertThat(DemoCompany.instantOf("2026-06-04T17:34:51.000+0000")).isEqualTo(t);
        assertThat(DemoCompany.instantOf("2026-06-04T19:34:51.000+0200")).isEqualTo(t);
    }

    private static String uncompressed(Path gz) {
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
