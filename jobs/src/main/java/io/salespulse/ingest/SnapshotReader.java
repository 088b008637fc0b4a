package io.salespulse.ingest;

import io.salespulse.common.Frames;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.json_tuple;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

/**
 * Reads one complete snapshot and checks it against its manifest. Either every row of the
 * snapshot is accounted for (loadable rows + malformed rows = manifest count, per file and in
 * total) or the snapshot is rejected whole with a one-line reason naming the file.
 *
 * <p>Rows come back as strings, exactly as landed, plus {@code _source_file}. Malformed rows
 * (a CSV row with the wrong number of fields, a line that is not JSON) come back separately
 * with a reason, for the quarantine.
 */
public final class SnapshotReader {

    /** Internal column holding the raw text of a malformed row. */
    public static final String CORRUPT = "_corrupt_record";

    /** Columns of the malformed-row frame. */
    public static final List<String> MALFORMED_COLUMNS = List.of("record_id", "reason", "raw_record", "_source_file");

    /** Segment top-level fields kept as columns; nested objects are kept as JSON text. */
    public static final List<String> SEGMENT_FIELDS = List.of("messageId", "type", "event", "userId", "anonymousId",
            "timestamp", "receivedAt", "sentAt", "properties", "traits", "context");

    /**
     * @param rows      loadable rows, all columns as landed plus {@code _source_file}
     * @param malformed rows that cannot be loaded, with {@link #MALFORMED_COLUMNS}
     * @param cached    frames to unpersist once written
     */
    public record Result(Dataset<Row> rows, Dataset<Row> malformed, long rowsRead, long rowsMalformed,
                         List<Dataset<Row>> cached) {

        public void release() {
            Frames.unpersistAll(cached);
        }
    }

    private final SparkSession spark;
    private final Configuration hadoopConf;

    public SnapshotReader(SparkSession spark, Configuration hadoopConf) {
        this.spark = spark;
        this.hadoopConf = hadoopConf;
    }

    Configuration hadoopConf() {
        return hadoopConf;
    }

    public Result read(LandingSnapshot snapshot) {
        if (snapshot.manifest() == null) {
            throw new SnapshotRejectedException(snapshot.label() + "/" + LandingScanner.MANIFEST + ": " + snapshot.manifestError());
        }
        Manifest manifest = snapshot.manifest();
        List<Manifest.FileEntry> toRead = new ArrayList<>();
        for (Manifest.FileEntry entry : manifest.files()) {
            long size = fileSize(snapshot, entry.name());
            if (size > 0 || entry.records() > 0) {
                toRead.add(entry); // an empty snapshot may be written as an empty file
            }
        }
        if (toRead.isEmpty()) {
            if (manifest.records() != 0) {
                throw new SnapshotRejectedException(snapshot.label() + ": manifest says " + manifest.records()
                        + " records in total, files have 0");
            }
            return new Result(emptyRows(snapshot.object()), spark.createDataFrame(List.of(), malformedSchema()), 0, 0, List.of());
        }
        // one read and one counting job for the whole snapshot; per-file reads only to name a broken file
        Dataset<Row> all = null;
        for (Manifest.FileEntry entry : toRead) {
            Dataset<Row> file = readFile(snapshot, entry.name(), formatOf(manifest, entry.name()));
            all = all == null ? file : all.unionByName(file, true);
        }
        Dataset<Row> cached = all.cache();
        Map<String, long[]> counts;
        try {
            counts = countPerFile(cached);
        } catch (RuntimeException e) {
            cached.unpersist();
            throw brokenFile(snapshot, toRead, manifest, e);
        }
        long read = 0;
        long bad = 0;
        for (Manifest.FileEntry entry : toRead) {
            long[] c = counts.getOrDefault(snapshot.label() + "/" + entry.name(), new long[]{0, 0});
            if (c[0] != entry.records()) {
                cached.unpersist();
                throw new SnapshotRejectedException(snapshot.label() + "/" + entry.name() + ": manifest says "
                        + entry.records() + " records, file has " + c[0]);
            }
            read += c[0];
            bad += c[1];
        }
        if (read != manifest.records()) {
            cached.unpersist();
            throw new SnapshotRejectedException(snapshot.label() + ": manifest says " + manifest.records()
                    + " records in total, files have " + read);
        }
        Dataset<Row> rows = cached.where(col(CORRUPT).isNull()).drop(CORRUPT);
        return new Result(rows, malformedRows(cached, snapshot.object()), read, bad, List.of(cached));
    }

