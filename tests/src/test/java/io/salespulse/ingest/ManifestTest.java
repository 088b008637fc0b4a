package io.salespulse.ingest;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestTest {

    @Test
    void parsesTheContractExample() {
        Manifest m = Manifest.parse("""
                {"source": "salesforce", "object": "Lead", "mode": "incremental",
                 "extracted_at": "2026-03-02T01:15:00Z", "format": "csv",
                 "files": [{"name": "part-00000.csv.gz", "records": 1523}], "records": 1523}""");
        assertThat(m.mode()).isEqualTo("incremental");
        assertThat(m.isFull()).isFalse();
        assertThat(m.files()).containsExactly(new Manifest.FileEntry("part-00000.csv.gz", 1523));
        assertThat(m.records()).isEqualTo(1523);
        assertThat(m.fingerprint()).hasSize(64);
    }

    @Test
    void rejectsWhatCannotBeTrusted() {
        assertThatThrownBy(() -> Manifest.parse("{not json")).hasMessage("manifest is not valid JSON");
        assertThatThrownBy(() -> Manifest.parse("{\"mode\": \"delta\", \"files\": [], \"records\": 0}"))
                .hasMessage("manifest mode must be 'full' or 'incremental', got 'delta'");
        assertThatThrownBy(() -> Manifest.parse("{\"mode\": \"full\", \"records\": 0}")).hasMessage("manifest has no 'files' list");
        assertThatThrownBy(() -> Manifest.parse(
                "{\"mode\": \"full\", \"files\": [{\"name\": \"a.csv\", \"records\": 2}], \"records\": 3}"))
                .hasMessage("manifest records (3) differ from the sum of its files (2)");
        assertThatThrownBy(() -> Manifest.parse(
                "{\"mode\": \"full\", \"files\": [{\"name\": \"../x.csv\", \"records\": 2}], \"records\": 2}"))
                .hasMessage("manifest file entry has no valid 'name'");
        assertThatThrownBy(() -> Manifest.parse(
                "{\"mode\": \"full\", \"files\": [{\"name\": \"a.csv\", \"records\": -1}], \"records\": -1}"))
                .hasMessage("file a.csv has no valid 'records' count");
    }

    @Test
    void csvHeaderFollowsRfc4180() {
        assertThat(CsvHeader.split("Id,\"Name, full\",\"Say \"\"hi\"\"\", Email ")).isEqualTo(
                List.of("Id", "Name, full", "Say \"hi\"", "Email"));
    }

    @Test
    void bronzeTableNamesAreSnakeCase() {
        assertThat(SourceObject.OPPORTUNITY_HISTORY.bronzeTable()).isEqualTo("salesforce_opportunity_history");
        assertThat(SourceObject.DATED_CONVERSION_RATE.bronzeTable()).isEqualTo("salesforce_dated_conversion_rate");
        assertThat(SourceObject.PRODUCT.bronzeTable()).isEqualTo("salesforce_product2");
        assertThat(SourceObject.SEGMENT_EVENTS.bronzeTable()).isEqualTo("segment_events");
        assertThat(SourceObject.LEAD.requiredColumns()).startsWith("Id", "IsDeleted", "CreatedDate", "SystemModstamp")
                .contains("Email", "IsConverted");
    }
}
