package io.salespulse.catalog;

import io.salespulse.common.Uris;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Table names for the warehouse: every Delta table under {@code <root>/<layer>/<table>} is
 * registered in the session's catalog as {@code layer.table}, an external table at its location
 * (path readers keep working; schema and column comments come from the Delta log, so a new
 * column appears by name without a step). Bronze holds raw personal data and is registered only
 * when asked.
 */
public final class WarehouseCatalog {

    public static final List<String> LAYERS = List.of("silver", "gold", "ops");
    public static final String BRONZE = "bronze";

    /** One registered table. */
    public record Entry(String layer, String table, String location) {
        public String name() {
            return layer + "." + table;
        }
    }

    private WarehouseCatalog() {
    }

    /** The Delta tables under the warehouse, by layer, in name order. */
    public static List<Entry> discover(SparkSession spark, String warehouseRoot, boolean bronze) {
        List<String> layers = new ArrayList<>(LAYERS);
        if (bronze) {
            layers.add(0, BRONZE);
        }
        List<Entry> out = new ArrayList<>();
        try {
            for (String layer : layers) {
                Path dir = new Path(Uris.join(warehouseRoot, layer));
                FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
                FileStatus[] children;
                try {
                    children = fs.listStatus(dir);
                } catch (FileNotFoundException e) {
                    continue;
                }
                java.util.Arrays.sort(children, java.util.Comparator.comparing(s -> s.getPath().getName()));
                for (FileStatus child : children) {
                    if (child.isDirectory() && fs.exists(new Path(child.getPath(), "_delta_log"))) {
                        out.add(new Entry(layer, child.getPath().getName(), child.getPath().toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the warehouse " + warehouseRoot, e);
        }
        return out;
    }

    /**
     * Creates the layer schemas and registers every table (again: a table that moved or was
     * re-created is re-pointed). Returns what was registered.
     */
    public static List<Entry> register(SparkSession spark, String warehouseRoot, boolean bronze) {
        List<Entry> entries = discover(spark, warehouseRoot, bronze);
        for (Entry e : entries) {
            spark.sql("CREATE DATABASE IF NOT EXISTS " + e.layer()
                    + " COMMENT 'salespulse " + e.layer() + " layer at " + escape(Uris.join(warehouseRoot, e.layer())) + "'");
            String location = escape(e.location());
            if (spark.catalog().tableExists(e.layer(), e.table())) {
                String current = spark.sql("DESCRIBE TABLE EXTENDED " + e.name()).where("col_name = 'Location'")
                        .select("data_type").first().getString(0);
                if (new Path(current).toUri().getPath().equals(new Path(e.location()).toUri().getPath())) {
                    continue;
                }
                spark.sql("DROP TABLE " + e.name());
            }
            spark.sql("CREATE TABLE " + e.name() + " USING delta LOCATION '" + location + "'");
        }
        return entries;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("'", "\\'");
    }
}