    private static Map<String, long[]> countPerFile(Dataset<Row> df) {
        Map<String, long[]> out = new HashMap<>();
        for (Row r : df.groupBy("_source_file").agg(count(lit(1)), count(col(CORRUPT))).collectAsList()) {
            out.put(r.getString(0), new long[]{r.getLong(1), r.getLong(2)});
        }
        return out;
    }

    /** The snapshot failed to read as a whole: find and name the file that cannot be read. */
    private SnapshotRejectedException brokenFile(LandingSnapshot snapshot, List<Manifest.FileEntry> files, Manifest manifest,
                                                 RuntimeException whole) {
        if (whole instanceof SnapshotRejectedException rejected) {
            return rejected;
        }
        for (Manifest.FileEntry entry : files) {
            String fileLabel = snapshot.label() + "/" + entry.name();
            try {
                readFile(snapshot, entry.name(), formatOf(manifest, entry.name())).count();
            } catch (SnapshotRejectedException e) {
                return e;
            } catch (RuntimeException e) {
                return unreadable(fileLabel, e);
            }
        }
        return unreadable(snapshot.label(), whole);
    }

    /** A file's size as the landing's listing gave it, else asked of the store. */
    long fileSize(LandingSnapshot snapshot, String name) {
        FileStatus listed = snapshot.listedFiles() == null ? null : snapshot.listedFiles().get(name);
        return listed != null ? listed.getLen() : fileSize(new Path(snapshot.folder(), name), snapshot.label() + "/" + name);
    }

    long fileSize(Path path, String fileLabel) {
        try {
            FileSystem fs = FileSystem.get(URI.create(path.toString()), hadoopConf);
            FileStatus status = fs.getFileStatus(path);
            return status.getLen();
        } catch (FileNotFoundException e) {
            throw new SnapshotRejectedException(fileLabel + ": listed in the manifest but the file is missing");
        } catch (IOException e) {
            throw new SnapshotRejectedException(fileLabel + ": cannot stat file: " + oneLine(e));
        }
    }

    static String formatOf(Manifest manifest, String fileName) {
        String n = fileName.toLowerCase();
        if (n.endsWith(".csv") || n.endsWith(".csv.gz")) {
            return "csv";
        }
        if (n.endsWith(".json") || n.endsWith(".json.gz") || n.endsWith(".jsonl") || n.endsWith(".jsonl.gz")) {
            return "json";
        }
        if (n.endsWith(".parquet")) {
            return "parquet";
        }
        return manifest.format() == null ? "csv" : manifest.format().toLowerCase();
    }

