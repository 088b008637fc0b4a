package io.salespulse.cli;

import io.salespulse.catalog.WarehouseCatalog;
import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.SparkSessions;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code bin/salespulse sql-server [--port 10000] [--warehouse URI] [--conf FILE]}: a HiveServer2
 * (JDBC / ODBC) endpoint for BI tools over the warehouse's tables by name. It runs Spark's Thrift
 * server in this process (its jar ships with pyspark, not with Maven Central: {@code bin/salespulse}
 * starts this class with pyspark's spark-submit), registers every table at start in a persistent
 * local metastore (Hive's embedded Derby under {@code sql.metastore_dir}) and again every
 * {@code sql.catalog_refresh_seconds}, so a table a run creates appears by name.
 */
public final class SqlServer {

    private static final String THRIFT_SERVER = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2";

    private SqlServer() {
    }

    public static void main(String[] argv) {
        int code = run(argv, System.getenv());
        if (code != Salespulse.OK) {
            System.exit(code);
        }
    }

    static int run(String[] argv, Map<String, String> env) {
        try {
            Args a = new Args(argv, 0, Set.of("port", "warehouse", "conf"));
            Map<String, String> overrides = new LinkedHashMap<>();
            if (a.get("warehouse") != null) {
                overrides.put(SalespulseConfig.WAREHOUSE_ROOT.name(), a.get("warehouse"));
            }
            String conf = a.get("conf");
            SalespulseConfig config = SalespulseConfig.load(conf == null || conf.isBlank() ? null : Path.of(conf), env, overrides);
            int port = a.intValue("port", (int) config.getLong(SalespulseConfig.SQL_PORT));
            String host = config.get(SalespulseConfig.SQL_BIND_HOST).trim();
            checkPortFree(host, port);
            Path metastore = Path.of(config.get(SalespulseConfig.SQL_METASTORE_DIR)).toAbsolutePath().normalize();
            boolean bronze = config.getBoolean(SalespulseConfig.SQL_EXPOSE_BRONZE);

            // Derby writes its log to the working directory unless told otherwise: keep it beside the metastore
            if (System.getProperty("derby.stream.error.file") == null) {
                Files.createDirectories(metastore);
                System.setProperty("derby.stream.error.file", metastore.resolve("derby.log").toString());
            }
            Map<String, String> hive = new LinkedHashMap<>();
            hive.put("spark.sql.catalogImplementation", "hive");
            hive.put("spark.hadoop.javax.jdo.option.ConnectionURL",
                    "jdbc:derby:;databaseName=" + metastore.resolve("metastore_db") + ";create=true");
            hive.put("spark.sql.warehouse.dir", metastore.resolve("spark-warehouse").toUri().toString());
            hive.put("spark.hadoop.hive.server2.thrift.port", Integer.toString(port));
            hive.put("spark.hadoop.hive.server2.thrift.bind.host", host);
            hive.put("spark.sql.hive.thriftServer.singleSession", "false");
            SparkSession spark = SparkSessions.create("salespulse-sql-server", config, hive);

            List<WarehouseCatalog.Entry> tables = WarehouseCatalog.register(spark, config.warehouseRoot(), bronze);
            if (tables.isEmpty()) {
                System.err.println("salespulse: no tables under " + config.warehouseRoot()
                        + " yet: run a date first (or bin/salespulse demo), then start sql-server");
                spark.stop();
                return Salespulse.USAGE;
            }
            Class.forName(THRIFT_SERVER).getMethod("startWithContext", SQLContext.class).invoke(null, spark.sqlContext());
            System.out.printf("sql-server: jdbc:hive2://%s:%d/ serving %d tables of %s (%s); "
                            + "connect with: bin/beeline -u jdbc:hive2://%s:%d/%n", host, port, tables.size(), config.warehouseRoot(),
                    String.join(", ", bronze ? List.of("bronze", "silver", "gold", "ops") : WarehouseCatalog.LAYERS), host, port);
            System.out.flush();
            long refresh = config.getLong(SalespulseConfig.SQL_CATALOG_REFRESH_SECONDS);
            while (true) {
                Thread.sleep(refresh * 1000);
                try {
                    WarehouseCatalog.register(spark, config.warehouseRoot(), bronze);
                } catch (RuntimeException e) {
                    // storage briefly unreachable: the registered tables keep serving; try again next round
                    System.err.println("salespulse: warning: catalog refresh failed: " + Salespulse.oneLine(e));
                }
            }
        } catch (UsageException e) {
            System.err.println("salespulse: " + e.getMessage());
            return Salespulse.USAGE;
        } catch (ClassNotFoundException e) {
            System.err.println("salespulse: the Spark Thrift server is not on the classpath: start it with bin/salespulse sql-server "
                    + "(pyspark's spark-submit, which ships it)");
            return Salespulse.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Salespulse.OK;
        } catch (Exception e) {
            System.err.println("salespulse: failed: " + Salespulse.oneLine(e));
            return Salespulse.FAILED;
        }
    }

    /** A port in use is one clear line, not a Thrift stack trace after Spark has started. */
    private static void checkPortFree(String host, int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName(host))) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw new UsageException("cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "): is another sql-server running? choose another --port");
        }
    }
}
