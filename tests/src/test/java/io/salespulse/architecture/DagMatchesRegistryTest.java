package io.salespulse.architecture;

import io.salespulse.common.TableSpec;
import io.salespulse.gold.GoldBuild;
import io.salespulse.ingest.SourceObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Airflow DAG's copies of the source objects and gold tables are the Java registries' lists. */
class DagMatchesRegistryTest {

    private static String dag() throws IOException {
        return Files.readString(Path.of(System.getProperty("salespulse.home", ".")).resolve("airflow/dags/salespulse_daily.py"));
    }

    @Test
    void theSensorWaitsForEverySourceObject() throws IOException {
        Matcher m = Pattern.compile("SOURCES = \\(\\s*((?:\"[^\"]*\"\\s*)+)\\)").matcher(dag());
        assertThat(m.find()).as("SOURCES in the DAG").isTrue();
        List<String> sources = Arrays.stream(m.group(1).replaceAll("\"\\s*\"", "").replace("\"", "").trim().split(","))
                .map(String::trim).toList();
        assertThat(sources).containsExactlyElementsOf(Arrays.stream(SourceObject.values()).map(SourceObject::landingDir).toList());
    }

    @Test
    void theGoldAssetsAreTheGoldTables() throws IOException {
        Matcher m = Pattern.compile("GOLD_TABLES = \\(([^)]*)\\)").matcher(dag());
        assertThat(m.find()).as("GOLD_TABLES in the DAG").isTrue();
        List<String> tables = Arrays.stream(m.group(1).split(",")).map(s -> s.trim().replace("\"", "")).filter(s -> !s.isEmpty()).toList();
        assertThat(tables).containsExactlyElementsOf(GoldBuild.TABLES.stream().map(TableSpec::name).toList());
    }
}
