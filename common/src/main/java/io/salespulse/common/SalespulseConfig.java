package io.salespulse.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Typed, layered configuration. Later layers win:
 * <ol>
 *   <li>the defaults declared below,</li>
 *   <li>a properties file ({@code --conf FILE}, or {@code SALESPULSE_CONF}),</li>
 *   <li>environment variables ({@code SALESPULSE_LANDING_ROOT} for {@code landing.root}),</li>
 *   <li>command-line flags.</li>
 * </ol>
 * Keys starting with {@code spark.} are passed to the SparkSession unchanged
 * (e.g. {@code spark.hadoop.fs.s3a.endpoint}). Secrets never live here: S3 credentials come
 * from the AWS provider chain, the hashing key from {@code SALESPULSE_HASH_KEY}.
 */
public final class SalespulseConfig {

    public static final ConfigKey LANDING_ROOT = new ConfigKey("landing.root",
            "file:./.local/landing", "Root URI of the landed snapshots (s3a://bucket/prefix, file:///path or a plain path).");
    public static final ConfigKey WAREHOUSE_ROOT = new ConfigKey("warehouse.root",
            "file:./.local/warehouse", "Root URI of the Delta warehouse (bronze/, silver/, gold/, ops/ below it).");
    public static final ConfigKey REPORTING_TIMEZONE = new ConfigKey("reporting.timezone",
            "UTC", "Time zone in which a timestamp's business date is taken (also the Spark session's time zone).", ConfigKey.Kind.TIME_ZONE);
    public static final ConfigKey REPORTING_CURRENCY = new ConfigKey("reporting.currency",
            "USD", "Corporate (reporting) currency; its conversion rate is 1.", ConfigKey.Kind.CURRENCY);
    public static final ConfigKey KPI_START_DATE = new ConfigKey("kpi.start_date",
            "", "First KPI date; blank means the first landed snapshot date.", ConfigKey.Kind.DATE_OR_BLANK);
    public static final ConfigKey CLOSED_STAGES = new ConfigKey("kpi.closed_stages",
            "Closed Won,Closed Lost", "Opportunity stages that count as closed (comma-separated).");
    public static final ConfigKey SPARK_MASTER = new ConfigKey("spark.master",
            "local[2]", "Spark master when none is given by spark-submit.");
    public static final ConfigKey SHUFFLE_PARTITIONS = new ConfigKey("spark.sql.shuffle.partitions",
            "1", "Shuffle partitions. One on the default local[2] master: a run's steps go side by side (run.steps_at_once), "
                    + "each small step's shuffles in one task; a large step, compiled, gets one per core while it runs. "
                    + "On a cluster ~2-3 x the executor cores.",
            ConfigKey.Kind.WHOLE_NUMBER);

    public static final ConfigKey DELTA_SNAPSHOT_PARTITIONS = new ConfigKey("spark.databricks.delta.snapshotPartitions",
            "2", "Partitions Delta uses to read a table's log; the default 50 makes every commit slow on a small machine.", ConfigKey.Kind.WHOLE_NUMBER);

    public static final ConfigKey ALERT_RULES = new ConfigKey("alerts.rules",
            "win_rate_low: win_rate_30d < 0.15 critical; lead_quality_low: avg_lead_quality < 0.6 warning; "
                    + "revenue_drop: net_revenue < 0.5 * trailing_mean_7d critical; "
                    + "leads_drop: leads_created < baseline_weekday_8w - 4 mad warning; "
                    + "dau_drop: active_users < baseline_weekday_8w - 3 mad warning",
            "Threshold rules, ';'-separated: 'id: [table.]metric <|<=|>|>= (value | factor * trailing_mean_7d | "
                    + "baseline_weekday_Nw [+|- k mad]) info|warning|critical'; table is kpi_daily (default), kpi_rep_daily or kpi_campaign (docs/alerts.md). "
                    + "Checked when a run starts: a bad rule is exit 2 before anything is written.");
    public static final ConfigKey ALERTS_WEBHOOK_URL = new ConfigKey("alerts.webhook_url",
            "", "Incoming-webhook URL (Slack, Teams, Mattermost) the run date's new alerts are posted to; blank = none. "
            + "It usually holds a token: set it in the environment (SALESPULSE_ALERTS_WEBHOOK_URL), not in a file in git.");
    public static final ConfigKey ALERTS_SMTP_HOST = new ConfigKey("alerts.smtp.host",
            "", "SMTP server for alert e-mail; blank = no e-mail. The password comes only from SALESPULSE_ALERTS_SMTP_PASSWORD.");
    public static final ConfigKey ALERTS_SMTP_PORT = new ConfigKey("alerts.smtp.port",
            "587", "SMTP port (587 submission with STARTTLS; 25 for a local relay).", ConfigKey.Kind.WHOLE_NUMBER);
    public static final ConfigKey ALERTS_SMTP_STARTTLS = new ConfigKey("alerts.smtp.starttls",
            "true", "Require STARTTLS before sending (true/false); false only for a relay on a trusted network.", ConfigKey.Kind.BOOLEAN);
    public static final ConfigKey ALERTS_SMTP_USER = new ConfigKey("alerts.smtp.user",
            "", "SMTP login; blank = no authentication.");
    public static final ConfigKey ALERTS_SMTP_FROM = new ConfigKey("alerts.smtp.from",
            "", "Sender address of alert e-mail (required with alerts.smtp.host).");
    public static final ConfigKey ALERTS_SMTP_TO = new ConfigKey("alerts.smtp.to",
            "", "Recipients of alert e-mail, comma-separated (required with alerts.smtp.host); never written to a table or a log.");
    public static final ConfigKey ALERTS_RETRY_ATTEMPTS = new ConfigKey("alerts.retry.attempts",
            "4", "Attempts per channel before a delivery is recorded as failed (notify sends it again later).", ConfigKey.Kind.WHOLE_NUMBER);
    public static final ConfigKey ALERTS_RETRY_BACKOFF_MS = new ConfigKey("alerts.retry.backoff_ms",
            "2000", "Wait before the second attempt; doubles before each further one.", ConfigKey.Kind.WHOLE_NUMBER);
    public static final ConfigKey ALERTS_TIMEOUT_SECONDS = new ConfigKey("alerts.timeout_seconds",
            "10", "Connect and response timeout of one delivery attempt.", ConfigKey.Kind.WHOLE_NUMBER);

