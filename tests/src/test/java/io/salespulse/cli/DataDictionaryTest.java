package io.salespulse.cli;

import io.salespulse.common.TableSpec;
import io.salespulse.gold.GoldBuild;
import io.salespulse.silver.SilverBuild;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DataDictionaryTest {

    @Test
    void committedDictionaryMatchesTheTableDeclarations() throws IOException {
        Path committed = Path.of(System.getProperty("salespulse.home", ".."), "docs", "data-dictionary.md");
        assertThat(Files.readString(committed))
                .as("docs/data-dictionary.md is stale: run bin/salespulse dictionary --out docs/data-dictionary.md")
                .isEqualTo(DataDictionary.markdown());
        assertThat(DataDictionary.markdown()).contains("### `silver.fact_lead`").contains("### `gold.kpi_daily`")
                .contains("### `gold.kpi_cohort_clv`").contains("### `ops.silver_state`");
    }

    @Test
    void everySilverAndGoldColumnHasAComment() {
        for (TableSpec t : java.util.stream.Stream.concat(SilverBuild.TABLES.stream(), GoldBuild.TABLES.stream()).toList()) {
            assertThat(t.comment()).isNotBlank();
            for (var f : t.schema().fields()) {
                assertThat(f.getComment().isDefined()).as(t.name() + "." + f.name()).isTrue();
            }
        }
    }
}
