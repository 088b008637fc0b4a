package io.salespulse.ingest;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Date;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.row_number;

/**
 * Reads many snapshots of one object with one Spark read and one counting job, instead of one
 * job per snapshot: a catch-up over a year of daily snapshots costs a few jobs per object. Every
 * check of {@link SnapshotReader} still holds per snapshot — manifest, file sizes, header and
 * required columns (on the driver, no Spark job), then rows per file and in total against the
 * manifest — and a snapshot that fails any of them is left out whole while the others load.
 * CSV, JSON-lines and Segment snapshots are batched; Parquet ones, a snapshot mixing formats, and
 * a batch with a file Spark cannot read go through {@link SnapshotReader} one snapshot at a time,
 * which names the file.
 *
 * <p>JSON files have no header to check on the driver: they are read together under one inferred
 * schema, and a snapshot with a file that has no rows or no value at all in a required column is
 * handed back ({@link Batch#single}) to be read on its own, where the file's own schema decides
 * (a missing column rejects it, a column present but empty does not), exactly as without batching.
 * One difference remains: a field that is an object in one file and plain text in another keeps
 * the object's JSON text as landed, where a file read alone would re-render it (keys sorted, nulls
 * dropped). Salesforce exports are flat.
 */
final class BatchReader {

    /**
     * @param rows      loadable rows of the accepted snapshots, with {@code _source_file},
     *                  {@code _row_number} (position in its file, from 1) and {@code _snapshot_date}
     * @param malformed malformed rows of the accepted snapshots, with {@code snapshot_date}
     * @param outcomes  per snapshot, in the order given: read/malformed counts, or the rejection
     * @param single    snapshots left out of the batch, to be read one at a time by {@link SnapshotReader}
     */
    record Batch(Dataset<Row> rows, Dataset<Row> malformed, Map<LandingSnapshot, Counts> outcomes,
                 List<LandingSnapshot> single, Dataset<Row> parsed) {

        /** Frees the parsed lines kept for the batch's passes, once its rows are written. */
        void release() {
            if (parsed != null) {
                parsed.unpersist();
            }
        }
    }

    /** @param reason null when the snapshot is accepted */
    record Counts(long rowsRead, long rowsMalformed, String reason) {
    }

    /** A file of the batch: where it is, what the manifest says of it, how logs name it, how it is read. */
    private record FileToRead(LandingSnapshot snapshot, Manifest.FileEntry entry, String path, String label, String format) {
    }

    /** A snapshot's driver checks: its files to read, or why it is rejected. */
    private record Checked(List<FileToRead> files, SnapshotRejectedException rejected) {
    }

    /** Files read with one Spark read: one format and, for CSV, one header. */
    private record ReadGroup(String format, List<String> header) {
    }

    private final SparkSession spark;
    private final SnapshotReader reader;

    BatchReader(SparkSession spark, SnapshotReader reader) {
        this.spark = spark;
        this.reader = reader;
    }

    /** Segment snapshots, and Salesforce ones whose files are all CSV or all JSON, can be read together. */
    static boolean batchable(LandingSnapshot snapshot) {
        if (snapshot.object().isSegment()) {
            return true;
        }
        if (snapshot.manifest() == null) {
            return true; // rejected on the driver by the checks below
        }
        Set<String> formats = new HashSet<>();
        for (Manifest.FileEntry e : snapshot.manifest().files()) {
            formats.add(SnapshotReader.formatOf(snapshot.manifest(), e.name()));
        }
        return formats.size() <= 1 && List.of("csv", "json").containsAll(formats);
    }

