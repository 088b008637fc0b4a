package io.salespulse.quality;

import io.salespulse.silver.Dimensions;
import io.salespulse.silver.FactOpportunity;
import io.salespulse.common.TableSpec;
import io.salespulse.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The quality checks on tiny hand-made frames, each with the count worked out by hand. */
class QualityChecksTest extends SparkTestBase {

    private static Dataset<Row> values(String columns, String values) {
        return spark().sql("SELECT * FROM VALUES " + values + " AS t(" + columns + ")");
    }

    private static CheckResult find(List<CheckResult> results, String check) {
        return results.stream().filter(r -> r.check().equals(check)).findFirst().orElseThrow();
    }

    @Test
    void keysCountSurplusDuplicatesNullKeysAndMissingRequiredColumns() {
        // O1 twice (1 surplus), one null key, O3 without a close date
        Dataset<Row> opps = values("opportunity_id, created_date, close_date",
                "('O1', DATE'2026-03-01', DATE'2026-03-09'), ('O1', DATE'2026-03-01', DATE'2026-03-09'), "
                        + "(CAST(NULL AS STRING), DATE'2026-03-01', DATE'2026-03-09'), ('O3', DATE'2026-03-02', CAST(NULL AS DATE))");
        QualityChecks.Profile p = QualityChecks.keys("silver", FactOpportunity.TABLE, opps);
        assertThat(p.rows()).isEqualTo(4);
        CheckResult unique = find(p.checks(), "primary_key_unique");
        assertThat(unique.passed()).isFalse();
        assertThat(unique.observed()).isEqualTo(1);
        assertThat(unique.blocking()).isTrue();
        assertThat(find(p.checks(), "key_not_null").observed()).isEqualTo(1);
        List<CheckResult> required = p.checks().stream().filter(r -> r.check().equals("required_not_null")).toList();
        assertThat(required).extracting(CheckResult::observed).containsExactly(0L, 1L); // created_date, close_date
    }

    @Test
    void foreignKeysDeclaredOnTheTableSpecCountOrphansAndIgnoreNullReferences() {
        TableSpec reps = Dimensions.SALES_REP;
        TableSpec stages = new TableSpec("stage", "test", new org.apache.spark.sql.types.StructType()
                .add("history_id", "string").add("opportunity_id", "string"), List.of("history_id"))
                .referencing("opportunity_id", FactOpportunity.TABLE, "opportunity_id");
        TableSpec opportunities = new TableSpec(FactOpportunity.TABLE.name(), "test", new org.apache.spark.sql.types.StructType()
                .add("opportunity_id", "string").add("owner_id", "string"), List.of("opportunity_id"))
                .expecting("owner_id", reps, "owner_id");
        Dataset<Row> parent = values("owner_id", "('U1'), ('U2')");
        // U9 twice is two orphan rows; a null owner is not an orphan
        Dataset<Row> child = values("opportunity_id, owner_id", "('O1', 'U1'), ('O2', 'U9'), ('O3', 'U9'), ('O4', CAST(NULL AS STRING))");
        // H2's opportunity O7 does not exist: one orphan of a blocking key
        Dataset<Row> history = values("history_id, opportunity_id", "('H1', 'O1'), ('H2', 'O7')");
        Map<TableSpec, Dataset<Row>> tables = new java.util.LinkedHashMap<>();
        tables.put(reps, parent);
        tables.put(opportunities, child);
        tables.put(stages, history);
        List<CheckResult> r = QualityChecks.foreignKeys("silver", tables);
        assertThat(r).hasSize(2);
        assertThat(r.get(0)).satisfies(c -> {
            assertThat(c.tableName()).isEqualTo("fact_opportunity");
            assertThat(c.observed()).isEqualTo(2);
            assertThat(c.passed()).isFalse();
            assertThat(c.blocking()).isFalse();
            assertThat(c.detail()).isEqualTo("2 rows whose owner_id is not a dim_sales_rep.owner_id");
        });
        assertThat(r.get(1)).satisfies(c -> {
            assertThat(c.tableName()).isEqualTo("stage");
            assertThat(c.observed()).isEqualTo(1);
            assertThat(c.blocking()).isTrue();
        });
    }

