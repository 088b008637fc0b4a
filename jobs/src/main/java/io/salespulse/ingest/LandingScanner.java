package io.salespulse.ingest;

import io.salespulse.common.Uris;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds snapshot folders in landing. A folder is complete only once its {@code _manifest.json}
 * exists (the extractor writes it last); a folder without one is reported as waiting, never read.
 */
public final class LandingScanner {

    public static final String MANIFEST = "_manifest.json";

    /**
     * @param waiting folders dated ≤ the run date that have no manifest yet
     * @param known   folders left unread: loaded before, their manifest listed as it was then
     */
    public record Scan(List<LandingSnapshot> complete, List<String> waiting, int known) {
    }

    private final String landingRoot;
    private final Configuration hadoopConf;

    public LandingScanner(String landingRoot, Configuration hadoopConf) {
        this.landingRoot = landingRoot;
        this.hadoopConf = hadoopConf;
    }

    /** Every snapshot dated on or before {@code runDate}, oldest first. */
    public Scan scan(LocalDate runDate) {
        return scan(runDate, Map.of());
    }

    /**
     * Every snapshot dated on or before {@code runDate}, oldest first, but for those already loaded
     * whose manifest is listed as it was when they were loaded: a nightly run lists the landing (on
     * an object store one recursive listing per object) and reads only the new or changed manifests,
     * instead of asking for and reading the manifest of every folder of the landing's history.
     *
     * @param loaded {@link #key} of each loaded snapshot → the {@link #listing} of its manifest then
     */
    public Scan scan(LocalDate runDate, Map<String, String> loaded) {
        List<ToRead> toRead = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        int known = 0;
        FileSystem fs;
        try {
            fs = FileSystem.get(URI.create(landingRoot), hadoopConf);
            for (SourceObject object : SourceObject.values()) {
                Path dir = new Path(Uris.join(landingRoot, object.landingDir()));
                FileStatus[] children;
                try {
                    children = fs.listStatus(dir);
                } catch (FileNotFoundException none) {
                    continue;
                }
                // on a local disk each folder is asked instead: a recursive listing there asks the operating
                // system for every file's owner and permissions (a process per file: 100 s more for a year
                // of landing at scale 0.1, measured)
                Map<String, Map<String, FileStatus>> listed = "file".equals(fs.getScheme()) ? null : listFolders(fs, dir);
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
                    Map<String, FileStatus> inFolder = listed != null ? listed.getOrDefault(name, Map.of()) : null;
                    FileStatus manifest = inFolder != null ? inFolder.get(MANIFEST) : manifestIn(fs, child.getPath());
                    if (manifest == null) {
                        waiting.add(object.landingDir() + "/" + name);
                        continue;
                    }
                    String listing = listing(manifest);
                    if (listing.equals(loaded.get(key(object.bronzeTable(), date)))) {
                        known++;
                        continue;
                    }
                    toRead.add(new ToRead(object, date, child.getPath().toString(), manifest.getPath(), listing, inFolder));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list landing at " + landingRoot + ": " + e.getMessage(), e);
        }
        // the new manifests read side by side: a catch-up reads thousands, each a round trip to the store
        List<LandingSnapshot> complete = new ArrayList<>(LandingRequests.each(toRead, r -> readManifest(fs, r)));
        complete.sort(Comparator.comparing(LandingSnapshot::date).thenComparing(s -> s.object().ordinal()));
        return new Scan(complete, waiting, known);
    }

    /** A folder with a manifest to read. */
    private record ToRead(SourceObject object, LocalDate date, String folder, Path manifest, String listing,
                          Map<String, FileStatus> files) {
    }

    /** How a loaded snapshot is named in {@link #scan(LocalDate, Map)}'s {@code loaded}. */
    public static String key(String bronzeTable, LocalDate date) {
        return bronzeTable + "|" + date;
    }

    /**
     * A manifest file's size and modification time, from a listing: a re-extracted snapshot's manifest
     * is a new file (written last, with a new extraction time), so the listing changes with it.
     */
    public static String listing(FileStatus manifest) {
        return manifest.getLen() + " bytes, modified " + manifest.getModificationTime();
    }

    /**
     * The object's snapshot folders, by folder name, each with its files by their path inside it
     * (the folder's manifest is {@link #MANIFEST} there; one deeper down belongs to no snapshot), from
     * one recursive listing (on an object store a request per thousand files, where asking each folder
     * is a request per folder, and each file's size or status another).
     */
    private static Map<String, Map<String, FileStatus>> listFolders(FileSystem fs, Path dir) throws IOException {
        Map<String, Map<String, FileStatus>> listed = new HashMap<>();
        Path root = fs.makeQualified(dir);
        String rootPath = root.toUri().getPath() + "/";
        RemoteIterator<LocatedFileStatus> files = fs.listFiles(dir, true);
        while (files.hasNext()) {
            LocatedFileStatus f = files.next();
            String path = f.getPath().toUri().getPath();
            int slash = path.startsWith(rootPath) ? path.indexOf('/', rootPath.length()) : -1;
            if (slash < 0) {
                continue; // a file beside the folders belongs to no snapshot
            }
            String folder = path.substring(rootPath.length(), slash);
            String inFolder = path.substring(slash + 1);
            listed.computeIfAbsent(folder, k -> new HashMap<>()).put(inFolder, f);
        }
        return listed;
    }

    /** The folder's manifest, or null when it has none yet. */
    private static FileStatus manifestIn(FileSystem fs, Path folder) throws IOException {
        try {
            FileStatus status = fs.getFileStatus(new Path(folder, MANIFEST));
            return status.isFile() ? status : null;
        } catch (FileNotFoundException none) {
            return null;
        }
    }

    private static LandingSnapshot readManifest(FileSystem fs, ToRead r) {
        String text;
        try (FSDataInputStream in = fs.open(r.manifest())) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + r.manifest() + ": " + e.getMessage(), e);
        }
        try {
            return new LandingSnapshot(r.object(), r.date(), r.folder(), Manifest.parse(text), null, r.listing(), r.files());
        } catch (IllegalArgumentException bad) {
            return new LandingSnapshot(r.object(), r.date(), r.folder(), null, bad.getMessage(), r.listing(), r.files());
        }
    }
}
