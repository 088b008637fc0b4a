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

/** {@code salespulse forget}: one person's rows leave bronze and silver; nobody else's do; the log holds no email. */
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
        landing.salesforce("Contact", day).full().file("part-00000.csv", 2,
                "Id,IsDeleted,CreatedDate,SystemModstamp,AccountId,Email\n"
                        + "C1,false," + TS + "," + TS + ",A1,ada@example.com\nC2,false," + TS + "," + TS + ",A1,bob@example.com\n").manifest();
        landing.segment(day).file("part-00000.json", 3,
                "{\"messageId\":\"m1\",\"type\":\"identify\",\"userId\":\"u1\",\"timestamp\":\"2026-03-01T10:00:00Z\",\"traits\":{\"email\":\"ADA@example.com\"}}\n"
                        + "{\"messageId\":\"m2\",\"type\":\"track\",\"event\":\"Report Viewed\",\"userId\":\"u1\",\"timestamp\":\"2026-03-01T11:00:00Z\"}\n"
                        + "{\"messageId\":\"m3\",\"type\":\"track\",\"event\":\"Report Viewed\",\"userId\":\"u2\",\"timestamp\":\"2026-03-01T11:00:00Z\"}\n").manifest();
        Cli.Result run = Cli.run("run", "--date", day, "--landing", landing.uri(), "--warehouse", warehouse);
        assertThat(run.code()).as(run.err()).isEqualTo(0);
        assertThat(ids(warehouse, "silver/fact_lead", "lead_id")).containsExactly("L1", "L2");
        assertThat(ids(warehouse, "silver/fact_activity_daily", "user_id")).containsExactly("u1", "u2");

        Cli.Result forget = Cli.run("forget", "--email", " ada@EXAMPLE.com", "--warehouse", warehouse);
        assertThat(forget.code()).as(forget.err()).isEqualTo(0);
        assertThat(forget.out()).contains("bronze.salesforce_lead 1", "bronze.salesforce_contact 1",
                "bronze.segment_events 2", "silver.fact_lead 1", "silver.fact_activity_daily 1");

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
