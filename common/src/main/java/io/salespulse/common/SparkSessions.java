package io.salespulse.common;

import org.apache.spark.sql.SparkSession;

import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Builds the one SparkSession a job uses. The same code runs under spark-submit on a cluster
 * (master and resources come from spark-submit) and in local mode from the CLI.
 */
public final class SparkSessions {

    private SparkSessions() {
    }

    /**
     * Settings for local mode (a laptop, CI, the demo): Spark interprets expressions instead of
     * compiling Java for every query, and plans each query once instead of re-planning it stage by
     * stage (adaptive execution turns every shuffle into its own job). On a 2-core machine both
     * cost more than they save: a nightly run at scale 0.01 took 127 s with Spark's defaults and
     * 81 s with these (docs/performance.md). Files are listed on the driver however many a read
     * names: Spark's default lists more than 32 paths with a Spark job, ~1.4 s per object of a
     * catch-up for what the driver does in a fraction of that on a local disk or a nearby S3. Delta's
     * VACUUM lists a table's folders in a Spark job of Spark's default 10,000 tasks: ~30 s a table
     * on 2 cores however small it is (forget --purge, maintain), a few tasks do it in a second.
     * Delta copies a MERGE's source before reading it twice (matches, then the write) unless the
     * source reads only Delta tables, so that rows recomputed between the passes cannot differ; every
     * source here is rows already held (pinned: in local mode they cannot be lost and recomputed),
     * rows from the driver or a plan over a Delta snapshot, so the copy is only a Spark job and the
     * rows held twice, for each of a run's MERGEs (then ~20 a nightly run; a nightly run at scale
     * 0.01: 0.93 of the time without it). A table of few files is read from the files its checksum
     * lists, without Delta's planning job per query ({@link TableWriter#READ_LISTED_FILES}). A task
     * reads its SQL settings once instead of once per row and column ({@link TaskSqlConf}). A scan
     * of files smaller than a split (128 MB) is one task, as a shuffle is (one shuffle partition by
     * default): a run's steps go side by side, so its many small queries each in one task leave the
     * other core to the step beside them, and every task more deserialises the query's whole plan
     * (a nightly run at scale 0.01: 0.97 of the time, 0.95 of the CPU; docs/performance.md, "One
     * task for a small step"). A cluster keeps Spark's and Delta's defaults; any of them can be set
     * explicitly in the configuration file.
     */
    public static final Map<String, String> SMALL_DATA = Map.of(
            "spark.sql.codegen.wholeStage", "false",
            "spark.sql.codegen.factoryMode", "NO_CODEGEN",
            "spark.sql.adaptive.enabled", "false",
            "spark.sql.sources.parallelPartitionDiscovery.threshold", "100000",
            "spark.sql.sources.parallelPartitionDiscovery.parallelism", "4",
            "spark.databricks.delta.merge.materializeSource", "none",
            TableWriter.READ_LISTED_FILES, "true",
            "spark.sql.files.minPartitionNum", "1",
            "spark.plugins", TaskSqlConf.class.getName());

    /**
     * Set (to {@value #AUTO}) when a local session interprets expressions by {@link #SMALL_DATA}:
     * only then may a step compile.
     */
    static final String CODEGEN_MODE = "spark.salespulse.codegen";
    static final String AUTO = "auto";

    private static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
    private static final String FACTORY_MODE = "spark.sql.codegen.factoryMode";
    private static final String SHUFFLE_PARTITIONS = SalespulseConfig.SHUFFLE_PARTITIONS.name();

    /**
     * Runs {@code work} with Spark's code generation when {@code large} and the session interprets
     * only by the local-mode default: compiling a query costs a fraction of a second, which a step
     * over hundreds of thousands of rows earns back several times (the nightly MERGE of 634 k
     * activity rows at scale 0.1: 10.4 s interpreted, 3.9 s compiled), while the many small queries
     * of a run stay interpreted. Its shuffles then have at least a partition per core (the session's
     * default is one, for small steps; a larger setting is kept). Settings chosen in the
     * configuration for code generation are left alone.
     *
     * <p>Steps run side by side on one session ({@link SideBySide}), and the settings are the
     * session's: the first large step to start switches them, the last to end restores them, and a
     * small step running meanwhile is compiled too (the same rows either way).
     */
    public static <T> T compiledWhen(SparkSession spark, boolean large, Supplier<T> work) {
        if (!large || !startCompiling(spark)) {
            return work.get();
        }
        try {
            return work.get();
        } finally {
            stopCompiling(spark);
        }
    }

    /** Per session compiling a step: the settings it had before the first, and the steps still running. */
    private record Compiling(String wholeStage, String factoryMode, String shufflePartitions, int steps) {
        Compiling withSteps(int n) {
            return new Compiling(wholeStage, factoryMode, shufflePartitions, n);
        }
    }

    private static final Map<SparkSession, Compiling> COMPILING = new java.util.IdentityHashMap<>();

