package io.salespulse.datagen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.common.Uris;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes snapshot folders exactly as extractors do (docs/landing.md): part files first,
 * {@code _manifest.json} last, through the Hadoop file system (s3a://, file://).
 */
public final class LandingWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Rows per part file; larger snapshots are split like an extractor would. */
    private final int rowsPerFile;
    private final String landingRoot;
    private final FileSystem fs;

    public LandingWriter(String landingRoot, Configuration hadoopConf, int rowsPerFile) {
        this.landingRoot = landingRoot;
        this.rowsPerFile = rowsPerFile;
        try {
            this.fs = FileSystem.get(URI.create(landingRoot), hadoopConf);
            fs.setWriteChecksum(false); // no .crc side files on local disk: extractors do not write them
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + landingRoot, e);
        }
    }

    /** A row as it will be written: raw text lines (one per record) for a part file. */
    public record Snapshot(String source, String object, String partitionKey, LocalDate date, String mode,
                           String format, Instant extractedAt, List<String> header, List<String> records) {
    }

    public void write(Snapshot s) {
        String folder = Uris.join(landingRoot, s.source(), s.object(), s.partitionKey() + "=" + s.date());
        String ext = switch (s.format()) {
            case "csv" -> ".csv.gz";
            case "csv-plain" -> ".csv";
            case "json" -> ".json";
            default -> ".json.gz";
        };
        List<long[]> counts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int parts = Math.max(1, (s.records().size() + rowsPerFile - 1) / rowsPerFile);
        try {
            for (int p = 0; p < parts; p++) {
                String name = String.format("part-%05d%s", p, ext);
                List<String> slice = s.records().subList(p * rowsPerFile, Math.min(s.records().size(), (p + 1) * rowsPerFile));
                try (Writer w = open(new Path(folder, name), ext.endsWith(".gz"))) {
                    if (s.header() != null) {
                        w.write(String.join(",", s.header()));
                        w.write("\r\n");
                    }
                    for (String line : slice) {
                        w.write(line);
                        w.write(s.header() != null ? "\r\n" : "\n");
                    }
                }
                names.add(name);
                counts.add(new long[]{slice.size()});
            }
            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("source", s.source());
            manifest.put("object", s.object());
            manifest.put("mode", s.mode());
            manifest.put("extracted_at", s.extractedAt().toString());
            manifest.put("format", s.format().startsWith("csv") ? "csv" : "json");
            ArrayNode files = manifest.putArray("files");
            for (int i = 0; i < names.size(); i++) {
                files.addObject().put("name", names.get(i)).put("records", counts.get(i)[0]);
            }
            manifest.put("records", s.records().size());
            try (Writer w = open(new Path(folder, "_manifest.json"), false)) {
                w.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write snapshot " + folder + ": " + e.getMessage(), e);
        }
    }

    private Writer open(Path path, boolean gzip) throws IOException {
        FSDataOutputStream raw = fs.create(path, true);
        OutputStream out = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw;
        return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    }

    /** RFC 4180: quote fields holding a comma, quote or line break; double the quotes; null is empty. */
    public static String csvLine(List<String> header, Map<String, String> row) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < header.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String v = row.get(header.get(i));
            if (v == null) {
                continue;
            }
            if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                sb.append('"').append(v.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(v);
            }
        }
        return sb.toString();
    }

    public static String jsonLine(Map<String, ?> row) {
        try {
            return JSON.writeValueAsString(row);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
