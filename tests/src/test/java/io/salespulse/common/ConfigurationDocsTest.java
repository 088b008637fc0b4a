package io.salespulse.common;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/configuration.md lists every declared key with its default: the page users read cannot drift from the code. */
class ConfigurationDocsTest {

    @Test
    void everyKeyIsDocumentedWithItsDefault() throws IOException {
        Path home = Path.of(System.getProperty("salespulse.home", "."));
        List<String> rows = Files.readAllLines(home.resolve("docs/configuration.md")).stream()
                .filter(l -> l.startsWith("| `")).toList();
        List<String> wrong = new ArrayList<>();
        for (ConfigKey key : SalespulseConfig.KEYS) {
            String documented = rows.stream().filter(r -> r.startsWith("| `" + key.name() + "` |")).findFirst().orElse(null);
            String expected = key.defaultValue().isEmpty() ? "blank" : "`" + key.defaultValue() + "`";
            if (documented == null) {
                wrong.add(key.name() + ": not documented");
            } else if (!documented.split(" \\| ")[1].equals(expected)) {
                wrong.add(key.name() + ": documented default " + documented.split(" \\| ")[1] + ", declared " + expected);
            }
        }
        assertThat(wrong).isEmpty();
    }
}