    /** @return whether the step runs compiled (and must call {@link #stopCompiling}) */
    private static boolean startCompiling(SparkSession spark) {
        synchronized (COMPILING) {
            Compiling c = COMPILING.get(spark);
            if (c == null) {
                if (!interpretsByDefault(spark)) {
                    return false;
                }
                c = new Compiling(spark.conf().get(WHOLE_STAGE), spark.conf().get(FACTORY_MODE), spark.conf().get(SHUFFLE_PARTITIONS), 0);
                spark.conf().set(WHOLE_STAGE, "true");
                spark.conf().set(FACTORY_MODE, "FALLBACK");
                // a large step's shuffles on every core: a small one's single task would hold millions of rows
                int cores = spark.sparkContext().defaultParallelism();
                if (Integer.parseInt(c.shufflePartitions()) < cores) {
                    spark.conf().set(SHUFFLE_PARTITIONS, Integer.toString(cores));
                }
            }
            COMPILING.put(spark, c.withSteps(c.steps() + 1));
            return true;
        }
    }

    private static void stopCompiling(SparkSession spark) {
        synchronized (COMPILING) {
            Compiling c = COMPILING.remove(spark);
            if (c.steps() > 1) {
                COMPILING.put(spark, c.withSteps(c.steps() - 1));
            } else {
                spark.conf().set(WHOLE_STAGE, c.wholeStage());
                spark.conf().set(FACTORY_MODE, c.factoryMode());
                spark.conf().set(SHUFFLE_PARTITIONS, c.shufflePartitions());
            }
        }
    }

    /**
     * The rows {@code layer.table} holds, when a step over it is to be compiled ({@link #compiledWhen}):
     * at least {@code minRows} of them, in a session that interprets by default. Counted from the
     * table's log, and only where the session could compile (on a cluster the count would be wasted);
     * empty otherwise, and before the table exists.
     */
    public static OptionalLong rowsToCompile(TableWriter writer, String layer, String table, long minRows) {
        if (!interpretsByDefault(writer.spark()) || !writer.exists(layer, table)) {
            return OptionalLong.empty();
        }
        long rows = writer.storedRows(layer, table);
        return rows >= minRows ? OptionalLong.of(rows) : OptionalLong.empty();
    }

    /** Whether the session interprets by the local-mode default, so that {@link #compiledWhen} compiles. */
    public static boolean interpretsByDefault(SparkSession spark) {
        return AUTO.equals(spark.conf().get(CODEGEN_MODE, ""));
    }

    public static SparkSession create(String appName, SalespulseConfig config) {
        return create(appName, config, Map.of());
    }

    /**
     * @param extra settings that must not come from configuration files (test-only credentials)
     */
    public static SparkSession create(String appName, SalespulseConfig config, Map<String, String> extra) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        // spark-submit passes the master as a system property; the config default applies only without it
        boolean submitted = System.getProperty("spark.master") != null;
        for (Map.Entry<String, String> e : config.sparkSettings().entrySet()) {
            if (e.getKey().equals("spark.master") && submitted) {
                continue;
            }
            builder.config(e.getKey(), e.getValue());
        }
        builder.config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                // business dates are taken in the reporting zone, whatever the machine's zone is
                .config("spark.sql.session.timeZone", config.get(SalespulseConfig.REPORTING_TIMEZONE))
                .config("spark.sql.legacy.timeParserPolicy", "CORRECTED");
        if (!config.asMap().containsKey(ObjectStoreLogFiles.SETTING)) {
            // Delta's checksum files written in place on an object store, not renamed (ObjectStoreLogFiles)
            builder.config(ObjectStoreLogFiles.SETTING, ObjectStoreLogFiles.class.getName());
        }
        String master = System.getProperty("spark.master", config.get(SalespulseConfig.SPARK_MASTER));
        if (master.startsWith("local")) {
            // loopback only: a laptop or CI machine has no other network worth binding to
            builder.config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1");
            if (!config.asMap().containsKey("spark.ui.enabled")) {
                builder.config("spark.ui.enabled", "false");
            }
            SMALL_DATA.forEach((k, v) -> {
                if (!config.asMap().containsKey(k)) {
                    builder.config(k, v);
                }
            });
            // interpreting by these defaults (set here or copied into the configuration by the demo and
            // the tests) leaves large steps free to compile; any other choice is kept for every query
            if (SMALL_DATA.get(WHOLE_STAGE).equals(config.asMap().getOrDefault(WHOLE_STAGE, SMALL_DATA.get(WHOLE_STAGE)))
                    && SMALL_DATA.get(FACTORY_MODE).equals(config.asMap().getOrDefault(FACTORY_MODE, SMALL_DATA.get(FACTORY_MODE)))) {
                builder.config(CODEGEN_MODE, AUTO);
            }
        }
        extra.forEach(builder::config);
        return builder.getOrCreate();
    }
}
