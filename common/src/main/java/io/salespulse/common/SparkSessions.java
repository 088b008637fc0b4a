package io.salespulse.common;

import org.apache.spark.sql.SparkSession;

import java.util.Map;

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
     * catch-up for what the driver does in a fraction of that on a local disk or a nearby S3. A
     * cluster keeps Spark's defaults; any of them can be set explicitly in the configuration file.
     */
    public static final Map<String, String> SMALL_DATA = Map.of(
            "spark.sql.codegen.wholeStage", "false",
            "spark.sql.codegen.factoryMode", "NO_CODEGEN",
            "spark.sql.adaptive.enabled", "false",
            "spark.sql.sources.parallelPartitionDiscovery.threshold", "100000");

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
        }
        extra.forEach(builder::config);
        return builder.getOrCreate();
    }
}
