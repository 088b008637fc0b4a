package io.salespulse.testing;

import java.nio.file.Path;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated landing and the warehouse of one catch-up run over it, made once per test JVM and
 * shared by the end-to-end classes that read them (silver and gold): 70 days of the demo company
 * at scale 0.02, seed 21, no malformed rows (so the landing can be recomputed independently row by
 * row), run for its last day. Long enough for orders to follow the first won deals. Classes that
 * write to a warehouse work on a copy ({@link #copy}); nobody writes to the landing.
 */
public final class ReferenceWarehouse {

    public static final LocalDate START = LocalDate.parse("2026-01-01");
    public static final int DAYS = 70;
    public static final LocalDate RUN_DATE = START.plusDays(DAYS - 1);

    private static ReferenceWarehouse instance;

    private final String landing;
    private final String warehouse;
    private final String runOutput;

    private ReferenceWarehouse(String landing, String warehouse, String runOutput) {
        this.landing = landing;
        this.warehouse = warehouse;
        this.runOutput = runOutput;
    }

    public static synchronized ReferenceWarehouse get() {
        if (instance == null) {
            Path dir = SparkTestBase.workDir("reference");
            String landing = dir.resolve("landing").toString();
            String warehouse = dir.resolve("warehouse").toString();
            assertThat(Cli.run("datagen", "--out", landing, "--start", START.toString(), "--days", String.valueOf(DAYS),
                    "--scale", "0.02", "--seed", "21", "--malformed-rate", "0").code()).isEqualTo(0);
            Cli.Result r = Cli.run("run", "--date", RUN_DATE.toString(), "--landing", landing, "--warehouse", warehouse);
            assertThat(r.code()).as(r.err()).isEqualTo(0);
            instance = new ReferenceWarehouse(landing, warehouse, r.out());
        }
        return instance;
    }

    public String landing() {
        return landing;
    }

    /** The warehouse as the run left it: read it, never write to it. */
    public String warehouse() {
        return warehouse;
    }

    /** What the catch-up run printed. */
    public String runOutput() {
        return runOutput;
    }

    /** A copy of the warehouse, for a test that runs again or changes it. */
    public String copy(String name) {
        Path to = SparkTestBase.workDir(name).resolve("warehouse");
        SparkTestBase.copyTree(Path.of(warehouse), to);
        return to.toString();
    }
}
