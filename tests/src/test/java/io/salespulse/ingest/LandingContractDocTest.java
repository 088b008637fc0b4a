package io.salespulse.ingest;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/landing.md, the contract extractors follow, names every object and exactly the columns the code requires. */
class LandingContractDocTest {

    private static final List<String> ALWAYS = List.of("Id", "IsDeleted", "CreatedDate", "SystemModstamp");

    @Test
    void everyObjectIsDocumentedWithItsRequiredColumns() throws IOException {
        Path home = Path.of(System.getProperty("salespulse.home", "."));
        List<String> rows = Files.readAllLines(home.resolve("docs/landing.md")).stream().filter(l -> l.startsWith("| `")).toList();
        List<String> wrong = new ArrayList<>();
        for (SourceObject o : SourceObject.values()) {
            String row = rows.stream().filter(r -> r.startsWith("| `" + o.landingDir() + "` |")).findFirst().orElse(null);
            if (row == null) {
                wrong.add(o.landingDir() + ": not documented");
                continue;
            }
            String[] cells = row.split("\\|");
            List<String> documented = Arrays.stream(cells[3].split(",")).map(String::trim).toList();
            List<String> required = o.requiredColumns().stream().filter(c -> !ALWAYS.contains(c)).toList();
            if (!cells[2].trim().equals("`" + o.bronzeTable() + "`") || !documented.equals(required)) {
                wrong.add(o.landingDir() + ": documented " + cells[2].trim() + " " + documented + ", code " + o.bronzeTable()
                        + " " + required);
            }
        }
        assertThat(wrong).isEmpty();
    }
}
