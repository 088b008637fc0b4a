package io.salespulse.silver;

import io.salespulse.testing.Cli;
import io.salespulse.testing.ReferenceWarehouse;
import io.salespulse.testing.SparkTestBase;
import io.salespulse.testing.TableFingerprints;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.trim;
import static org.assertj.core.api.Assertions.assertThat;

/** Acceptance on generated data (the shared reference warehouse): every silver table and column, reconciled counts, no personal data. */
@org.junit.jupiter.api.Tag("slow")
class SilverEndToEndTest extends SparkTestBase {

    private static String warehouse;
    private static String landing;

    /** docs/data-dictionary.md: the columns each silver table must have. */
    private static final Map<String, List<String>> REQUIRED = Map.of(
            "dim_customer", List.of("customer_key", "account_id", "name", "industry", "country", "owner_id", "is_customer",
                    "acquisition_date", "cohort_month", "acquisition_channel", "valid_from", "valid_to", "is_current"),
            "dim_sales_rep", List.of("owner_id", "name", "department", "manager_id", "is_active"),
            "dim_campaign", List.of("campaign_id", "name", "type", "status", "start_date", "end_date", "actual_cost_rc"),
            "dim_product", List.of("product_id", "name", "product_code", "family"),
            "dim_date", List.of("date", "year", "quarter", "month", "week_of_year", "day_of_week", "is_weekend"),
            "fact_lead", List.of("lead_id", "created_date", "lead_source", "first_touch_campaign_id", "owner_id", "status", "name_ok",
                    "email_ok", "phone_ok", "quality_score", "email_hash", "is_converted", "converted_date", "converted_account_id",
                    "converted_opportunity_id", "became_customer", "days_to_customer"),
            "fact_opportunity", List.of("opportunity_id", "account_id", "owner_id", "campaign_id", "lead_source", "created_date",
                    "close_date", "stage_name", "is_closed", "is_won", "amount", "currency", "amount_rc", "sales_cycle_days"),
            "fact_opportunity_stage", List.of("opportunity_id", "stage_name", "entered_at", "exited_at", "amount_rc"),
            "fact_order", List.of("order_id", "order_item_id", "account_id", "effective_date", "status", "is_reduction", "product_id",
                    "quantity", "amount", "currency", "amount_rc", "is_first_order"),
            "fact_activity_daily", List.of("activity_date", "user_id", "account_id", "events", "page_views", "signed_up", "activated",
                    "cancelled"));

    @BeforeAll
    static void run() {
        landing = ReferenceWarehouse.get().landing();
        warehouse = ReferenceWarehouse.get().warehouse();
    }

    @Test
    void aRunWithNothingNewLeavesSilverAsItIsAndANewHashingKeyComputesItAgain() {
        Path copy = Path.of(ReferenceWarehouse.get().copy("silver-e2e-rerun"));
        String[] silverRun = {"run", "--stage", "silver", "--date", ReferenceWarehouse.RUN_DATE.toString(), "--landing", landing,
                "--warehouse", copy.toString()};
        TreeMap<String, Long> before = TableFingerprints.versions(copy.toString());

        Cli.Result again = Cli.run(silverRun);
        assertThat(again.code()).as(again.err()).isEqualTo(0);
        assertThat(again.out()).contains("silver   unchanged: bronze, the date and the settings are those silver was computed from")
                .contains("silver: unchanged").doesNotContain("silver.fact_lead ");
        TreeMap<String, Long> after = TableFingerprints.versions(copy.toString());
        TableFingerprints.LOGS.forEach(t -> {
            before.remove(t);
            after.remove(t);
        });
        assertThat(after).as("no table gained a Delta version").isEqualTo(before);

        // the key is part of what silver depends on: every email hash changes with it
        Cli.Result newKey = Cli.runWithEnv(Map.of("SALESPULSE_HASH_KEY", "another-test-only-key"), silverRun);
        assertThat(newKey.code()).as(newKey.err()).isEqualTo(0);
        assertThat(newKey.out()).doesNotContain("unchanged").contains("silver.fact_lead ");
        Dataset<Row> oldHashes = table("silver", "fact_lead").where(col("email_hash").isNotNull()).select("lead_id", "email_hash");
        Dataset<Row> newHashes = spark().read().format("delta").load(copy + "/silver/fact_lead").select("lead_id", "email_hash");
        assertThat(oldHashes.count()).isGreaterThan(0);
        assertThat(oldHashes.join(newHashes, new String[]{"lead_id", "email_hash"}).count()).as("hashes kept").isZero();
    }