    /** One file as strings, with {@code _source_file} and the malformed-row column; checks required columns. */
    private Dataset<Row> readFile(LandingSnapshot snapshot, String name, String format) {
        SourceObject object = snapshot.object();
        String path = new Path(snapshot.folder(), name).toString();
        String fileLabel = snapshot.label() + "/" + name;
        try {
            Dataset<Row> df = switch (object.isSegment() ? "segment" : format) {
                case "segment" -> readSegment(path);
                case "csv" -> readCsv(path, fileLabel);
                case "json" -> readJson(path);
                case "parquet" -> readParquet(path);
                default -> throw new SnapshotRejectedException(fileLabel + ": unsupported format '" + format + "'");
            };
            List<String> missing = new ArrayList<>();
            List<String> columns = List.of(df.columns());
            for (String required : object.requiredColumns()) {
                if (!columns.contains(required)) {
                    missing.add(required);
                }
            }
            if (!missing.isEmpty()) {
                throw new SnapshotRejectedException(fileLabel + ": missing required column"
                        + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing));
            }
            // position of the row in its file: the last tie-break between versions of one record
            if (List.of(df.columns()).contains(FILE_PATH)) {
                df = df.drop(FILE_PATH);
            }
            return flagInvalidUtf8(df).withColumn("_source_file", lit(fileLabel)).withColumn("_row_number", monotonically_increasing_id());
        } catch (SnapshotRejectedException e) {
            throw e;
        } catch (RuntimeException | IOException e) {
            throw unreadable(fileLabel, e);
        }
    }

    private Dataset<Row> readCsv(String path, String fileLabel) throws IOException {
        // RFC 4180: quoted fields may hold commas, quotes ("") and newlines
        List<String> header = CsvHeader.read(path, hadoopConf);
        if (header.isEmpty()) {
            throw new SnapshotRejectedException(fileLabel + ": file has no header row");
        }
        StructType schema = new StructType();
        for (String name : header) {
            schema = schema.add(name, DataTypes.StringType, true);
        }
        schema = schema.add(CORRUPT, DataTypes.StringType, true);
        return readCsv(schema, path);
    }

    /** CSV files that share one header, read as strings with the malformed-row column and {@link #FILE_PATH}. */
    Dataset<Row> readCsv(StructType schema, String... paths) {
        Dataset<Row> df = spark.read()
                .option("header", "true").option("multiLine", "true").option("escape", "\"")
                .option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
                .option("encoding", "UTF-8")
                .schema(schema)
                .csv(paths);
        return df.select(col("*"), col("_metadata.file_path").as(FILE_PATH));
    }

    /**
     * JSON-lines files as strings (nested values as their JSON text), with the malformed-row
     * column and {@link #FILE_PATH}. Read together, the files share one inferred schema: a field
     * a file lacks is null in its rows.
     */
    Dataset<Row> readJson(String... paths) {
        Dataset<Row> df = spark.read()
                .option("primitivesAsString", "true")
                .option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
                .json(paths);
        List<Column> cols = new ArrayList<>();
        for (StructField f : df.schema().fields()) {
            boolean nested = f.dataType() instanceof StructType || f.dataType() instanceof ArrayType
                    || f.dataType() instanceof MapType;
            cols.add((nested ? to_json(col(f.name())) : col(f.name()).cast("string")).as(f.name()));
        }
        if (!List.of(df.columns()).contains(CORRUPT)) {
            cols.add(lit(null).cast("string").as(CORRUPT));
        }
        cols.add(col("_metadata.file_path").as(FILE_PATH));
        return df.select(cols.toArray(Column[]::new));
    }

    private Dataset<Row> readParquet(String path) {
        Dataset<Row> df = spark.read().parquet(path);
        List<Column> cols = new ArrayList<>();
        for (StructField f : df.schema().fields()) {
            Column c = col(f.name());
            // keep timestamps in the landing contract's ISO-8601-with-offset form
            cols.add((f.dataType() instanceof TimestampType
                    ? date_format(c, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX") : c.cast("string")).as(f.name()));
        }
        cols.add(lit(null).cast("string").as(CORRUPT));
        return df.select(cols.toArray(Column[]::new));
    }

    /**
     * Segment lines are kept as text fields (nested objects as their JSON text); a line that is not
     * a JSON event is malformed. Each line is parsed once for all its fields ({@code json_tuple}),
     * not once per field: a year of events is parsed in every pass over it (count, write).
     */
    Dataset<Row> readSegment(String... paths) {
        Dataset<Row> lines = spark.read().text(paths).where(length(trim(col("value"))).gt(0));
        Dataset<Row> parsed = lines.select(col("value"), col("_metadata.file_path").as(FILE_PATH),
                json_tuple(col("value"), SEGMENT_FIELDS.toArray(String[]::new)));
        List<Column> cols = new ArrayList<>();
        for (String field : SEGMENT_FIELDS) {
            cols.add(parsedField(field).as(field));
        }
        Column valid = parsedField("messageId").isNotNull().and(parsedField("type").isNotNull());
        cols.add(when(valid, lit(null)).otherwise(col("value")).as(CORRUPT));
        cols.add(col(FILE_PATH));
        return parsed.select(cols.toArray(Column[]::new));
    }

    /** A Segment field as {@code json_tuple} names its column: c0, c1, … in the order of {@link #SEGMENT_FIELDS}. */
    private static Column parsedField(String field) {
        return col("c" + SEGMENT_FIELDS.indexOf(field));
    }

    /** Internal column: the file a row was read from, as Spark names it (dropped before bronze). */
    static final String FILE_PATH = "_file_path";

    /**
     * Bytes that are not UTF-8 decode to U+FFFD; such a row cannot be trusted field by field (a
     * name or an Id may be garbled), so it is malformed, with its decoded fields as the raw record.
     */
    static Dataset<Row> flagInvalidUtf8(Dataset<Row> df) {
        Column anyInvalid = lit(false);
        List<Column> fields = new ArrayList<>();
        for (String c : df.columns()) {
            if (!c.equals(CORRUPT) && !c.equals(FILE_PATH)) {
                anyInvalid = anyInvalid.or(coalesce(col("`" + c + "`").contains(REPLACEMENT), lit(false)));
                fields.add(col("`" + c + "`"));
            }
        }
        return df.withColumn(CORRUPT, when(col(CORRUPT).isNull().and(anyInvalid),
                to_json(struct(fields.toArray(Column[]::new)))).otherwise(col(CORRUPT)));
    }

    private static final String REPLACEMENT = "\uFFFD";

    /** @param extra columns of {@code file} kept beside the malformed-row columns */
    static Dataset<Row> malformedRows(Dataset<Row> file, SourceObject object, String... extra) {
        String idColumn = object.isSegment() ? "messageId" : "Id";
        Column id = List.of(file.columns()).contains(idColumn) ? col(idColumn) : lit(null).cast("string");
        String reason = object.isSegment()
                ? "malformed JSON line (not an event with messageId and type)"
                : "malformed row (wrong number of fields or unparseable record)";
        List<Column> cols = new ArrayList<>(List.of(id.as("record_id"),
                when(col(CORRUPT).contains(REPLACEMENT), lit("invalid UTF-8 bytes")).otherwise(lit(reason)).as("reason"),
                col(CORRUPT).as("raw_record"), col("_source_file")));
        for (String c : extra) {
            cols.add(col(c));
        }
        return file.where(col(CORRUPT).isNotNull()).select(cols.toArray(Column[]::new));
    }

    private Dataset<Row> emptyRows(SourceObject object) {
        StructType schema = new StructType();
        List<String> columns = object.isSegment() ? SEGMENT_FIELDS : object.requiredColumns();
        for (String c : columns) {
            schema = schema.add(c, DataTypes.StringType, true);
        }
        schema = schema.add("_source_file", DataTypes.StringType, true).add("_row_number", DataTypes.LongType, true);
        return spark.createDataFrame(List.of(), schema);
    }

    static StructType malformedSchema() {
        StructType s = new StructType();
        for (String c : MALFORMED_COLUMNS) {
            s = s.add(c, DataTypes.StringType, true);
        }
        return s;
    }

    private static SnapshotRejectedException unreadable(String fileLabel, Throwable e) {
        return new SnapshotRejectedException(fileLabel + ": unreadable file: " + oneLine(rootCause(e)));
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    static String oneLine(Throwable t) {
        String msg = t.getMessage() == null ? "" : t.getMessage();
        msg = msg.replaceAll("\\s+", " ").trim();
        if (msg.length() > 200) {
            msg = msg.substring(0, 200) + "…";
        }
        return t.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
    }
}
