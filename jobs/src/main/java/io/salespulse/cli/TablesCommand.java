package io.salespulse.cli;

import io.delta.tables.DeltaTable;
import io.salespulse.catalog.WarehouseCatalog;
import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.TableWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code salespulse tables [--json true]}: every Delta table of the warehouse with its version, live
 * data files, size and rows — what an operator checks before and after {@code maintain}, and what
 * the benchmark records.
 */
final class TablesCommand {

    private TablesCommand() {
    }

    record TableInfo(String name, long version, long files, long bytes, long rows) {
    }

    static int execute(SparkSession spark, SalespulseConfig config, boolean json, PrintStream out) {
        List<TableInfo> tables = list(spark, config.warehouseRoot());
        if (json) {
            List<String> items = new ArrayList<>();
            for (TableInfo t : tables) {
                items.add(String.format("{\"table\": \"%s\", \"version\": %d, \"files\": %d, \"bytes\": %d, \"rows\": %d}",
                        t.name(), t.version(), t.files(), t.bytes(), t.rows()));
            }
            out.println("[" + String.join(",\n ", items) + "]");
        } else {
            out.printf("%-36s %8s %8s %12s %12s%n", "table", "version", "files", "bytes", "rows");
            for (TableInfo t : tables) {
                out.printf("%-36s %8d %8d %,12d %,12d%n", t.name(), t.version(), t.files(), t.bytes(), t.rows());
            }
        }
        return Salespulse.OK;
    }

    static List<TableInfo> list(SparkSession spark, String warehouseRoot) {
        TableWriter tables = new TableWriter(spark, warehouseRoot, "tables");
        List<TableInfo> out = new ArrayList<>();
        for (String name : names(spark, warehouseRoot)) {
            String[] p = name.split("\\.");
            Row d = DeltaTable.forPath(spark, tables.location(p[0], p[1])).detail()
                    .select("numFiles", "sizeInBytes").first();
            // version and rows from the log (its statistics), not from a scan of every table's files
            out.add(new TableInfo(name, tables.version(p[0], p[1]), d.getLong(0), d.getLong(1), tables.storedRows(p[0], p[1])));
        }
        return out;
    }

    /** {@code layer.table} for every folder with a Delta log under a layer folder, sorted. */
    static List<String> names(SparkSession spark, String warehouseRoot) {
        List<String> out = new ArrayList<>();
        for (WarehouseCatalog.Entry e : WarehouseCatalog.discover(spark, warehouseRoot, true)) {
            out.add(e.name());
        }
        out.sort(null);
        return out;
    }
}