    /**
     * Silver computed as a large warehouse computes it gives the rows the interpreted catch-up gave:
     * with run.compile_min_rows at 1,000, Lead (~1,400 bronze rows) is staged with code generation,
     * and so are the quarantine and the reconciliation after it, and the larger tables are built so.
     */
    @Test
    void silverComputedWithCodeGenerationEqualsTheInterpretedSilver() throws java.io.IOException {
        String copy = ReferenceWarehouse.get().copy("silver-e2e-compiled");
        // without the record of what silver was computed from, the silver stage computes every table again
        org.apache.commons.io.FileUtils.deleteDirectory(Path.of(copy, "ops", "silver_state").toFile());
        Cli.Result r = Cli.runWithEnv(Map.of("SALESPULSE_HASH_KEY", Cli.TEST_HASH_KEY, "SALESPULSE_RUN_COMPILE_MIN_ROWS", "1000"),
                "run", "--stage", "silver", "--date", ReferenceWarehouse.RUN_DATE.toString(), "--landing", landing,
                "--warehouse", copy);
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).containsPattern("salesforce_lead: [0-9,]+ rows in bronze, staged with code generation")
                .containsPattern("fact_activity_daily: [0-9,]+ events in bronze, built with code generation");
        TreeMap<String, String> compiled = TableFingerprints.of(copy);
        TreeMap<String, String> interpreted = TableFingerprints.of(warehouse);
        List<String> silver = interpreted.keySet().stream().filter(t -> t.startsWith("silver.") || t.equals("ops.quarantine")).toList();
        assertThat(silver).hasSize(13);
        for (String t : silver) {
            assertThat(compiled.get(t)).as(t).isEqualTo(interpreted.get(t));
        }
        // where every bronze row went, counted compiled
        Dataset<Row> lastRun = spark().read().format("delta").load(copy + "/ops/run_log").orderBy(col("ended_at").desc()).limit(1);
        assertRows("reconciliation", rowsOf(silverCounts(table("ops", "run_log"))), rowsOf(silverCounts(lastRun)));
    }

    /** The reconciliation of the runs in {@code runLog}: a row per bronze table (table_name, rows_in, quarantined, …). */
    private static Dataset<Row> silverCounts(Dataset<Row> runLog) {
        return runLog.selectExpr("explode(silver_counts) AS c").select("c.*");
    }

    private static Dataset<Row> table(String layer, String name) {
        return spark().read().format("delta").load(warehouse + "/" + layer + "/" + name);
    }

    @Test
    void everySilverTableHasItsColumnsWithComments() {
        for (Map.Entry<String, List<String>> e : REQUIRED.entrySet()) {
            Dataset<Row> df = table("silver", e.getKey());
            assertThat(List.of(df.columns())).as(e.getKey()).containsAll(e.getValue());
            for (StructField f : df.schema().fields()) {
                assertThat(f.getComment().isDefined()).as(e.getKey() + "." + f.name() + " has a comment").isTrue();
            }
            assertThat(df.count()).as(e.getKey() + " rows").isPositive();
        }
        List<Row> detail = spark().sql("DESCRIBE DETAIL delta.`" + warehouse + "/silver/fact_lead`").select("description").collectAsList();
        assertThat(detail.get(0).getString(0)).startsWith("One row per live Salesforce lead");
    }

    @Test
    void everyBronzeRowIsAccountedFor() {
        List<Row> counts = silverCounts(table("ops", "run_log")).collectAsList();
        assertThat(counts).hasSize(12);
        for (Row c : counts) {
            String t = c.getString(0);
            long in = c.getLong(1);
            assertThat(c.getLong(2) + c.getLong(3) + c.getLong(4) + c.getLong(5)).as(t).isEqualTo(in);
            assertThat(table("bronze", t).count()).as(t + " bronze rows").isEqualTo(in);
        }
        // versions superseded and deleted exist in generated data; the current leads are the rows of fact_lead
        Row lead = counts.stream().filter(c -> c.getString(0).equals("salesforce_lead")).findFirst().orElseThrow();
        assertThat(lead.getLong(3)).isPositive();
        assertThat(lead.getLong(4)).isPositive();
        assertThat(table("silver", "fact_lead").count()).isEqualTo(lead.getLong(5));
    }

    @Test
    void noSilverOrGoldColumnHoldsAnEmailOrAPhoneNumber() {
        Set<String> phones = new HashSet<>();
        for (Row r : table("bronze", "salesforce_lead").select(regexp_replace(col("Phone"), "[^0-9]", ""),
                regexp_replace(col("MobilePhone"), "[^0-9]", "")).collectAsList()) {
            for (int i = 0; i < 2; i++) {
                if (!r.isNullAt(i) && r.getString(i).length() >= 7) {
                    phones.add(r.getString(i));
                }
            }
        }
        assertThat(phones).isNotEmpty();
        // every string value of every silver and gold table as a (layer.table.column, value) row, checked in one pass
        List<Dataset<Row>> values = new java.util.ArrayList<>();
        List<String[]> tables = new java.util.ArrayList<>();
        REQUIRED.keySet().forEach(n -> tables.add(new String[]{"silver", n}));
        io.salespulse.gold.GoldBuild.TABLES.forEach(t -> tables.add(new String[]{"gold", t.name()}));
        for (String[] layerAndName : tables) {
            Dataset<Row> df = table(layerAndName[0], layerAndName[1]);
            List<Column> cells = new java.util.ArrayList<>();
            for (StructField f : df.schema().fields()) {
                if (f.dataType().simpleString().equals("string")) {
                    cells.add(struct(lit(layerAndName[0] + "." + layerAndName[1] + "." + f.name()).as("column"),
                            trim(lower(col(f.name()))).as("v")));
                }
            }
            if (!cells.isEmpty()) {
                values.add(df.select(explode(array(cells.toArray(Column[]::new))).as("c")).select("c.*"));
            }
        }
        Dataset<Row> all = io.salespulse.common.Frames.unionByName(values).where(col("v").isNotNull());
        assertThat(rowsOf(all.where(col("v").rlike("[^@\\s]+@[^@\\s]+")).select("column").distinct()))
                .as("columns holding an email").isEmpty();
        Dataset<Row> phoneNumbers = spark().createDataset(List.copyOf(phones), org.apache.spark.sql.Encoders.STRING()).toDF("phone");
        assertThat(rowsOf(all.join(broadcast(phoneNumbers), regexp_replace(col("v"), "[^0-9]", "").equalTo(col("phone")))
                .select("column").distinct())).as("columns holding a phone number").isEmpty();
    }
}