    /**
     * @throws RuntimeException when Spark cannot read some file of the batch (the caller then
     *                          reads snapshot by snapshot to name it)
     */
    Batch read(SourceObject object, List<LandingSnapshot> snapshots) {
        Map<LandingSnapshot, Counts> outcomes = new LinkedHashMap<>();
        List<FileToRead> files = new ArrayList<>();
        Map<ReadGroup, List<FileToRead>> groups = new LinkedHashMap<>();
        // the snapshots checked side by side (a header, maybe a size, per file: round trips to the store)
        List<Checked> checked = LandingRequests.each(snapshots, snapshot -> {
            try {
                return new Checked(checkOnDriver(snapshot), null);
            } catch (SnapshotRejectedException e) {
                return new Checked(null, e);
            }
        });
        for (int i = 0; i < snapshots.size(); i++) {
            LandingSnapshot snapshot = snapshots.get(i);
            Checked c = checked.get(i);
            if (c.rejected() != null) {
                outcomes.put(snapshot, new Counts(0, 0, c.rejected().getMessage()));
                continue;
            }
            List<FileToRead> own = c.files();
            if (own.isEmpty()) {
                outcomes.put(snapshot, new Counts(0, 0, null));
                continue;
            }
            Map<ReadGroup, List<FileToRead>> mine = new LinkedHashMap<>();
            for (FileToRead f : own) {
                mine.computeIfAbsent(new ReadGroup(f.format(), header(f)), k -> new ArrayList<>()).add(f);
            }
            mine.forEach((g, fs) -> groups.computeIfAbsent(g, k -> new ArrayList<>()).addAll(fs));
            files.addAll(own);
            outcomes.put(snapshot, null); // counted below
        }
        if (files.isEmpty()) {
            return new Batch(null, null, outcomes, List.of(), null);
        }
        Dataset<Row> all = null;
        for (Map.Entry<ReadGroup, List<FileToRead>> group : groups.entrySet()) {
            String[] paths = group.getValue().stream().map(FileToRead::path).toArray(String[]::new);
            Dataset<Row> df = switch (group.getKey().format()) {
                case "segment" -> reader.readSegment(paths);
                case "json" -> reader.readJson(paths);
                default -> reader.readCsv(schema(group.getKey().header()), paths);
            };
            // read order within a file, before any shuffle: the last tie-break between versions of a record
            df = SnapshotReader.flagInvalidUtf8(df).withColumn("_read_order", monotonically_increasing_id());
            all = all == null ? df : all.unionByName(df, true);
        }
        // parsed once and kept (spilling to local disk when large): the counting job, the malformed
        // rows and the write each took a pass over the files, and parsing is most of a pass
        all = all.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return read(object, all, files, outcomes);
        } catch (RuntimeException e) {
            all.unpersist();
            throw e;
        }
    }

    private Batch read(SourceObject object, Dataset<Row> all, List<FileToRead> files, Map<LandingSnapshot, Counts> outcomes) {
        // one job: per file as Spark names it, rows, malformed rows, and values of each required column
        List<Column> counts = new ArrayList<>(List.of(count(lit(1)), count(col(SnapshotReader.CORRUPT))));
        List<String> columns = List.of(all.columns());
        for (String required : object.requiredColumns()) {
            counts.add(columns.contains(required) ? count(col(required)) : lit(0L));
        }
        Map<String, long[]> counted = new HashMap<>();
        Map<String, String> spellings = new HashMap<>();
        for (Row r : all.groupBy(SnapshotReader.FILE_PATH).agg(counts.get(0), counts.subList(1, counts.size()).toArray(Column[]::new))
                .collectAsList()) {
            long[] c = new long[r.size() - 1];
            for (int i = 0; i < c.length; i++) {
                c[i] = r.getLong(i + 1);
            }
            counted.put(sparkKey(r.getString(0)), c);
            spellings.put(sparkKey(r.getString(0)), r.getString(0));
        }
        Map<String, Row> accepted = new LinkedHashMap<>();
        List<LandingSnapshot> single = new ArrayList<>();
        for (Map.Entry<LandingSnapshot, Counts> e : outcomes.entrySet()) {
            if (e.getValue() != null) {
                continue;
            }
            LandingSnapshot snapshot = e.getKey();
            List<FileToRead> own = files.stream().filter(f -> f.snapshot() == snapshot).toList();
            if (own.stream().anyMatch(f -> f.format().equals("json") && lacksARequiredValue(counted.get(key(f.path()))))) {
                single.add(snapshot); // its files' own schemas decide: read alone, as without batching
                continue;
            }
            Counts c = compare(snapshot, own, counted);
            e.setValue(c);
            if (c.reason() == null) {
                for (FileToRead f : own) {
                    accepted.put(key(f.path()), RowFactory.create(f.path(), f.label(), Date.valueOf(snapshot.date())));
                }
            }
        }
        single.forEach(outcomes::remove);
        if (accepted.isEmpty()) {
            all.unpersist();
            return new Batch(null, null, outcomes, single, null);
        }
        // file → (_source_file, _snapshot_date), matched by Spark's own spelling of each path
        List<Row> mapping = new ArrayList<>();
        accepted.forEach((key, r) -> mapping.add(RowFactory.create(spellings.get(key), r.getString(1), r.getDate(2))));
        Dataset<Row> acceptedFiles = spark.createDataFrame(mapping, new StructType()
                .add(SnapshotReader.FILE_PATH, DataTypes.StringType).add("_source_file", DataTypes.StringType)
                .add("_snapshot_date", DataTypes.DateType));
        Dataset<Row> labelled = all.join(broadcast(acceptedFiles), SnapshotReader.FILE_PATH);
        Dataset<Row> rows = labelled.where(col(SnapshotReader.CORRUPT).isNull())
                .withColumn("_row_number", row_number().over(Window.partitionBy("_source_file").orderBy("_read_order")).cast("long"))
                .drop(SnapshotReader.CORRUPT, SnapshotReader.FILE_PATH, "_read_order");
        Dataset<Row> malformed = SnapshotReader.malformedRows(labelled.withColumnRenamed("_snapshot_date", "snapshot_date"),
                object, "snapshot_date");
        return new Batch(rows, malformed, outcomes, single, all);
    }

    /** A JSON file with no rows, or with no value in some required column (per-file counts from the batch). */
    private static boolean lacksARequiredValue(long[] counts) {
        if (counts == null) {
            return true;
        }
        for (int i = 2; i < counts.length; i++) {
            if (counts[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** Manifest, file sizes, header and required columns: no Spark job. Empty files are not read. */
    private List<FileToRead> checkOnDriver(LandingSnapshot snapshot) {
        if (snapshot.manifest() == null) {
            throw new SnapshotRejectedException(snapshot.label() + "/" + LandingScanner.MANIFEST + ": " + snapshot.manifestError());
        }
        Manifest manifest = snapshot.manifest();
        List<FileToRead> out = new ArrayList<>();
        for (Manifest.FileEntry entry : manifest.files()) {
            Path path = new Path(snapshot.folder(), entry.name());
            String label = snapshot.label() + "/" + entry.name();
            if (reader.fileSize(snapshot, entry.name()) > 0 || entry.records() > 0) {
                String format = snapshot.object().isSegment() ? "segment" : SnapshotReader.formatOf(manifest, entry.name());
                out.add(new FileToRead(snapshot, entry, path.toString(), label, format));
            }
        }
        if (out.isEmpty() && manifest.records() != 0) {
            throw new SnapshotRejectedException(snapshot.label() + ": manifest says " + manifest.records()
                    + " records in total, files have 0");
        }
        if (!snapshot.object().isSegment()) {
            for (FileToRead f : out.stream().filter(f -> f.format().equals("csv")).toList()) {
                List<String> header = header(f);
                if (header.isEmpty()) {
                    throw new SnapshotRejectedException(f.label() + ": file has no header row");
                }
                List<String> missing = snapshot.object().requiredColumns().stream().filter(c -> !header.contains(c)).toList();
                if (!missing.isEmpty()) {
                    throw new SnapshotRejectedException(f.label() + ": missing required column"
                            + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing));
                }
            }
        }
        return out;
    }

    /** Filled by the snapshots' checks, which run side by side (no request is made under a lock). */
    private final Map<String, List<String>> headers = new java.util.concurrent.ConcurrentHashMap<>();

    /** A CSV file's column names (read once); Segment and JSON files have none. */
    private List<String> header(FileToRead f) {
        if (!f.format().equals("csv")) {
            return List.of();
        }
        List<String> known = headers.get(f.path());
        if (known != null) {
            return known;
        }
        List<String> header;
        try {
            header = CsvHeader.read(f.path(), reader.hadoopConf());
        } catch (IOException | RuntimeException e) {
            throw new SnapshotRejectedException(f.label() + ": unreadable file: " + SnapshotReader.oneLine(e));
        }
        headers.put(f.path(), header);
        return header;
    }

    private static StructType schema(List<String> header) {
        StructType schema = new StructType();
        for (String name : header) {
            schema = schema.add(name, DataTypes.StringType, true);
        }
        return schema.add(SnapshotReader.CORRUPT, DataTypes.StringType, true);
    }

    /** Rows per file and in total must be what the manifest says. */
    private static Counts compare(LandingSnapshot snapshot, List<FileToRead> own, Map<String, long[]> counted) {
        long read = 0;
        long bad = 0;
        for (FileToRead f : own) {
            long[] c = counted.getOrDefault(key(f.path()), new long[]{0, 0});
            if (c[0] != f.entry().records()) {
                return new Counts(0, 0, f.label() + ": manifest says " + f.entry().records() + " records, file has " + c[0]);
            }
            read += c[0];
            bad += c[1];
        }
        if (read != snapshot.manifest().records()) {
            return new Counts(0, 0, snapshot.label() + ": manifest says " + snapshot.manifest().records()
                    + " records in total, files have " + read);
        }
        return new Counts(read, bad, null);
    }

    /** Authority and decoded path of a Hadoop path string ({@code file:/x}, {@code s3a://bucket/x}). */
    private static String key(String hadoopPath) {
        URI u = new Path(hadoopPath).toUri();
        return (u.getAuthority() == null ? "" : u.getAuthority()) + u.getPath();
    }

    /** The same for a file path as Spark reports it (a URI string, percent-encoded). */
    private static String sparkKey(String uri) {
        try {
            URI u = new URI(uri);
            return (u.getAuthority() == null ? "" : u.getAuthority()) + u.getPath();
        } catch (URISyntaxException e) {
            return key(uri);
        }
    }
}