    @Test
    void aTableSpecNamingAColumnItDoesNotHaveIsRefused() {
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType().add("id", "string");
        TableSpec t = new TableSpec("t", "test", schema, List.of("id"));
        assertThatThrownBy(() -> t.requiring("created_date")).hasMessage("t: created_date is not one of its columns");
        assertThatThrownBy(() -> t.expecting("owner_id", Dimensions.SALES_REP, "owner_id"))
                .hasMessage("t: owner_id is not one of its columns");
        assertThatThrownBy(() -> new TableSpec("t", "test", schema, List.of("key"))).hasMessage("t: key is not one of its columns");
    }

    @Test
    void aForeignKeyToATableNotCheckedIsADefectNotAPass() {
        Map<TableSpec, Dataset<Row>> tables = Map.of(FactOpportunity.TABLE, values("opportunity_id, owner_id, account_id", "('O1', 'U1', 'A1')"));
        assertThatThrownBy(() -> QualityChecks.foreignKeys("silver", tables))
                .hasMessageContaining("fact_opportunity.owner_id points at dim_sales_rep, which is not among the tables checked");
    }

    @Test
    void volumeIsJudgedAgainstTheTrailingMeanOnlyWithEnoughHistory() {
        StringBuilder rows = new StringBuilder();
        // salesforce_lead: 10 trailing days of 100 rows, today 600 (> 5 × 100: anomalous)
        // salesforce_contact: 10 trailing days of 100 rows, today 450 (within ×5)
        // salesforce_order: 3 trailing days only: not judged
        for (int d = 1; d <= 10; d++) {
            String date = LocalDate.of(2026, 3, 10).minusDays(d).toString();
            rows.append("('salesforce_lead', DATE'").append(date).append("', 'incremental', 'loaded', 100L), ");
            rows.append("('salesforce_contact', DATE'").append(date).append("', 'incremental', 'loaded', 100L), ");
            if (d <= 3) {
                rows.append("('salesforce_order', DATE'").append(date).append("', 'incremental', 'loaded', 100L), ");
            }
        }
        rows.append("('salesforce_lead', DATE'2026-03-10', 'incremental', 'loaded', 600L), ");
        rows.append("('salesforce_contact', DATE'2026-03-10', 'incremental', 'loaded', 450L), ");
        rows.append("('salesforce_order', DATE'2026-03-10', 'incremental', 'loaded', 9000L)");
        Dataset<Row> ledger = values("table_name, snapshot_date, mode, status, rows_loaded", rows.toString());
        List<CheckResult> r = QualityChecks.volume(ledger, LocalDate.of(2026, 3, 10), 5);
        assertThat(r).extracting(CheckResult::tableName, CheckResult::passed, CheckResult::observed)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("salesforce_contact", true, 450L),
                        org.assertj.core.groups.Tuple.tuple("salesforce_lead", false, 600L));
        assertThat(r).allMatch(c -> !c.blocking());
    }

    @Test
    void freshnessNamesEveryObjectWithoutASnapshotOfTheDay() {
        Dataset<Row> ledger = values("table_name, snapshot_date, status",
                "('salesforce_lead', DATE'2026-03-10', 'loaded'), ('salesforce_contact', DATE'2026-03-09', 'loaded'), "
                        + "('salesforce_order', DATE'2026-03-10', 'rejected')");
        List<CheckResult> r = QualityChecks.freshness(ledger, LocalDate.of(2026, 3, 10));
        assertThat(r).hasSize(io.salespulse.ingest.SourceObject.values().length);
        assertThat(r.stream().filter(CheckResult::passed).map(CheckResult::tableName)).containsExactly("salesforce_lead");
    }
}
