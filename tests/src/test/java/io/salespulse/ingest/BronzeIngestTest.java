package io.salespulse.ingest;

import io.salespulse.testing.Cli;
import io.salespulse.testing.LandingFixture;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Landing → bronze on local disk, through the CLI: gating, rejection, formats, drift, idempotency. */
class BronzeIngestTest extends SparkTestBase {

    private LandingFixture landing;
    private Path landingDir;
    private Path warehouse;

    @BeforeEach
    void setUp() {
        Path dir = workDir("ingest");
        landingDir = dir.resolve("landing");
        landing = new LandingFixture(landingDir);
        warehouse = dir.resolve("warehouse");
    }

    private Cli.Result run(String date) {
        return Cli.run("run", "--date", date, "--stage", "ingest", "--landing", landing.uri(), "--warehouse", warehouse.toString());
    }

    private Dataset<Row> table(String layerAndName) {
        return spark().read().format("delta").load(warehouse.resolve(layerAndName.replace('.', '/')).toString());
    }

    private List<Object[]> bronzeLeads() {
        return rowsOf(table("bronze.salesforce_lead").select("Id", "Email", "_snapshot_date").orderBy("Id"));
    }

    @Test
    void folderWithoutManifestWaitsAndLoadsOnceTheManifestLands() {
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 1, LandingFixture.leadCsv("L1,a@x.com")).manifest();
        LandingFixture.Snapshot late = landing.salesforce("Lead", "2026-03-02")
                .file("part-00000.csv", 1, LandingFixture.leadCsv("L2,b@x.com"));

        Cli.Result first = run("2026-03-02");
        assertThat(first.code()).isEqualTo(0);
        assertThat(first.out()).contains("waiting for salesforce/Lead/snapshot_date=2026-03-02");
        assertThat(table("bronze.salesforce_lead").count()).isEqualTo(1);

