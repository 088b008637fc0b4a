package io.salespulse.reliability;

import io.salespulse.testing.Cli;
import io.salespulse.testing.LandingFixture;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code salespulse forget}: one person's rows leave bronze, silver, the malformed rows and the quarantine, and with
 * {@code --purge} the old versions too; nobody else's do; the log holds no email.
 */
@org.junit.jupiter.api.Tag("slow") // several full runs, a purge and a time-travel read: ~4 min on 2 cores
class ForgetTest extends SparkTestBase {

    private static final String TS = "2026-03-01T10:00:00.000+0000";

    @Test
    void forgetRemovesEveryRowOfThePersonAndNothingElse() {
        Path dir = workDir("forget");
        LandingFixture landing = new LandingFixture(dir.resolve("landing"));
        String warehouse = dir.resolve("warehouse").toString();
        String day = "2026-03-01";
        landing.salesforce("Lead", day).full().file("part-00000.csv", 2,
                LandingFixture.leadCsv("L1, Ada@Example.com ", "L2,bob@example.com")).manifest();
        // C3 (Ada's, an unreadable date) is quarantined by silver; C4 (Ada's) and C5 (Bob's) are malformed lines
        landing.salesforce("Contact", day).full().file("part-00000.csv", 5,
                "Id,IsDeleted,CreatedDate,SystemModstamp,AccountId,Email\n"
                        + "C1,false," + TS + "," + TS + ",A1,ada@example.com\nC2,false," + TS + "," + TS + ",A1,bob@example.com\n"
                        + "C3,false,not-a-date," + TS + ",A1,ada@example.com\n"
                        + "C4,false,ada@example.com\nC5,false,bob@example.com\n").manifest();
        landing.segment(day).file("part-00000.json", 3,
                "{\"messageId\":\"m1\",\"type\":\"identify\",\"userId\":\"u1\",\"timestamp\":\"2026-03-01T10:00:00Z\",\"traits\":{\"email\":\"ADA@example.com\"}}\n"
                        + "{\"messageId\":\"m2\",\"type\":\"track\",\"event\":\"Report Viewed\",\"userId\":\"u1\",\"timestamp\":\"2026-03-01T11:00:00Z\"}\n"
                        + "{\"messageId\":\"m3\",\"type\":\"track\",\"event\":\"Report Viewed\",\"userId\":\"u2\",\"timestamp\":\"2026-03-01T11:00:00Z\"}\n").manifest();
        Cli.Result run = Cli.run("run", "--date", day, "--landing", landing.uri(), "--warehouse", warehouse);
        assertThat(run.code()).as(run.err()).isEqualTo(0);
        assertThat(ids(warehouse, "silver/fact_lead", "lead_id")).containsExactly("L1", "L2");
        assertThat(ids(warehouse, "silver/fact_activity_daily", "user_id")).containsExactly("u1", "u2");

        assertThat(ids(warehouse, "ops/quarantine", "record_id")).containsExactly("C3", "C4", "C5");
        String leadTable = warehouse + "/bronze/salesforce_lead";
        assertThat(spark().read().format("delta").load(leadTable).where("Id = 'L1'").count()).isEqualTo(1);

        Cli.Result forget = Cli.run("forget", "--email", " ada@EXAMPLE.com", "--purge", "true", "--warehouse", warehouse);
        assertThat(forget.code()).as(forget.err()).isEqualTo(0);
        assertThat(forget.out()).contains("bronze.salesforce_lead 1", "bronze.salesforce_contact 2",
                "bronze.segment_events 2", "bronze.malformed_rows 1", "silver.fact_lead 1", "silver.fact_activity_daily 1",
                "ops.quarantine 2", "old file versions vacuumed");
        assertThat(ids(warehouse, "ops/quarantine", "record_id")).containsExactly("C5");
        assertThat(spark().read().format("delta").load(warehouse + "/bronze/malformed_rows")
                .where("lower(raw_record) LIKE '%ada@example.com%'").count()).isZero();
        // purged: the version before the delete no longer yields Ada's lead (its files are gone, the read fails)
        long deleted = io.delta.tables.DeltaTable.forPath(spark(), leadTable).history().where("operation = 'DELETE'")
                .agg(org.apache.spark.sql.functions.max("version")).first().getLong(0);
        long[] found = {-1};
        Throwable timeTravel = catchThrowable(() -> found[0] = spark().read().format("delta")
                .option("versionAsOf", deleted - 1).load(leadTable).where("Id = 'L1'").count());
        assertThat(timeTravel != null || found[0] == 0).as("time travel to the version before forget finds Ada").isTrue();

        assertThat(ids(warehouse, "bronze/salesforce_lead", "Id")).containsExactly("L2");
        assertThat(ids(warehouse, "bronze/salesforce_contact", "Id")).containsExactly("C2");
        assertThat(ids(warehouse, "bronze/segment_events", "messageId")).containsExactly("m3");
        assertThat(ids(warehouse, "silver/fact_lead", "lead_id")).containsExactly("L2");
        assertThat(ids(warehouse, "silver/fact_activity_daily", "user_id")).containsExactly("u2");
        Dataset<Row> log = spark().read().format("delta").load(warehouse + "/ops/run_log").where("command = 'forget'");
        assertThat(log.count()).isEqualTo(1);
        assertThat(log.first().<String>getAs("message")).doesNotContainIgnoringCase("ada@example.com");
    }

    private static List<String> ids(String warehouse, String table, String column) {
        return spark().read().format("delta").load(warehouse + "/" + table).select(column).distinct().orderBy(column)
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    }
}