    public static final ConfigKey SQL_EXPOSE_BRONZE = new ConfigKey("sql.expose_bronze",
            "false", "Register the bronze tables for sql / sql-server too (true/false); bronze holds raw personal data (emails, phones).", ConfigKey.Kind.BOOLEAN);
    public static final ConfigKey SQL_PORT = new ConfigKey("sql.port",
            "10000", "Port of sql-server (HiveServer2 protocol, JDBC/ODBC).", ConfigKey.Kind.WHOLE_NUMBER);
    public static final ConfigKey SQL_BIND_HOST = new ConfigKey("sql.bind_host",
            "127.0.0.1", "Address sql-server listens on; 127.0.0.1 keeps it on this machine (put a TLS proxy or the cluster's gateway in front for more).");

    public static final ConfigKey SQL_METASTORE_DIR = new ConfigKey("sql.metastore_dir",
            ".local/metastore", "Local folder of sql-server's persistent catalog (Hive's embedded Derby; one server at a time).");
    public static final ConfigKey SQL_CATALOG_REFRESH_SECONDS = new ConfigKey("sql.catalog_refresh_seconds",
            "60", "How often sql-server registers tables that runs created since it started.", ConfigKey.Kind.WHOLE_NUMBER);

    public static final ConfigKey LOCK_TIMEOUT = new ConfigKey("run.lock_timeout_seconds",
            "120", "A run's warehouse lease is stale after this long without a heartbeat (a dead run on another host).", ConfigKey.Kind.WHOLE_NUMBER);
    public static final ConfigKey LOCK_WAIT = new ConfigKey("run.lock_wait_seconds",
            "0", "How long a run waits for another run on the same warehouse to finish before refusing (exit 5).", ConfigKey.Kind.WHOLE_NUMBER);
    public static final ConfigKey LOCK_SETTLE = new ConfigKey("run.lock_settle_ms",
            "1500", "Delay between writing the lease and reading it back; two runs racing for it both see the last writer.", ConfigKey.Kind.WHOLE_NUMBER);
    public static final ConfigKey COMPILE_MIN_ROWS = new ConfigKey("run.compile_min_rows",
            "250000", "In local mode, a silver table holding at least this many rows is built and written with Spark's code "
            + "generation, silver stages a Salesforce object that way when its bronze table holds that many rows, and "
            + "ingest loads an object that way when its new snapshots hold that many rows (by their "
            + "manifests), and maintain rewrites a table of that many rows that way; smaller ones are interpreted, "
            + "which is faster for small data. In any mode, gold reads a silver "
            + "table smaller than this once and holds its rows for the run (docs/performance.md).", ConfigKey.Kind.WHOLE_NUMBER);
    // gold filters the activity to the dates it recomputes before its windows: compiling pays only when
    // the table is much larger (measured: interpreted 0.8 of the time at 0.64 M rows, compiled 0.62 at 6.3 M)
    public static final ConfigKey GOLD_COMPILE_MIN_ROWS = new ConfigKey("run.gold_compile_min_rows",
            "2000000", "In local mode, gold computes its KPIs with Spark's code generation when fact_activity_daily holds at "
            + "least this many rows; with fewer it interprets them (docs/performance.md).", ConfigKey.Kind.WHOLE_NUMBER);
    public static final ConfigKey GOLD_WHOLE_MAX_ROWS = new ConfigKey("run.gold_whole_max_rows",
            "250000", "A dated gold table (kpi_daily, kpi_rep_daily) of at most this many rows is written whole by a daily run, "
            + "its kept dates with the recomputed ones: one write. A larger one gets a MERGE scoped to the recomputed dates "
            + "(docs/performance.md).", ConfigKey.Kind.WHOLE_NUMBER);
    public static final ConfigKey STEPS_AT_ONCE = new ConfigKey("run.steps_at_once",
            "2", "Independent steps of a run done side by side on the one Spark session: bronze objects loaded, Salesforce "
            + "objects staged, gold KPI tables computed and written. A small step is mostly the driver's planning and Delta's log work, "
            + "so another step's Spark jobs can use the cores meanwhile; 1 does them one after the other.", ConfigKey.Kind.WHOLE_NUMBER);
    public static final ConfigKey VOLUME_TOLERANCE = new ConfigKey("quality.volume_tolerance",
            "5", "A day's incremental row count is anomalous when above this factor of, or below its inverse times, the trailing 28-day mean.", ConfigKey.Kind.NUMBER);

