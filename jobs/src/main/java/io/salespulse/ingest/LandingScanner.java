package io.salespulse.ingest;

import io.salespulse.common.Uris;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds snapshot folders in landing. A folder is complete only once its {@code _manifest.json}
 * exists (the extractor writes it last); a folder without one is reported as waiting, never read.
 */
public final class LandingScanner {

    public static final String MANIFEST = "_manifest.json";

    /** @param waiting folders dated ≤ the run date that have no manifest yet */
    public record Scan(List<LandingSnapshot> complete, List<String> waiting) {
    }

    private final String landingRoot;
    private final Configuration hadoopConf;

    public LandingScanner(String landingRoot, Configuration hadoopConf) {
        this.landingRoot = landingRoot;
        this.hadoopConf = hadoopConf;
    }

    /** Every snapshot dated on or before {@code runDate}, oldest first. */
    public Scan scan(LocalDate runDate) {
        List<LandingSnapshot> complete = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        try {
            FileSystem fs = FileSystem.get(URI.create(landingRoot), hadoopConf);
            for (SourceObject object : SourceObject.values()) {
                Path dir = new Path(Uris.join(landingRoot, object.landingDir()));
                FileStatus[] children;
                try {
                    children = fs.listStatus(dir);
                } catch (FileNotFoundException none) {
                    continue;
                }
                String prefix = object.partitionKey() + "=";
                for (FileStatus child : children) {
                    String name = child.getPath().getName();
                    if (!child.isDirectory() || !name.startsWith(prefix)) {
                        continue;
                    }
                    LocalDate date;
                    try {
                        date = LocalDate.parse(name.substring(prefix.length()));
                    } catch (DateTimeParseException notADate) {
                        waiting.add(object.landingDir() + "/" + name + " (folder name is not " + prefix + "YYYY-MM-DD; ignored)");
                        continue;
                    }
                    if (date.isAfter(runDate)) {
                        continue;
                    }
                    Path manifestPath = new Path(child.getPath(), MANIFEST);
                    String folder = child.getPath().toString();
                    if (!fs.exists(manifestPath)) {
                        waiting.add(object.landingDir() + "/" + name);
                        continue;
                    }
                    complete.add(readManifest(fs, object, date, folder, manifestPath));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list landing at " + landingRoot + ": " + e.getMessage(), e);
        }
        complete.sort(Comparator.comparing(LandingSnapshot::date).thenComparing(s -> s.object().ordinal()));
        return new Scan(complete, waiting);
    }

    private static LandingSnapshot readManifest(FileSystem fs, SourceObject object, LocalDate date, String folder, Path path)
            throws IOException {
        String text;
        try (FSDataInputStream in = fs.open(path)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            return new LandingSnapshot(object, date, folder, Manifest.parse(text), null);
        } catch (IllegalArgumentException bad) {
            return new LandingSnapshot(object, date, folder, null, bad.getMessage());
        }
    }
}
