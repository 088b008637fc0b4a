package io.salespulse.cli;

import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.SparkSessions;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code salespulse} command line, and the main class of the application jar for
 * spark-submit. Exit codes: 0 success, 2 usage error, 3 input rejected or a data-quality gate
 * failed (data problem), 4 an alert fired ({@code alerts --fail-on}), 5 another run holds the
 * warehouse, 6 an alert could not be delivered ({@code notify}), 1 anything else; always with a
 * one-line reason on stderr.
 */
public final class Salespulse {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int REJECTED = 3;
    /** {@code alerts --fail-on S}: a rule of severity S or above fired on the date. */
    public static final int ALERT = 4;
    /** Another run holds the warehouse; nothing was written. */
    public static final int BUSY = 5;
    /** {@code notify}: a channel could not take the alerts after every retry (the data is fine). */
    public static final int DELIVERY_FAILED = 6;

    static final String USAGE_TEXT = """
            usage:
              salespulse datagen --out URI --start YYYY-MM-DD --days N [--scale S] [--seed K] [--malformed-rate R] [--shake-up YYYY-MM-DD] [--conf FILE]
              salespulse run     --date YYYY-MM-DD [--stage ingest|silver|gold|all] [--no-notify] [--landing URI] [--warehouse URI] [--conf FILE]
              salespulse rebuild --date YYYY-MM-DD | --as-of YYYY-MM-DD --force  [--warehouse URI] [--conf FILE]
              salespulse export  --table LAYER.TABLE --out PATH [--format csv|parquet] [--warehouse URI] [--conf FILE]
              salespulse tables  [--json] [--warehouse URI] [--conf FILE]
              salespulse maintain [--vacuum-hours H] [--warehouse URI] [--conf FILE]   (OPTIMIZE + VACUUM, default 168 h)
              salespulse alerts  --date YYYY-MM-DD [--fail-on info|warning|critical] [--warehouse URI] [--conf FILE]
              salespulse sql     "SELECT ..." [--max-rows N] [--warehouse URI] [--conf FILE]   (tables by name: gold.kpi_daily, ...)
              salespulse sql-server [--port 10000] [--warehouse URI] [--conf FILE]   (JDBC/ODBC for BI tools; bin/salespulse only)
              salespulse catalog sync [--warehouse URI] [--conf FILE]   (register layer.table names in the session's metastore)
              salespulse report  --date YYYY-MM-DD [--out DIR] [--warehouse URI] [--conf FILE]   (HTML KPI dashboard)
              salespulse notify  --date YYYY-MM-DD [--warehouse URI] [--conf FILE]   (send the date's undelivered alerts)
              salespulse forget  --email ADDRESS [--purge true] [--warehouse URI] [--conf FILE]
              salespulse dictionary --out FILE
              salespulse config-docs --out docs/configuration.md
              salespulse demo    [--days N] [--daily N] [--scale S] [--dir PATH]
            """;

    private Salespulse() {
    }

    public static void main(String[] argv) {
        int code = run(argv, System.getenv(), System.out, System.err);
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
        System.exit(code);
    }

