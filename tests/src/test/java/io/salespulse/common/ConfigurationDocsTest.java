package io.salespulse.common;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** docs/configuration.md's key table is generated from the declarations: the page users read cannot drift from the code. */
class ConfigurationDocsTest {

    @Test
    void theCommittedKeyTableIsTheOneTheDeclarationsGenerate() throws IOException {
        Path page = Path.of(System.getProperty("salespulse.home", ".."), "docs", "configuration.md");
        String committed = Files.readString(page);
        assertThat(committed)
                .as("docs/configuration.md is stale: run bin/salespulse config-docs --out docs/configuration.md")
                .isEqualTo(ConfigurationDocs.update(committed));
        // the prose around the table is kept, and every key is in the table with its default and kind
        assertThat(committed).startsWith("# Configuration").contains("## Secrets")
                .contains("| `alerts.smtp.port` | `587` | whole number | ")
                .contains("| `kpi.start_date` | blank | date (YYYY-MM-DD) or blank | ");
        for (ConfigKey key : SalespulseConfig.KEYS) {
            assertThat(committed).contains("| `" + key.name() + "` | ");
        }
    }

    @Test
    void aPageWithoutTheMarkersIsRefusedRatherThanOverwritten() {
        assertThatThrownBy(() -> ConfigurationDocs.update("# Configuration\n\nhand-written\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("markers");
    }
}
