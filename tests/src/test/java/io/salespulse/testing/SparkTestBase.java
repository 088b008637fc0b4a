package io.salespulse.testing;

import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.SparkSessions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * One SparkSession for the whole test JVM ({@code local[2]}, UI off, the product's local-mode
 * settings: one shuffle partition, small scans in one task, interpreted expressions; Delta on), as
 * in Apache Iceberg's TestBase, with order-insensitive row assertions.
 */
public abstract class SparkTestBase {

    private static SparkSession spark;

    protected static synchronized SparkSession spark() {
        if (spark == null) {
            SalespulseConfig config = SalespulseConfig.defaults().with(Map.of(
                    "spark.default.parallelism", "2",
                    "spark.ui.enabled", "false",
                    "spark.sql.warehouse.dir", workDir("spark-warehouse").toUri().toString())).with(SparkSessions.SMALL_DATA);
            spark = SparkSessions.create("salespulse-tests", config);
        }
        return spark;
    }

    private static Path base;

    /**
     * Where tests write: a temporary folder per test JVM, removed when the JVM exits, so a test
     * run leaves nothing in the source tree. {@code -Dsalespulse.test.dir=DIR} keeps the output
     * in DIR instead, for looking at it after a failure.
     */
    private static synchronized Path base() throws IOException {
        if (base == null) {
            String kept = System.getProperty("salespulse.test.dir", "");
            if (!kept.isBlank()) {
                base = Path.of(kept).toAbsolutePath();
            } else {
                Path temp = Files.createTempDirectory("salespulse-tests-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(temp)));
                base = temp;
            }
        }
        return base;
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("salespulse tests: could not remove " + dir + ": " + e.getMessage());
        }
    }

    /** Deletes a Delta table's checksum files ({@code _delta_log/*.crc}), as a writer that keeps none would leave it. */
    public static void deleteChecksums(Path table) {
        try (java.util.stream.Stream<Path> files = Files.list(table.resolve("_delta_log"))) {
            for (Path crc : files.filter(f -> f.getFileName().toString().endsWith(".crc")).toList()) {
                Files.delete(crc);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh directory for one test, under the test JVM's work folder. */
    public static Path workDir(String name) {
        try {
            Path dir = base().resolve(name + "-" + System.nanoTime());
            Files.createDirectories(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a directory tree (a warehouse, to run two histories from one state). */
    public static void copyTree(Path from, Path to) {
        try (java.util.stream.Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.sorted(java.util.Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static List<Object[]> sql(String query, Object... args) {
        return rowsOf(spark().sql(String.format(query, args)));
    }

    protected static List<Object[]> rowsOf(Dataset<Row> df) {
        List<Object[]> out = new ArrayList<>();
        for (Row r : df.collectAsList()) {
            Object[] values = new Object[r.size()];
            for (int i = 0; i < r.size(); i++) {
                values[i] = r.get(i);
            }
            out.add(values);
        }
        return out;
    }

    /**
     * Each data file of the Delta table at {@code path}, first by its least {@code column}: the
     * file, its least and greatest {@code column}, its rows.
     */
    protected static List<Row> fileBounds(String path, String column) {
        return spark().read().format("delta").load(path)
                .groupBy(org.apache.spark.sql.functions.input_file_name().as("file"))
                .agg(org.apache.spark.sql.functions.min(column).as("least"), org.apache.spark.sql.functions.max(column).as("greatest"),
                        org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)).as("rows"))
                .orderBy("least").collectAsList();
    }

    protected static Object[] row(Object... values) {
        return values;
    }

    /**
     * Same rows in any order, each value of the same type too: {@code 1} is not {@code 1L}, a date
     * is not the text of a date, {@code 1.0} is not {@code 1.00} (BigDecimal keeps its scale). On
     * failure the message lists what is missing and what is extra, each value with its type.
     */
    protected static void assertRows(String what, List<Object[]> expected, List<Object[]> actual) {
        List<String> exp = expected.stream().map(SparkTestBase::typed).sorted().collect(Collectors.toList());
        List<String> act = actual.stream().map(SparkTestBase::typed).sorted().collect(Collectors.toList());
        if (!exp.equals(act)) {
            List<String> missing = new ArrayList<>(exp);
            act.forEach(missing::remove);
            List<String> extra = new ArrayList<>(act);
            exp.forEach(extra::remove);
            fail(what + ": rows differ%n  missing: %s%n  unexpected: %s", missing, extra);
        }
        assertThat(act).hasSameSizeAs(exp);
    }

    /** A row as text with every value's type: {@code [2026-03-01 (Date), 2 (Long), null]}. */
    static String typed(Object[] row) {
        List<String> cells = new ArrayList<>();
        for (Object v : row) {
            cells.add(v == null ? "null" : v instanceof Object[] nested ? typed(nested)
                    : v + " (" + v.getClass().getSimpleName() + ")");
        }
        return cells.toString();
    }
}
