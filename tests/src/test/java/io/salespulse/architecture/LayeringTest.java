package io.salespulse.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Layers only point down: every package of the main code has a rank, and a class may use only
 * packages of a lower rank (imports and fully qualified names alike). That rules out package
 * cycles and upward imports (gold → silver is fine, silver → gold is not). A new package must be
 * given its rank here, which is the moment to decide where it sits.
 */
class LayeringTest {

    /** Lowest first; packages on one line share a rank and may not use each other. */
    private static final List<List<String>> LAYERS = List.of(
            List.of("common"),
            List.of("ingest", "datagen", "catalog"),
            List.of("staging", "quality", "intermediate"),
            List.of("silver"),
            List.of("gate"),
            List.of("gold", "ops"),
            List.of("notify"),
            List.of("report"),
            List.of("cli"));

    private static final Pattern REFERENCE = Pattern.compile("io\\.salespulse\\.([a-z]+)\\.[A-Z]");

    @Test
    void everyPackageUsesOnlyLowerLayers() throws IOException {
        Map<String, Integer> rank = new LinkedHashMap<>();
        for (int i = 0; i < LAYERS.size(); i++) {
            for (String p : LAYERS.get(i)) {
                rank.put(p, i);
            }
        }
        Path home = Path.of(System.getProperty("salespulse.home", "."));
        List<String> violations = new ArrayList<>();
        TreeSet<String> seen = new TreeSet<>();
        int files = 0;
        for (Path src : List.of(home.resolve("common/src/main/java/io/salespulse"), home.resolve("jobs/src/main/java/io/salespulse"))) {
            try (Stream<Path> walk = Files.walk(src)) {
                for (Path f : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                    files++;
                    String pkg = src.relativize(f.getParent()).toString().replace('/', '.');
                    seen.add(pkg);
                    if (!rank.containsKey(pkg)) {
                        violations.add(pkg + ": package without a layer (add it to LayeringTest.LAYERS)");
                        continue;
                    }
                    Matcher m = REFERENCE.matcher(Files.readString(f));
                    while (m.find()) {
                        String used = m.group(1);
                        if (used.equals(pkg)) {
                            continue;
                        }
                        Integer usedRank = rank.get(used);
                        if (usedRank == null || usedRank >= rank.get(pkg)) {
                            violations.add(home.relativize(f) + " (" + pkg + ") uses " + used
                                    + (usedRank == null ? " (no layer)" : usedRank.equals(rank.get(pkg)) ? " (same layer)" : " (a higher layer)"));
                        }
                    }
                }
            }
        }
        assertThat(files).isGreaterThan(50);
        assertThat(seen).contains("common", "silver", "gold", "cli");
        assertThat(violations).isEmpty();
    }
}
