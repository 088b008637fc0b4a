package io.salespulse.gold;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.salespulse.common.StageMetrics;
import io.salespulse.common.TableWriter;
import io.salespulse.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The published mark, read before every run's stages: from the log's statistics where they tell it. */
class HighWaterMarkTest extends SparkTestBase {

    private static List<JsonNode> stats(String... json) {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String s : json) {
            try {
                out.add(mapper.readTree(s));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    @Test
    void theGreatestDateIsTheLatestBoundOverTheFilesThatHoldOne() {
        // the later bound is in the first file; a file of only nulls and an empty file have none
        List<JsonNode> files = stats(
                "{\"numRecords\": 3, \"minValues\": {\"date\": \"2026-01-01\"}, \"maxValues\": {\"date\": \"2026-02-03\"}, \"nullCount\": {\"date\": 0}}",
                "{\"numRecords\": 2, \"minValues\": {\"date\": \"2026-01-05\"}, \"maxValues\": {\"date\": \"2026-01-30\"}, \"nullCount\": {\"date\": 0}}",
                "{\"numRecords\": 4, \"minValues\": {}, \"maxValues\": {}, \"nullCount\": {\"date\": 4}}",
                "{\"numRecords\": 0}");
        assertThat(TableWriter.dateBound(files, "date", false)).contains(Optional.of(LocalDate.of(2026, 2, 3)));
        // the least bound over the same files
        assertThat(TableWriter.dateBound(files, "date", true)).contains(Optional.of(LocalDate.of(2026, 1, 1)));
        // no file holds a value: the table has no mark
        assertThat(TableWriter.dateBound(stats("{\"numRecords\": 0}",
                "{\"numRecords\": 1, \"minValues\": {}, \"maxValues\": {}, \"nullCount\": {\"date\": 1}}"), "date", false))
                .contains(Optional.empty());
        // a file with values but no bound for the column (past Delta's first 32 columns): the rows must be read
        assertThat(TableWriter.dateBound(stats(
                "{\"numRecords\": 2, \"minValues\": {\"date\": \"2026-01-01\"}, \"maxValues\": {\"date\": \"2026-01-02\"}, \"nullCount\": {\"date\": 0}}",
                "{\"numRecords\": 5, \"minValues\": {}, \"maxValues\": {}, \"nullCount\": {}}"), "date", false))
                .isEmpty();
        // statistics without a row count, or a bound that is not a date: the rows must be read too
        assertThat(TableWriter.dateBound(stats("{\"minValues\": {}, \"maxValues\": {}, \"nullCount\": {}}"), "date", false)).isEmpty();
        assertThat(TableWriter.dateBound(stats(
                "{\"numRecords\": 1, \"maxValues\": {\"date\": \"2026-01-02T00:00:00.000Z\"}, \"nullCount\": {\"date\": 0}}"), "date", false))
                .isEmpty();
    }

    @Test
    void theMarkOfSmallTablesIsReadWithoutASparkJobAndEqualsTheirRows() {
        String root = workDir("high-water-mark").toString();
        TableWriter writer = new TableWriter(spark(), root, "test-run");
        assertThat(HighWaterMark.read(writer)).isNull();
        // silver's calendar ends on Feb 2 (two files), gold's KPIs on Feb 4 (the later one wins)
        writer.append("silver", "dim_date", spark().sql("SELECT DATE'2026-02-01' AS date UNION ALL SELECT DATE'2026-01-31'"), List.of());
        writer.append("silver", "dim_date", spark().sql("SELECT DATE'2026-02-02' AS date"), List.of());
        writer.append("gold", "kpi_daily", spark().sql("SELECT DATE'2026-02-04' AS kpi_date, 3L AS leads_created"), List.of());
        try (StageMetrics metrics = StageMetrics.attach(spark().sparkContext())) {
            assertThat(metrics.time("mark", () -> HighWaterMark.read(writer))).isEqualTo(LocalDate.of(2026, 2, 4));
            assertThat(metrics.snapshot().get("mark").jobs()).isZero();
        }
        // without the checksum files (another writer may not write them) Spark reads the same mark
        for (String table : List.of("silver/dim_date", "gold/kpi_daily")) {
            deleteChecksums(java.nio.file.Path.of(root, table));
        }
        assertThat(HighWaterMark.read(new TableWriter(spark(), root, "another-run"))).isEqualTo(LocalDate.of(2026, 2, 4));
    }
}
