package io.salespulse.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Hand-made snapshot folders on local disk, for ingestion tests. */
public final class LandingFixture {

    private final Path root;

    public LandingFixture(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public String uri() {
        return root.toUri().toString();
    }

    /** A snapshot under construction: add files, then {@link #manifest()} (or leave it out). */
    public final class Snapshot {
        private final Path folder;
        private final String source;
        private final String object;
        private String mode = "incremental";
        private final Map<String, Long> files = new LinkedHashMap<>();

        Snapshot(String source, String object, String partition) {
            this.source = source;
            this.object = object;
            this.folder = root.resolve(source).resolve(object).resolve(partition);
            try {
                Files.createDirectories(folder);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public Path folder() {
            return folder;
        }

        public Snapshot full() {
            mode = "full";
            return this;
        }

        /** Writes a file (gzip by its name) and records its row count for the manifest. */
        public Snapshot file(String name, long records, String content) {
            return bytes(name, records, name.endsWith(".gz") ? gzip(content) : content.getBytes(StandardCharsets.UTF_8));
        }

        public Snapshot bytes(String name, long records, byte[] content) {
            try {
                Files.write(folder.resolve(name), content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            files.put(name, records);
            return this;
        }

        /** Lists a file in the manifest without writing it (or overrides its count). */
        public Snapshot listed(String name, long records) {
            files.put(name, records);
            return this;
        }

        public Snapshot manifest() {
            long total = files.values().stream().mapToLong(Long::longValue).sum();
            List<String> entries = new ArrayList<>();
            files.forEach((n, c) -> entries.add("{\"name\": \"" + n + "\", \"records\": " + c + "}"));
            String json = "{\"source\": \"" + source + "\", \"object\": \"" + object + "\", \"mode\": \"" + mode
                    + "\", \"extracted_at\": \"2026-03-02T01:15:00Z\", \"format\": \"csv\", \"files\": ["
                    + String.join(", ", entries) + "], \"records\": " + total + "}";
            return rawManifest(json);
        }

        public Snapshot rawManifest(String json) {
            try {
                Files.writeString(folder.resolve("_manifest.json"), json);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }
    }

    public Snapshot salesforce(String object, String date) {
        return new Snapshot("salesforce", object, "snapshot_date=" + date);
    }

    public Snapshot segment(String date) {
        return new Snapshot("segment", "events", "received_date=" + date);
    }

    public static byte[] gzip(String content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A valid Lead CSV with the given rows ({@code Id,Email}) and every required column. */
    public static String leadCsv(String... idAndEmail) {
        StringBuilder sb = new StringBuilder(
                "Id,IsDeleted,CreatedDate,SystemModstamp,FirstName,LastName,Email,Phone,LeadSource,Status,OwnerId,IsConverted\n");
        for (String ie : idAndEmail) {
            String[] p = ie.split(",", 2);
            sb.append(p[0]).append(",false,2026-03-01T10:00:00.000+0000,2026-03-01T10:00:00.000+0000,Ada,Lovelace,")
                    .append(p.length > 1 ? p[1] : "").append(",+1 555 0100,Web,Open,005000000000000001,false\n");
        }
        return sb.toString();
    }
}