        late.manifest(); // written one day late: picked up by the next run
        Cli.Result second = run("2026-03-03");
        assertThat(second.code()).isEqualTo(0);
        assertRows("bronze leads", List.of(
                row("L1", "a@x.com", java.sql.Date.valueOf("2026-03-01")),
                row("L2", "b@x.com", java.sql.Date.valueOf("2026-03-02"))), bronzeLeads());
    }

    @Test
    void snapshotsAfterTheRunDateAreLeftForLater() {
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 1, LandingFixture.leadCsv("L1,a@x.com")).manifest();
        landing.salesforce("Lead", "2026-03-05").file("part-00000.csv", 1, LandingFixture.leadCsv("L5,e@x.com")).manifest();
        assertThat(run("2026-03-01").code()).isEqualTo(0);
        assertThat(rowsOf(table("bronze.salesforce_lead").select("Id"))).extracting(r -> r[0]).containsExactly("L1");
    }

    private static final String OPPORTUNITY_HEADER =
            "Id,IsDeleted,CreatedDate,SystemModstamp,AccountId,StageName,Amount,CloseDate,LeadSource,IsClosed,IsWon,OwnerId,CurrencyIsoCode\n";

    @Test
    void anObjectWhoseFirstSnapshotIsEmptyHasAnEmptyBronzeTableWithItsColumns() {
        // an Opportunity extract with a header and no rows, then a Lead one with a row
        landing.salesforce("Opportunity", "2026-03-01").file("part-00000.csv", 0,
                OPPORTUNITY_HEADER).manifest();
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 1, LandingFixture.leadCsv("L1,a@x.com")).manifest();
        assertThat(run("2026-03-01").code()).isEqualTo(0);
        Dataset<Row> opportunities = table("bronze.salesforce_opportunity");
        assertThat(opportunities.count()).isZero();
        assertThat(List.of(opportunities.columns())).contains("Id", "StageName", "CloseDate", "_snapshot_date", "_source_file", "_run_id");
        long version = io.delta.tables.DeltaTable.forPath(spark(), warehouse.resolve("bronze/salesforce_opportunity").toString())
                .history(1).first().getLong(0);
        // the next empty snapshot commits nothing; the first rows land in the same table
        landing.salesforce("Opportunity", "2026-03-02").file("part-00000.csv", 0,
                OPPORTUNITY_HEADER).manifest();
        assertThat(run("2026-03-02").code()).isEqualTo(0);
        assertThat(io.delta.tables.DeltaTable.forPath(spark(), warehouse.resolve("bronze/salesforce_opportunity").toString())
                .history(1).first().getLong(0)).isEqualTo(version);
        landing.salesforce("Opportunity", "2026-03-03").file("part-00000.csv", 1,
                OPPORTUNITY_HEADER
                        + "O1,false,2026-03-03T10:00:00Z,2026-03-03T10:00:00Z,A1,Prospecting,100,2026-03-20,Web,false,false,U1,USD\n").manifest();
        assertThat(run("2026-03-03").code()).isEqualTo(0);
        assertRows("opportunities", List.<Object[]>of(row("O1", "Prospecting", java.sql.Date.valueOf("2026-03-03"))),
                rowsOf(table("bronze.salesforce_opportunity").select("Id", "StageName", "_snapshot_date")));
    }

    @Test
    void rerunningADateLoadsNothingTwice() {
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv.gz", 2,
                LandingFixture.leadCsv("L1,a@x.com", "L2,b@x.com")).manifest();
        assertThat(run("2026-03-01").code()).isEqualTo(0);
        long ledger = table("ops.snapshot_ledger").count();
        List<Object[]> before = bronzeLeads();

        // the ledger keeps the manifest's listing; a rerun lists the folder and, finding the same file,
        // does not read it: bytes that no longer parse, under the same size and time, go unnoticed
        Path manifest = landingDir.resolve("salesforce/Lead/snapshot_date=2026-03-01/_manifest.json");
        assertThat(rowsOf(table("ops.snapshot_ledger").select("manifest_listing"))).extracting(r -> (String) r[0])
                .singleElement().asString().matches("\\d+ bytes, modified \\d+");
        try {
            java.nio.file.attribute.FileTime modified = java.nio.file.Files.getLastModifiedTime(manifest);
            java.nio.file.Files.writeString(manifest, "x".repeat((int) java.nio.file.Files.size(manifest)));
            java.nio.file.Files.setLastModifiedTime(manifest, modified);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        Cli.Result again = run("2026-03-01");
        assertThat(again.code()).isEqualTo(0);
        assertThat(again.out()).contains("0 snapshots loaded").doesNotContain("IGNORED");
        assertRows("bronze after rerun", before, bronzeLeads());
        assertThat(table("ops.snapshot_ledger").count()).isEqualTo(ledger);
        assertThat(table("ops.run_log").count()).isEqualTo(2);
    }

    @Test
    void countMismatchRejectsTheSnapshotWholeAndOthersStillLoad() {
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 3,
                LandingFixture.leadCsv("L1,a@x.com", "L2,b@x.com")).manifest();
        landing.salesforce("Account", "2026-03-01").file("part-00000.csv", 1,
                "Id,IsDeleted,CreatedDate,SystemModstamp,Name,OwnerId\nA1,false,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,Acme,U1\n")
                .manifest();

        Cli.Result r = run("2026-03-01");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err().lines().filter(l -> l.startsWith("salespulse: rejected")).toList()).containsExactly(
                "salespulse: rejected salesforce/Lead/snapshot_date=2026-03-01/part-00000.csv: manifest says 3 records, file has 2");
        assertThat(Arrays.asList(new java.io.File(warehouse.resolve("bronze").toString()).list()))
                .contains("salesforce_account").doesNotContain("salesforce_lead");
        assertThat(table("bronze.salesforce_account").count()).isEqualTo(1);
        List<Object[]> ledger = rowsOf(table("ops.snapshot_ledger").select("table_name", "status").orderBy("table_name"));
        assertRows("ledger", List.of(row("salesforce_account", "loaded"), row("salesforce_lead", "rejected")), ledger);
        assertThat(rowsOf(table("ops.run_log").select("outcome", "exit_code"))).containsExactly(row("rejected", 3));
    }

    @Test
    void rejectedSnapshotIsRetriedOnlyWhenItsManifestChanges() {
        LandingFixture.Snapshot s = landing.salesforce("Lead", "2026-03-01")
                .file("part-00000.csv", 5, LandingFixture.leadCsv("L1,a@x.com")).manifest();
        assertThat(run("2026-03-01").code()).isEqualTo(3);

        Cli.Result unchanged = run("2026-03-02");
        assertThat(unchanged.code()).isEqualTo(0);
        assertThat(unchanged.out()).contains("still rejected (manifest unchanged)");

        s.listed("part-00000.csv", 1).manifest(); // re-extracted with the right count
        assertThat(run("2026-03-02").code()).isEqualTo(0);
        assertThat(table("bronze.salesforce_lead").count()).isEqualTo(1);
    }

    @Test
    void missingRequiredColumnRejectsNamingFileAndColumn() {
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 1,
                "Id,IsDeleted,CreatedDate,SystemModstamp,FirstName,LastName,Phone,LeadSource,Status,OwnerId,IsConverted\n"
                        + "L1,false,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,Ada,L,555,Web,Open,U1,false\n").manifest();
        Cli.Result r = run("2026-03-01");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).contains("salespulse: rejected salesforce/Lead/snapshot_date=2026-03-01/part-00000.csv: "
                + "missing required column Email");
        assertThat(warehouse.resolve("bronze/salesforce_lead")).doesNotExist();
    }

    @Test
    void corruptGzipRejectsOnlyThatSnapshot() {
        byte[] good = LandingFixture.gzip(LandingFixture.leadCsv("L1,a@x.com", "L2,b@x.com", "L3,c@x.com"));
        byte[] corrupt = Arrays.copyOf(good, good.length);
        for (int i = 30; i < corrupt.length - 10; i++) {
            corrupt[i] = (byte) (corrupt[i] ^ 0x5A);
        }
        landing.salesforce("Lead", "2026-03-01").bytes("part-00000.csv.gz", 3, corrupt).manifest();
        landing.salesforce("Lead", "2026-03-02").bytes("part-00000.csv.gz", 3, good).manifest();

        Cli.Result r = run("2026-03-02");
        assertThat(r.code()).isEqualTo(3);
        List<String> rejected = r.err().lines().filter(l -> l.startsWith("salespulse: rejected")).toList();
        assertThat(rejected).hasSize(1);
        assertThat(rejected.get(0)).startsWith(
                "salespulse: rejected salesforce/Lead/snapshot_date=2026-03-01/part-00000.csv.gz: unreadable file");
        assertThat(rowsOf(table("bronze.salesforce_lead").select("_snapshot_date").distinct()))
                .containsExactly(row(java.sql.Date.valueOf("2026-03-02")));
    }

    @Test
    void manifestListingAnAbsentFileRejects() {
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 1, LandingFixture.leadCsv("L1,a@x.com"))
                .listed("part-00001.csv", 4).manifest();
        Cli.Result r = run("2026-03-01");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).contains("salesforce/Lead/snapshot_date=2026-03-01/part-00001.csv: listed in the manifest but the file is missing");
    }

    @Test
    void schemaDriftAddsTheNewColumnAndKeepsOldRows() {
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 1, LandingFixture.leadCsv("L1,a@x.com")).manifest();
        String withRating = LandingFixture.leadCsv("L2,b@x.com").replaceFirst("\n", ",Rating\n").replace("false\n", "false,Hot\n");
        landing.salesforce("Lead", "2026-03-02").file("part-00000.csv", 1, withRating).manifest();
        assertThat(run("2026-03-02").code()).isEqualTo(0);
        assertRows("drifted column", List.of(row("L1", null), row("L2", "Hot")),
                rowsOf(table("bronze.salesforce_lead").select("Id", "Rating")));
    }

    @Test
    void csvQuotingKeepsCommasQuotesAndNewlinesInsideFields() {
        String csv = "Id,IsDeleted,CreatedDate,SystemModstamp,Name,OwnerId,Industry\r\n"
                + "A1,false,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,\"Acme, \"\"The\"\" Company\nEMEA\",U1,\r\n"
                + "A2,false,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,Plain,U2,Retail\r\n";
        landing.salesforce("Account", "2026-03-01").file("part-00000.csv", 2, csv).manifest();
        assertThat(run("2026-03-01").code()).isEqualTo(0);
        assertRows("quoted fields", List.of(
                row("A1", "Acme, \"The\" Company\nEMEA", null),
                row("A2", "Plain", "Retail")), rowsOf(table("bronze.salesforce_account").select("Id", "Name", "Industry")));
    }

    @Test
    void everyLandingFormatLoads() {
        String header = "Id,IsDeleted,CreatedDate,SystemModstamp,Name\n";
        landing.salesforce("Product2", "2026-03-01")
                .file("part-00000.csv", 1, header + "P1,false,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,CSV\n")
                .file("part-00001.csv.gz", 1, header + "P2,false,2026-03-01T10:00:00Z,2026-03-01T10:00:00Z,CSV gz\n")
                .file("part-00002.json", 1, "{\"Id\":\"P3\",\"IsDeleted\":false,\"CreatedDate\":\"2026-03-01T10:00:00Z\","
                        + "\"SystemModstamp\":\"2026-03-01T10:00:00Z\",\"Name\":\"JSON\"}\n")
                .file("part-00003.json.gz", 1, "{\"Id\":\"P4\",\"IsDeleted\":false,\"CreatedDate\":\"2026-03-01T10:00:00Z\","
                        + "\"SystemModstamp\":\"2026-03-01T10:00:00Z\",\"Name\":\"JSON gz\"}\n");
        Path parquet = workDir("parquet-src");
        spark().sql("SELECT 'P5' AS Id, false AS IsDeleted, '2026-03-01T10:00:00Z' AS CreatedDate, "
                        + "'2026-03-01T10:00:00Z' AS SystemModstamp, 'Parquet' AS Name")
                .coalesce(1).write().mode(SaveMode.Overwrite).parquet(parquet.toString());
        java.io.File part = Arrays.stream(parquet.toFile().listFiles()).filter(f -> f.getName().endsWith(".parquet"))
                .findFirst().orElseThrow();
        try {
            landing.salesforce("Product2", "2026-03-01").bytes("part-00004.parquet", 1, java.nio.file.Files.readAllBytes(part.toPath()))
                    .listed("part-00000.csv", 1).listed("part-00001.csv.gz", 1).listed("part-00002.json", 1)
                    .listed("part-00003.json.gz", 1).manifest();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(run("2026-03-01").code()).isEqualTo(0);
        assertRows("one row per format", List.of(
                        row("P1", "CSV", "false"), row("P2", "CSV gz", "false"), row("P3", "JSON", "false"),
                        row("P4", "JSON gz", "false"), row("P5", "Parquet", "false")),
                rowsOf(table("bronze.salesforce_product2").select("Id", "Name", "IsDeleted")));
    }

    private static String productJson(String id, String name) {
        return "{\"Id\":\"" + id + "\",\"IsDeleted\":false,\"CreatedDate\":\"2026-03-01T10:00:00Z\","
                + "\"SystemModstamp\":\"2026-03-01T10:00:00Z\",\"Name\":\"" + name + "\",\"attributes\":{\"type\":\"Product2\"}}\n";
    }

    /**
     * JSON snapshots of many days are read together (one Spark read), yet each is judged as if read
     * alone: a malformed line is quarantined, a file without a required key is rejected naming it,
     * a key present but always null is not a missing column, a count mismatch rejects its snapshot.
     */
    @Test
    void jsonSnapshotsOfManyDaysLoadTogetherAndAreEachCheckedAsIfAlone() {
        landing.salesforce("Product2", "2026-03-01").file("part-00000.json", 3,
                productJson("P1", "One") + "{\"Id\":\"P9\",\"Name\n" + productJson("P2", "Two")).manifest();
        landing.salesforce("Product2", "2026-03-02").file("part-00000.json", 1,
                "{\"Id\":\"P3\",\"IsDeleted\":false,\"CreatedDate\":\"2026-03-01T10:00:00Z\",\"Name\":\"No stamp\"}\n").manifest();
        landing.salesforce("Product2", "2026-03-03").file("part-00000.json", 1,
                "{\"Id\":\"P4\",\"IsDeleted\":false,\"CreatedDate\":\"2026-03-01T10:00:00Z\",\"SystemModstamp\":null,"
                        + "\"Name\":\"Null stamp\"}\n").manifest();
        landing.salesforce("Product2", "2026-03-04").file("part-00000.json", 2, productJson("P5", "Five")).manifest();
        landing.salesforce("Product2", "2026-03-05").file("part-00000.json.gz", 1, productJson("P6", "Six")).manifest();

        Cli.Result r = run("2026-03-05");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err().lines().filter(l -> l.startsWith("salespulse: rejected")).toList()).containsExactlyInAnyOrder(
                "salespulse: rejected salesforce/Product2/snapshot_date=2026-03-02/part-00000.json: missing required column SystemModstamp",
                "salespulse: rejected salesforce/Product2/snapshot_date=2026-03-04/part-00000.json: manifest says 2 records, file has 1");
        assertRows("bronze products", List.of(
                        row("P1", "One", "{\"type\":\"Product2\"}", java.sql.Date.valueOf("2026-03-01"), 1L),
                        row("P2", "Two", "{\"type\":\"Product2\"}", java.sql.Date.valueOf("2026-03-01"), 2L),
                        row("P4", "Null stamp", null, java.sql.Date.valueOf("2026-03-03"), 0L),
                        row("P6", "Six", "{\"type\":\"Product2\"}", java.sql.Date.valueOf("2026-03-05"), 1L)),
                rowsOf(table("bronze.salesforce_product2").select("Id", "Name", "attributes", "_snapshot_date", "_row_number")
                        .orderBy("Id")));
        assertRows("quarantine", List.<Object[]>of(row("salesforce_product2", "{\"Id\":\"P9\",\"Name")),
                rowsOf(table("bronze.malformed_rows").select("source_table", "raw_record")));
        assertRows("ledger", List.of(row("2026-03-01", "loaded", 2L, 1L), row("2026-03-02", "rejected", 0L, 0L),
                        row("2026-03-03", "loaded", 1L, 0L), row("2026-03-04", "rejected", 0L, 0L), row("2026-03-05", "loaded", 1L, 0L)),
                rowsOf(table("ops.snapshot_ledger").selectExpr("CAST(snapshot_date AS STRING)", "status", "rows_loaded", "rows_quarantined")
                        .orderBy("snapshot_date")));
    }

    @Test
    void malformedRowsGoToQuarantineAndCountsReconcile() {
        String csv = LandingFixture.leadCsv("L1,a@x.com", "L2,b@x.com") + "L3,false,2026-03-01T10:00:00Z,only,four\n";
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 3, csv).manifest();
        landing.segment("2026-03-01").file("part-00000.json.gz", 3,
                "{\"messageId\":\"m1\",\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"u1\",\"timestamp\":\"2026-03-01T10:00:00Z\",\"properties\":{\"plan\":\"pro\"}}\n"
                        + "{\"messageId\":\"m2\",\"type\":\"page\",\"anonymousId\":\"a1\",\"timestamp\":\"2026-03-01T11:00:00Z\"}\n"
                        + "{\"messageId\":\"m3\",\"type\":\"tr\n").manifest();
        assertThat(run("2026-03-01").code()).isEqualTo(0);

        assertThat(rowsOf(table("bronze.salesforce_lead").select("Id"))).extracting(r -> r[0]).containsExactlyInAnyOrder("L1", "L2");
        assertRows("segment bronze", List.of(row("m1", "track", "Signed Up", "{\"plan\":\"pro\"}"), row("m2", "page", null, null)),
                rowsOf(table("bronze.segment_events").select("messageId", "type", "event", "properties")));
        assertRows("quarantine", List.of(
                        row("salesforce_lead", "L3", "salesforce/Lead/snapshot_date=2026-03-01/part-00000.csv"),
                        row("segment_events", null, "segment/events/received_date=2026-03-01/part-00000.json.gz")),
                rowsOf(table("ops.quarantine").select("table_name", "record_id", "source_file")));
        assertThat(rowsOf(table("bronze.malformed_rows").select("raw_record")))
                .extracting(r -> r[0]).containsExactlyInAnyOrder("L3,false,2026-03-01T10:00:00Z,only,four", "{\"messageId\":\"m3\",\"type\":\"tr");
        // rows in = rows loaded + rows quarantined, per snapshot, in the run log
        List<Object[]> counts = rowsOf(table("ops.run_log").selectExpr("explode(snapshots) AS s")
                .selectExpr("s.table_name", "s.rows_read", "s.rows_loaded", "s.rows_quarantined"));
        assertRows("run log counts", List.of(row("salesforce_lead", 3L, 2L, 1L), row("segment_events", 3L, 2L, 1L)), counts);
    }

    /**
     * A catch-up's large objects are loaded with code generation (by their manifests' row counts),
     * two side by side: the same bronze rows, malformed rows and quarantine as interpreted, and the
     * session interprets again afterwards.
     */
    @Test
    void objectsLoadedWithCodeGenerationGiveTheRowsInterpretingGives() {
        String csv = LandingFixture.leadCsv("L1,a@x.com", "L2,b@x.com") + "L3,false,2026-03-01T10:00:00Z,only,four\n";
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 3, csv).manifest();
        landing.salesforce("Lead", "2026-03-02").file("part-00000.csv", 1, LandingFixture.leadCsv("L1,new@x.com")).manifest();
        landing.segment("2026-03-01").file("part-00000.json.gz", 3,
                "{\"messageId\":\"m1\",\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"u1\",\"timestamp\":\"2026-03-01T10:00:00Z\",\"properties\":{\"plan\":\"pro\"}}\n"
                        + "{\"messageId\":\"m2\",\"type\":\"page\",\"anonymousId\":\"a1\",\"timestamp\":\"2026-03-01T11:00:00Z\"}\n"
                        + "{\"messageId\":\"m3\",\"type\":\"tr\n").manifest();
        landing.segment("2026-03-02").file("part-00000.json", 1,
                "{\"messageId\":\"m4\",\"type\":\"identify\",\"userId\":\"u1\",\"timestamp\":\"2026-03-02T09:00:00Z\",\"traits\":{\"email\":\"a@x.com\"}}\n").manifest();
        Path interpreted = warehouse.resolveSibling("interpreted");
        Cli.Result compiledRun = Cli.runWithEnv(java.util.Map.of("SALESPULSE_HASH_KEY", Cli.TEST_HASH_KEY, "SALESPULSE_RUN_COMPILE_MIN_ROWS", "4"),
                "run", "--date", "2026-03-02", "--stage", "ingest", "--landing", landing.uri(), "--warehouse", warehouse.toString());
        assertThat(compiledRun.code()).as(compiledRun.err()).isEqualTo(0);
        assertThat(compiledRun.out()).contains("salesforce_lead: 4 rows in 2 snapshots, loaded with code generation")
                .contains("segment_events: 4 rows in 2 snapshots, loaded with code generation");
        assertThat(spark().conf().get("spark.sql.codegen.wholeStage")).isEqualTo("false");
        Cli.Result interpretedRun = Cli.run("run", "--date", "2026-03-02", "--stage", "ingest", "--landing", landing.uri(),
                "--warehouse", interpreted.toString());
        assertThat(interpretedRun.code()).as(interpretedRun.err()).isEqualTo(0);
        assertThat(interpretedRun.out()).doesNotContain("code generation");
        for (String t : List.of("bronze/salesforce_lead", "bronze/segment_events", "bronze/malformed_rows", "ops/quarantine")) {
            Dataset<Row> a = spark().read().format("delta").load(warehouse.resolve(t).toString());
            Dataset<Row> b = spark().read().format("delta").load(interpreted.resolve(t).toString());
            String[] kept = Arrays.stream(a.columns()).filter(c -> !List.of("_ingested_at", "_run_id", "run_id", "quarantined_at").contains(c))
                    .toArray(String[]::new);
            assertThat(a.count()).as(t).isPositive();
            assertRows(t, rowsOf(b.selectExpr(kept).orderBy(kept[0], kept)), rowsOf(a.selectExpr(kept).orderBy(kept[0], kept)));
        }
    }

    @Test
    void bronzeKeepsLoadColumns() {
        landing.salesforce("Lead", "2026-03-01").file("part-00000.csv", 1, LandingFixture.leadCsv("L1,a@x.com")).manifest();
        assertThat(run("2026-03-01").code()).isEqualTo(0);
        Row r = table("bronze.salesforce_lead").collectAsList().get(0);
        assertThat((String) r.getAs("_source_file")).isEqualTo("salesforce/Lead/snapshot_date=2026-03-01/part-00000.csv");
        assertThat((String) r.getAs("_run_id")).startsWith("2026-03-01_");
        assertThat((Object) r.getAs("_ingested_at")).isNotNull();
        assertThat((String) r.getAs("IsConverted")).isEqualTo("false");
    }
}