    // S3A retries: enough to ride out throttling (503 SlowDown) and dropped connections, bounded so
    // that a store that is down fails the run in about a minute instead of hanging the night
    public static final ConfigKey S3A_RETRY_LIMIT = new ConfigKey("spark.hadoop.fs.s3a.retry.limit",
            "6", "S3A retries of a failed request (exponential backoff from fs.s3a.retry.interval).", ConfigKey.Kind.WHOLE_NUMBER);
    public static final ConfigKey S3A_RETRY_INTERVAL = new ConfigKey("spark.hadoop.fs.s3a.retry.interval",
            "250ms", "First S3A retry delay; doubles on each retry.");
    public static final ConfigKey S3A_THROTTLE_LIMIT = new ConfigKey("spark.hadoop.fs.s3a.retry.throttle.limit",
            "10", "S3A retries of a throttled (503) request.", ConfigKey.Kind.WHOLE_NUMBER);
    public static final ConfigKey S3A_THROTTLE_INTERVAL = new ConfigKey("spark.hadoop.fs.s3a.retry.throttle.interval",
            "250ms", "First S3A delay after throttling.");
    public static final ConfigKey S3A_SDK_ATTEMPTS = new ConfigKey("spark.hadoop.fs.s3a.attempts.maximum",
            "2", "Attempts the AWS SDK makes itself before S3A's retry policy decides.", ConfigKey.Kind.WHOLE_NUMBER);
    public static final ConfigKey S3A_CONNECT_TIMEOUT = new ConfigKey("spark.hadoop.fs.s3a.connection.establish.timeout",
            "5s", "Time to open a connection to the object store.");

    public static final ConfigKey S3A_CREATE_PERFORMANCE = new ConfigKey("spark.hadoop.fs.s3a.create.performance",
            "true", "S3A creates a file without first asking whether the path holds a file or a folder (two requests per "
            + "file): every file a run writes has a new name, and Delta checks a commit's name itself.", ConfigKey.Kind.BOOLEAN);

    public static final ConfigKey S3A_INPUT_STREAM = new ConfigKey("spark.hadoop.fs.s3a.input.stream.type",
            "classic", "S3A read stream. Hadoop 3.5's default 'analytics' stream does not apply S3A's retry policy to "
            + "reads (a dropped connection fails the task) and keeps an entry per object read; 'classic' does neither.");

    /** Every declared key, in documentation order. */
    public static final List<ConfigKey> KEYS = List.of(LANDING_ROOT, WAREHOUSE_ROOT, REPORTING_TIMEZONE,
            REPORTING_CURRENCY, KPI_START_DATE, CLOSED_STAGES, ALERT_RULES,
            ALERTS_WEBHOOK_URL, ALERTS_SMTP_HOST, ALERTS_SMTP_PORT, ALERTS_SMTP_STARTTLS, ALERTS_SMTP_USER, ALERTS_SMTP_FROM,
            ALERTS_SMTP_TO, ALERTS_RETRY_ATTEMPTS, ALERTS_RETRY_BACKOFF_MS, ALERTS_TIMEOUT_SECONDS, SQL_EXPOSE_BRONZE, SQL_PORT, SQL_BIND_HOST, SQL_METASTORE_DIR, SQL_CATALOG_REFRESH_SECONDS, LOCK_TIMEOUT, LOCK_WAIT, LOCK_SETTLE, COMPILE_MIN_ROWS, GOLD_COMPILE_MIN_ROWS, GOLD_WHOLE_MAX_ROWS, STEPS_AT_ONCE, VOLUME_TOLERANCE, SPARK_MASTER, SHUFFLE_PARTITIONS, DELTA_SNAPSHOT_PARTITIONS,
            S3A_RETRY_LIMIT, S3A_RETRY_INTERVAL, S3A_THROTTLE_LIMIT, S3A_THROTTLE_INTERVAL, S3A_SDK_ATTEMPTS, S3A_CONNECT_TIMEOUT, S3A_CREATE_PERFORMANCE,
            S3A_INPUT_STREAM);

