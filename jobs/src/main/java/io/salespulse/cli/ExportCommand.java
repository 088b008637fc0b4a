package io.salespulse.cli;

import io.salespulse.common.SalespulseConfig;
import io.salespulse.common.TableWriter;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_json;

/**
 * {@code salespulse export --table LAYER.TABLE --out PATH}: one RFC 4180 CSV file with a header
 * (UTF-8, quotes doubled, nulls as empty fields, empty strings as {@code ""}, nested values as JSON,
 * rows sorted) or one Parquet file, for analysts and checks.
 */
public final class ExportCommand {

    private ExportCommand() {
    }

    static int execute(SparkSession spark, SalespulseConfig config, Args args, PrintStream out) {
        String table = args.require("table");
        String format = args.get("format") == null ? "csv" : args.get("format");
        if (!format.equals("csv") && !format.equals("parquet")) {
            throw new UsageException("--format must be csv or parquet");
        }
        String[] parts = table.split("\\.");
        if (parts.length != 2) {
            throw new UsageException("--table must be LAYER.TABLE, e.g. bronze.salesforce_lead");
        }
        TableWriter tables = new TableWriter(spark, config.warehouseRoot(), "export");
        if (!tables.exists(parts[0], parts[1])) {
            throw new UsageException("no table " + table + " under " + config.warehouseRoot());
        }
        Dataset<Row> df = tables.read(parts[0], parts[1]);
        long rows = write(df, format, args.require("out"), spark.sparkContext().hadoopConfiguration());
        out.printf("exported %s: %,d rows → %s%n", table, rows, args.get("out"));
        return Salespulse.OK;
    }

    /** Writes one file at {@code out} and returns the row count. */
    public static long write(Dataset<Row> df, String format, String out, Configuration hadoopConf) {
        Dataset<Row> flat = format.equals("csv") ? flatten(df) : df;
        Dataset<Row> sorted = flat.sort(java.util.Arrays.stream(flat.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new));
        String target = io.salespulse.common.Uris.normalize(out);
        String tmp = target + ".tmp-export";
        try {
            FileSystem fs = FileSystem.get(URI.create(target), hadoopConf);
            Path tmpPath = new Path(tmp);
            fs.delete(tmpPath, true);
            var writer = sorted.coalesce(1).write().mode("overwrite");
            if (format.equals("csv")) {
                // RFC 4180: a quote inside a field is doubled (Spark's default escapes it with a backslash,
                // which spreadsheets and pandas read as a different value); UTF-8 with a header row
                writer.option("header", "true").option("quote", "\"").option("escape", "\"")
                        .option("encoding", "UTF-8").option("nullValue", "").option("emptyValue", "\"\"").csv(tmp);
            } else {
                writer.parquet(tmp);
            }
            FileStatus part = null;
            for (FileStatus s : fs.listStatus(tmpPath)) {
                if (s.getPath().getName().startsWith("part-")) {
                    part = s;
                }
            }
            Path targetPath = new Path(target);
            fs.delete(targetPath, false);
            if (part == null) {
                throw new IllegalStateException("export wrote no file");
            }
            FileUtil.copy(fs, part.getPath(), fs, targetPath, false, hadoopConf);
            fs.delete(tmpPath, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        return sorted.count();
    }

    private static Dataset<Row> flatten(Dataset<Row> df) {
        List<Column> cols = new ArrayList<>();
        for (StructField f : df.schema().fields()) {
            boolean nested = f.dataType() instanceof StructType || f.dataType() instanceof ArrayType
                    || f.dataType() instanceof MapType;
            Column c = col("`" + f.name() + "`");
            cols.add(nested ? to_json(c).as(f.name()) : c);
        }
        return df.select(cols.toArray(Column[]::new));
    }
}