    /** Runs one command and returns its exit code; never exits the JVM (tests call this). */
    public static int run(String[] argv, Map<String, String> env, PrintStream out, PrintStream err) {
        try {
            if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("help")) {
                out.print(USAGE_TEXT);
                return argv.length == 0 ? USAGE : OK;
            }
            return switch (argv[0]) {
                case "datagen" -> {
                    Args a = new Args(argv, 1, Set.of("out", "start", "days", "scale", "seed", "malformed-rate", "shake-up", "conf"));
                    yield DatagenCommand.execute(a, config(a, env, Map.of()), out);
                }
                case "run" -> {
                    Args a = new Args(argv, 1, Set.of("date", "landing", "warehouse", "conf", "stage"), Set.of("no-notify"));
                    RunCommand.Stage stage = RunCommand.Stage.parse(a.get("stage"));
                    SalespulseConfig config = config(a, env, locations(a));
                    yield RunCommand.execute(session(config), config, a.date("date"), env, out, err, false, stage, false,
                            !a.flag("no-notify"));
                }
                case "rebuild" -> {
                    Args a = new Args(argv, 1, Set.of("date", "as-of", "warehouse", "conf"), Set.of("force"));
                    if ((a.get("date") == null) == (a.get("as-of") == null)) {
                        throw new UsageException("rebuild needs --date D (or --as-of D --force to rewind)");
                    }
                    LocalDate date = a.get("date") != null ? a.date("date") : a.date("as-of");
                    SalespulseConfig config = config(a, env, locations(a));
                    yield RunCommand.execute(session(config), config, date, env, out, err, true, RunCommand.Stage.ALL,
                            a.flag("force") && a.get("as-of") != null, true);
                }
                case "export" -> {
                    Args a = new Args(argv, 1, Set.of("table", "out", "format", "warehouse", "conf"));
                    SalespulseConfig config = config(a, env, locations(a));
                    yield ExportCommand.execute(session(config), config, a, out);
                }
                case "tables" -> {
                    Args a = new Args(argv, 1, Set.of("warehouse", "conf"), Set.of("json"));
                    SalespulseConfig config = config(a, env, locations(a));
                    yield TablesCommand.execute(session(config), config, a.flag("json"), out);
                }
                case "maintain" -> {
                    Args a = new Args(argv, 1, Set.of("vacuum-hours", "warehouse", "conf"));
                    SalespulseConfig config = config(a, env, locations(a));
                    yield MaintainCommand.execute(session(config), config, a, out, err);
                }
                case "alerts" -> {
                    Args a = new Args(argv, 1, Set.of("date", "fail-on", "warehouse", "conf"));
                    SalespulseConfig config = config(a, env, locations(a));
                    yield AlertsCommand.execute(session(config), config, a.date("date"), a.get("fail-on"), out);
                }
                case "sql" -> {
                    Args a = new Args(argv, 2, Set.of("max-rows", "warehouse", "conf"));
                    SalespulseConfig config = config(a, env, locations(a));
                    String query = argv.length > 1 && !argv[1].startsWith("--") ? argv[1] : null;
                    yield SqlCommand.execute(session(config), config, query, a.intValue("max-rows", 100), out);
                }
                case "catalog" -> {
                    if (argv.length < 2 || !argv[1].equals("sync")) {
                        throw new UsageException("catalog needs a subcommand: catalog sync");
                    }
                    Args a = new Args(argv, 2, Set.of("warehouse", "conf"));
                    SalespulseConfig config = config(a, env, locations(a));
                    yield CatalogCommand.execute(session(config), config, out);
                }
                case "sql-server" -> throw new UsageException("sql-server runs through bin/salespulse sql-server "
                        + "(pyspark's spark-submit ships the Thrift server)");
                case "report" -> {
                    Args a = new Args(argv, 1, Set.of("date", "out", "warehouse", "conf"));
                    SalespulseConfig config = config(a, env, locations(a));
                    yield ReportCommand.execute(session(config), config, a.date("date"), a.get("out"), out);
                }
                case "notify" -> {
                    Args a = new Args(argv, 1, Set.of("date", "warehouse", "conf"));
                    SalespulseConfig config = config(a, env, locations(a));
                    yield NotifyCommand.execute(session(config), config, a.date("date"), env, out, err);
                }
                case "forget" -> {
                    Args a = new Args(argv, 1, Set.of("email", "purge", "warehouse", "conf"));
                    SalespulseConfig config = config(a, env, locations(a));
                    yield ForgetCommand.execute(session(config), config, a, env, out, err);
                }
                case "dictionary" -> {
                    Args a = new Args(argv, 1, Set.of("out"));
                    java.nio.file.Path target = java.nio.file.Path.of(a.require("out"));
                    try {
                        java.nio.file.Files.writeString(target, DataDictionary.markdown());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException("cannot write " + target, e);
                    }
                    out.println("data dictionary written to " + target);
                    yield OK;
                }
                case "config-docs" -> {
                    Args a = new Args(argv, 1, Set.of("out"));
                    java.nio.file.Path target = java.nio.file.Path.of(a.require("out"));
                    try {
                        java.nio.file.Files.writeString(target,
                                io.salespulse.common.ConfigurationDocs.update(java.nio.file.Files.readString(target)));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException("cannot rewrite " + target, e);
                    }
                    out.println("configuration keys written to " + target);
                    yield OK;
                }
                case "demo" -> {
                    Args a = new Args(argv, 1, Set.of("days", "daily", "scale", "dir"));
                    yield DemoCommand.execute(a, env, out, err);
                }
                default -> throw new UsageException("unknown command '" + argv[0] + "'");
            };
        } catch (UsageException e) {
            err.println("salespulse: " + e.getMessage());
            err.print(USAGE_TEXT);
            return USAGE;
        } catch (Exception | LinkageError e) {
            // Spark's AnalysisException is a checked exception thrown from Scala code
            err.println("salespulse: failed: " + oneLine(e));
            if (env.containsKey("SALESPULSE_DEBUG")) {
                e.printStackTrace(err);
            }
            return FAILED;
        }
    }

    static SparkSession session(SalespulseConfig config) {
        return SparkSessions.create("salespulse", config);
    }

    private static SalespulseConfig config(Args a, Map<String, String> env, Map<String, String> overrides) {
        String conf = a.get("conf");
        // a blank --conf (a scheduler's unset variable) means no file
        try {
            return SalespulseConfig.load(conf == null || conf.isBlank() ? null : Path.of(conf), env, overrides);
        } catch (SalespulseConfig.Invalid e) {
            throw new UsageException(e.getMessage()); // a configuration mistake: exit 2 before anything runs
        }
    }

    private static Map<String, String> locations(Args a) {
        Map<String, String> m = new LinkedHashMap<>();
        if (a.get("landing") != null) {
            m.put(SalespulseConfig.LANDING_ROOT.name(), a.get("landing"));
        }
        if (a.get("warehouse") != null) {
            m.put(SalespulseConfig.WAREHOUSE_ROOT.name(), a.get("warehouse"));
        }
        return m;
    }

    /** The innermost useful message, on one line. */
    static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        msg = msg.replaceAll("\\s+", " ").trim();
        return msg.length() > 400 ? msg.substring(0, 400) + "…" : msg;
    }
}
