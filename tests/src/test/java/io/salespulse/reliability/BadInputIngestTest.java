package io.salespulse.reliability;

import io.salespulse.testing.Cli;
import io.salespulse.testing.LandingFixture;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input catalogue of docs/bad-input.md, at the ingestion stage: one test per case, each
 * asserting the outcome, the exit code and that rows in = rows loaded + rows quarantined.
 */
class BadInputIngestTest extends SparkTestBase {

    private static final String LEAD_HEADER =
            "Id,IsDeleted,CreatedDate,SystemModstamp,FirstName,LastName,Email,Phone,LeadSource,Status,OwnerId,IsConverted\n";

    private LandingFixture landing;
    private Path warehouse;

    @BeforeEach
    void setUp() {
        Path dir = workDir("bad-input");
        landing = new LandingFixture(dir.resolve("landing"));
        warehouse = dir.resolve("warehouse");
    }

    private Cli.Result ingest(String date) {
        return Cli.run("run", "--date", date, "--stage", "ingest", "--landing", landing.uri(), "--warehouse", warehouse.toString());
    }

    private Dataset<Row> table(String layerAndName) {
        return spark().read().format("delta").load(warehouse.resolve(layerAndName.replace('.', '/')).toString());
    }

    private static String lead(String id) {
        return id + ",false,2026-03-01T10:00:00.000+0000,2026-03-01T10:00:00.000+0000,Ada,Lovelace,a@x.com,+1 555 0100,Web,Open,005000000000000001,false\n";
    }

    /** (rows_read, rows_loaded, rows_quarantined) of one bronze table in the last run's log row. */
    private List<Object[]> runLogCounts(String tableName) {
        return rowsOf(table("ops.run_log").orderBy(org.apache.spark.sql.functions.col("ended_at").desc()).limit(1)
                .selectExpr("explode(snapshots) AS s").where("s.table_name = '" + tableName + "'")
                .selectExpr("s.status", "s.rows_read", "s.rows_loaded", "s.rows_quarantined"));
    }

    private List<Object[]> quarantine() {
        return rowsOf(table("ops.quarantine").select("record_id", "reason").orderBy("record_id"));
    }

