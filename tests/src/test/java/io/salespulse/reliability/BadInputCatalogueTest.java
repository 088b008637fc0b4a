package io.salespulse.reliability;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/bad-input.md and the tests match one to one: every case names a test that exists, once. */
class BadInputCatalogueTest {

    private static final Pattern TEST_CELL = Pattern.compile("`(\\w+)#(\\w+)`\\s*\\|\\s*$");

    @Test
    void everyCatalogueRowNamesOneExistingTestAndEveryCatalogueTestIsListed() throws IOException, ClassNotFoundException {
        Path doc = Path.of(System.getProperty("salespulse.home", ".")).resolve("docs/bad-input.md");
        List<String> named = new ArrayList<>();
        for (String line : Files.readAllLines(doc)) {
            Matcher m = TEST_CELL.matcher(line);
            if (line.startsWith("| ") && m.find()) {
                named.add(m.group(1) + "#" + m.group(2));
            }
        }
        assertThat(named).hasSizeGreaterThanOrEqualTo(18).doesNotHaveDuplicates();
        for (String ref : named) {
            String[] parts = ref.split("#");
            Class<?> type = Class.forName(packageOf(parts[0]) + "." + parts[0]);
            assertThat(List.of(type.getDeclaredMethods()).stream().map(Method::getName))
                    .as(ref).contains(parts[1]);
        }
        // the catalogue's own test classes hold nothing the document does not list
        Set<String> listed = new HashSet<>(named);
        for (Class<?> type : List.of(BadInputIngestTest.class, BadInputSilverTest.class)) {
            for (Method m : type.getDeclaredMethods()) {
                if (m.isAnnotationPresent(Test.class) && !m.getName().equals("theRunSucceedsDespiteTheBadRows")) {
                    assertThat(listed).as("docs/bad-input.md lists " + m.getName()).contains(type.getSimpleName() + "#" + m.getName());
                }
            }
        }
    }

    private static String packageOf(String simpleName) {
        return simpleName.startsWith("BronzeIngest") ? "io.salespulse.ingest" : "io.salespulse.reliability";
    }
}
