package io.salespulse.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A mistake in the configuration stops a run when it is loaded, naming the key. */
class ConfigurationCheckTest {

    @Test
    void aMisspelledKeyIsRejectedWithTheNearestName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("salespulse.properties");
        Files.writeString(file, "warehouse.root=/tmp/w\nsql.expose_bronz=true\nspark.sql.shuffle.partitions=8\n");
        assertThatThrownBy(() -> SalespulseConfig.load(file, Map.of(), Map.of()))
                .isInstanceOf(SalespulseConfig.Invalid.class)
                .hasMessage("unknown setting 'sql.expose_bronz' in " + file + " (did you mean 'sql.expose_bronze'?)");
    }

    @Test
    void valuesOfTheWrongKindAreRejected() {
        assertThatThrownBy(() -> SalespulseConfig.load(null, Map.of(), Map.of("sql.expose_bronze", "yes")))
                .hasMessage("sql.expose_bronze must be true or false, got 'yes'");
        assertThatThrownBy(() -> SalespulseConfig.load(null, Map.of("SALESPULSE_KPI_START_DATE", "2026-13-01"), Map.of()))
                .hasMessage("kpi.start_date must be a date (YYYY-MM-DD) or blank, got '2026-13-01'");
        assertThatThrownBy(() -> SalespulseConfig.load(null, Map.of(), Map.of("reporting.timezone", "Europe/Warsow")))
                .hasMessageStartingWith("reporting.timezone must be a time zone id");
        assertThatThrownBy(() -> SalespulseConfig.load(null, Map.of(), Map.of("run.lock_wait_seconds", "-1")))
                .hasMessage("run.lock_wait_seconds must be a whole number, got '-1'");
    }

    @Test
    void sparkKeysAndGoodValuesPass() {
        SalespulseConfig c = SalespulseConfig.load(null, Map.of(), Map.of("spark.anything.at.all", "x",
                "sql.expose_bronze", "TRUE", "reporting.currency", "EUR", "kpi.start_date", ""));
        assertThat(c.getBoolean(SalespulseConfig.SQL_EXPOSE_BRONZE)).isTrue();
        assertThat(c.sparkSettings()).containsEntry("spark.anything.at.all", "x");
    }
}