    private final Map<String, String> values;

    private SalespulseConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /** Defaults only. */
    public static SalespulseConfig defaults() {
        return load(null, Map.of(), Map.of());
    }

    /**
     * @param confFile  optional properties file (null: {@code SALESPULSE_CONF} if set)
     * @param env       the environment (System.getenv() in production, a map in tests)
     * @param overrides command-line flags, highest precedence
     */
    public static SalespulseConfig load(Path confFile, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        for (ConfigKey key : KEYS) {
            values.put(key.name(), key.defaultValue());
        }
        Path file = confFile;
        if (file == null && env.get("SALESPULSE_CONF") != null && !env.get("SALESPULSE_CONF").isBlank()) {
            file = Path.of(env.get("SALESPULSE_CONF"));
        }
        Map<String, String> fromFile = file == null ? Map.of() : readProperties(file);
        values.putAll(fromFile);
        for (ConfigKey key : KEYS) {
            String fromEnv = env.get(key.envName());
            if (fromEnv != null && !fromEnv.isBlank()) {
                values.put(key.name(), fromEnv);
            }
        }
        overrides.forEach((k, v) -> {
            if (v != null) {
                values.put(k, v);
            }
        });
        Set<String> given = new TreeSet<>(overrides.keySet());
        given.addAll(fromFile.keySet());
        check(given, values, file);
        return new SalespulseConfig(values);
    }

    /**
     * Every value is checked when the configuration is loaded, so that a typo fails the run before
     * it reads or writes anything: an own key that is not declared (with the nearest declared name)
     * and a value of the wrong kind. {@code spark.*} keys go to Spark unchecked.
     */
    private static void check(Set<String> given, Map<String, String> values, Path file) {
        String where = file == null ? "" : " in " + file;
        for (String k : given) {
            if (!k.startsWith("spark.") && KEYS.stream().noneMatch(key -> key.name().equals(k))) {
                throw new Invalid("unknown setting '" + k + "'" + where + " (did you mean '" + nearest(k) + "'?)");
            }
        }
        for (ConfigKey key : KEYS) {
            String v = values.get(key.name());
            String problem = v == null ? null : key.kind().problem(v);
            if (problem != null) {
                throw new Invalid(key.name() + " " + problem + ", got '" + v + "'");
            }
        }
    }

    /** A key or value the declarations do not allow: the user's mistake, reported before anything runs. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }

    /** The declared key with the smallest edit distance to {@code name}. */
    static String nearest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (ConfigKey key : KEYS) {
            int d = editDistance(name, key.name());
            if (d < bestDistance) {
                best = key.name();
                bestDistance = d;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static Map<String, String> readProperties(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("configuration file not found: " + file);
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration file " + file, e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        props.stringPropertyNames().forEach(k -> out.put(k, props.getProperty(k).trim()));
        return out;
    }

    /** A copy with some values replaced (used by tests and the demo). */
    public SalespulseConfig with(Map<String, String> more) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.putAll(more);
        return new SalespulseConfig(copy);
    }

    public String get(ConfigKey key) {
        return values.getOrDefault(key.name(), key.defaultValue());
    }

    /** A whole-number setting; a value that is not one is a configuration error naming the key. */
    public long getLong(ConfigKey key) {
        String v = get(key);
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key.name() + " must be a whole number, got '" + v + "'");
        }
    }

    /** A true/false setting (checked at load). */
    public boolean getBoolean(ConfigKey key) {
        return Boolean.parseBoolean(get(key).trim());
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public String landingRoot() {
        return stripSlash(Uris.normalize(get(LANDING_ROOT)));
    }

    public String warehouseRoot() {
        return stripSlash(Uris.normalize(get(WAREHOUSE_ROOT)));
    }

    public ZoneId reportingZone() {
        return ZoneId.of(get(REPORTING_TIMEZONE));
    }

    public List<String> closedStages() {
        return Arrays.stream(get(CLOSED_STAGES).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Every {@code spark.*} value (declared or from the file), for the SparkSession. */
    public Map<String, String> sparkSettings() {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith("spark.") && !v.isBlank()) {
                out.put(k, v);
            }
        });
        return out;
    }

    public Map<String, String> asMap() {
        return values;
    }

    private static String stripSlash(String uri) {
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }
}