    @Test
    void truncatedGzipFileRejectsTheSnapshotNamingTheFile() {
        byte[] whole = LandingFixture.gzip(LEAD_HEADER + lead("L1") + lead("L2"));
        landing.salesforce("Lead", "2026-03-01").bytes("part-00000.csv.gz", 2, Arrays.copyOf(whole, whole.length / 2)).manifest();
        Cli.Result r = ingest("2026-03-01");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).contains("salesforce/Lead/snapshot_date=2026-03-01/part-00000.csv.gz").doesNotContain("\tat ");
        assertThat(r.err().lines().filter(l -> l.contains("part-00000.csv.gz")).count()).isEqualTo(1);
        assertThat(runLogCounts("salesforce_lead")).singleElement().satisfies(c -> assertThat(c[0]).isEqualTo("rejected"));
        assertThat(warehouse.resolve("bronze/salesforce_lead")).doesNotExist();
    }

    @Test
    void truncatedCsvFileRejectsOnCountMismatch() {
        // the extractor wrote three rows; the copy stops in the middle of the second
        String text = LEAD_HEADER + lead("L1") + lead("L2") + lead("L3");
        int cut = LEAD_HEADER.length() + lead("L1").length() + 30;
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 3, text.substring(0, cut)).manifest();
        Cli.Result r = ingest("2026-03-01");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).contains("part-00000.csv: manifest says 3 records, file has 2");
        assertThat(warehouse.resolve("bronze/salesforce_lead")).doesNotExist();
    }

    @Test
    void malformedJsonLineInASalesforceFileIsQuarantined() {
        String json = "{\"Id\":\"L1\",\"IsDeleted\":false,\"CreatedDate\":\"2026-03-01T10:00:00Z\",\"SystemModstamp\":\"2026-03-01T10:00:00Z\","
                + "\"Email\":\"a@x.com\",\"Phone\":\"1\",\"LeadSource\":\"Web\",\"Status\":\"Open\",\"OwnerId\":\"005\",\"IsConverted\":false}\n"
                + "{\"Id\":\"L2\",\"Email\": \n";
        landing.salesforce("Lead", "2026-03-01").file("part-00000.json", 2, json).manifest();
        Cli.Result r = ingest("2026-03-01");
        assertThat(r.code()).isEqualTo(0);
        assertRows("loaded", List.<Object[]>of(row("L1")), rowsOf(table("bronze.salesforce_lead").select("Id")));
        assertThat(quarantine()).singleElement().satisfies(q -> assertThat((String) q[1]).startsWith("malformed row"));
        assertRows("run log", List.<Object[]>of(row("loaded", 2L, 1L, 1L)), runLogCounts("salesforce_lead"));
    }

    @Test
    void csvRowsWithTooManyOrTooFewFieldsAreQuarantined() {
        String csv = LEAD_HEADER + lead("L1")
                + "L2,false,2026-03-01T10:00:00.000+0000,2026-03-01T10:00:00.000+0000,Ada,Lovelace,b@x.com,1,Web,Open,005,false,EXTRA,MORE\n"
                + "L3,false,2026-03-01T10:00:00.000+0000\n";
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 3, csv).manifest();
        Cli.Result r = ingest("2026-03-01");
        assertThat(r.code()).isEqualTo(0);
        assertRows("loaded", List.<Object[]>of(row("L1")), rowsOf(table("bronze.salesforce_lead").select("Id")));
        assertRows("quarantine", List.of(
                        row("L2", "malformed row (wrong number of fields or unparseable record)"),
                        row("L3", "malformed row (wrong number of fields or unparseable record)")),
                quarantine());
        assertRows("run log", List.<Object[]>of(row("loaded", 3L, 1L, 2L)), runLogCounts("salesforce_lead"));
    }

    @Test
    void nonUtf8BytesQuarantineTheRow() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes((LEAD_HEADER + lead("L1")).getBytes(StandardCharsets.UTF_8));
        // "Müller" in Latin-1: 0xFC is not valid UTF-8
        bytes.writeBytes("L2,false,2026-03-01T10:00:00.000+0000,2026-03-01T10:00:00.000+0000,Hans,M".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xFC);
        bytes.writeBytes("ller,h@x.com,1,Web,Open,005,false\n".getBytes(StandardCharsets.UTF_8));
        landing.salesforce("Lead", "2026-03-01").bytes("part-00000.csv", 2, bytes.toByteArray()).manifest();
        Cli.Result r = ingest("2026-03-01");
        assertThat(r.code()).isEqualTo(0);
        assertRows("loaded", List.<Object[]>of(row("L1")), rowsOf(table("bronze.salesforce_lead").select("Id")));
        assertRows("quarantine", List.<Object[]>of(row("L2", "invalid UTF-8 bytes")), quarantine());
        assertRows("run log", List.<Object[]>of(row("loaded", 2L, 1L, 1L)), runLogCounts("salesforce_lead"));
    }

    @Test
    void emptyIncrementalLoadsNothingButAnEmptyFullAfterHistoryIsRejected() {
        landing.salesforce("Lead", "2026-03-01").full().file("part-00000.csv", 1, LEAD_HEADER + lead("L1")).manifest();
        landing.salesforce("Lead", "2026-03-02").file("part-00000.csv", 0, LEAD_HEADER).manifest();
        Cli.Result second = ingest("2026-03-02");
        assertThat(second.code()).isEqualTo(0);
        assertRows("run log", List.of(row("loaded", 1L, 1L, 0L), row("loaded", 0L, 0L, 0L)), runLogCounts("salesforce_lead"));

        landing.salesforce("Lead", "2026-03-03").full().file("part-00000.csv", 0, "").manifest();
        Cli.Result third = ingest("2026-03-03");
        assertThat(third.code()).isEqualTo(3);
        assertThat(third.err()).contains("salesforce/Lead/snapshot_date=2026-03-03: full snapshot with 0 records would delete every");
        assertRows("bronze untouched", List.<Object[]>of(row("L1")), rowsOf(table("bronze.salesforce_lead").select("Id")));
    }

    @Test
    void secondDeliveryOfALoadedDateIsIgnoredAndReportedOnce() {
        LandingFixture.Snapshot first = landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 1, LEAD_HEADER + lead("L1")).manifest();
        assertThat(ingest("2026-03-01").code()).isEqualTo(0);
        // the extractor delivers the same date again, with other content
        first.file("part-00001.csv", 1, LEAD_HEADER + lead("L9")).manifest();
        Cli.Result again = ingest("2026-03-02");
        assertThat(again.code()).isEqualTo(3);
        assertThat(again.err()).contains("salesforce/Lead/snapshot_date=2026-03-01: delivered again after it was loaded");
        assertRows("loaded version stays", List.<Object[]>of(row("L1")), rowsOf(table("bronze.salesforce_lead").select("Id")));
        Cli.Result later = ingest("2026-03-03");
        assertThat(later.code()).isEqualTo(0);
        assertThat(later.out()).contains("still rejected");
    }

    @Test
    void tenMegabyteFieldLoadsIntact() {
        String big = "x".repeat(10 * 1024 * 1024);
        String csv = LEAD_HEADER.replace("IsConverted\n", "IsConverted,Description\n")
                + lead("L1").replace("false\n", "false,\"" + big + "\"\n");
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 1, csv).manifest();
        Cli.Result r = ingest("2026-03-01");
        assertThat(r.code()).isEqualTo(0);
        assertRows("field length", List.<Object[]>of(row("L1", 10 * 1024 * 1024)),
                rowsOf(table("bronze.salesforce_lead").selectExpr("Id", "length(Description)")));
        assertRows("run log", List.<Object[]>of(row("loaded", 1L, 1L, 0L)), runLogCounts("salesforce_lead"));
    }
}
