package io.salespulse.cli;

import io.salespulse.catalog.WarehouseCatalog;
import io.salespulse.common.SalespulseConfig;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;

/**
 * {@code salespulse catalog sync}: registers every warehouse table as {@code layer.table} in the
 * session's catalog and re-points any that moved. Submitted to a cluster whose Spark uses a shared
 * metastore (Hive metastore, AWS Glue, Unity Catalog OSS: docs/bi.md), it makes the tables visible
 * to every engine on that metastore; locally, {@code sql-server} does the same on start and every
 * minute, so this lists what it would register.
 */
final class CatalogCommand {

    private CatalogCommand() {
    }

    static int execute(SparkSession spark, SalespulseConfig config, PrintStream out) {
        boolean bronze = config.getBoolean(SalespulseConfig.SQL_EXPOSE_BRONZE);
        var entries = WarehouseCatalog.register(spark, config.warehouseRoot(), bronze);
        String catalog = spark.conf().get("spark.sql.catalogImplementation", "in-memory");
        for (WarehouseCatalog.Entry e : entries) {
            out.printf("  %-40s %s%n", e.name(), e.location());
        }
        out.printf("catalog sync: %d tables registered in the %s catalog%s%n", entries.size(), catalog,
                catalog.equals("hive") ? "" : " of this process only (a shared metastore needs spark.sql.catalogImplementation=hive: docs/bi.md)");
        return entries.isEmpty() ? Salespulse.USAGE : Salespulse.OK;
    }
}
