package io.salespulse.ingest;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.LocalDate;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The landing scan reads a loaded snapshot's manifest again only when the listing shows it changed:
 * a nightly run would otherwise read every manifest of the landing's history (two requests a folder
 * to an object store). No Spark: the local file system through Hadoop, as a run sees it.
 */
class LandingScannerTest {

    private static final String MANIFEST = """
            {"source": "salesforce", "object": "Lead", "mode": "incremental", "extracted_at": "2026-03-02T01:15:00Z",
             "format": "csv", "files": [{"name": "part-00000.csv", "records": 1}], "records": 1}""";
    private static final LocalDate D1 = LocalDate.of(2026, 3, 1);
    private static final LocalDate D2 = LocalDate.of(2026, 3, 2);
    private static final LocalDate D3 = LocalDate.of(2026, 3, 3);

    @TempDir
    Path landing;

    @Test
    void readsTheManifestsOfNewFoldersAndOfChangedOnesOnly() throws IOException {
        Path first = snapshot(D1, MANIFEST);
        snapshot(D2, MANIFEST);
        // a folder whose only manifest is one level too deep is still waiting for its own
        Path third = folder(D3);
        Files.createDirectories(third.resolve("retry"));
        Files.writeString(third.resolve("retry").resolve(LandingScanner.MANIFEST), MANIFEST);
        snapshot(D3.plusDays(1), MANIFEST); // after the run date

        LandingScanner.Scan all = scanner().scan(D3);
        assertThat(all.complete()).extracting(LandingSnapshot::date).containsExactly(D1, D2);
        assertThat(all.complete()).allSatisfy(s -> assertThat(s.manifest()).isNotNull());
        assertThat(all.waiting()).containsExactly("salesforce/Lead/snapshot_date=" + D3);
        assertThat(all.known()).isZero();
        String listing = all.complete().get(0).manifestListing();
        assertThat(listing).isEqualTo(Files.size(first.resolve(LandingScanner.MANIFEST)) + " bytes, modified "
                + Files.getLastModifiedTime(first.resolve(LandingScanner.MANIFEST)).toMillis());

        // D1 loaded with that manifest: not read again, even when its bytes would no longer parse,
        // as long as the listing shows the same file
        Path manifest = first.resolve(LandingScanner.MANIFEST);
        FileTime modified = Files.getLastModifiedTime(manifest);
        Files.writeString(manifest, "x".repeat(MANIFEST.length()));
        Files.setLastModifiedTime(manifest, modified);
        Map<String, String> loaded = Map.of(LandingScanner.key(SourceObject.LEAD.bronzeTable(), D1), listing);
        LandingScanner.Scan nightly = scanner().scan(D3, loaded);
        assertThat(nightly.complete()).extracting(LandingSnapshot::date).containsExactly(D2);
        assertThat(nightly.known()).isEqualTo(1);

        // re-delivered (a new file: another modification time): read again, and here found unusable
        Files.setLastModifiedTime(manifest, FileTime.fromMillis(modified.toMillis() + 60_000));
        LandingScanner.Scan redelivered = scanner().scan(D3, loaded);
        assertThat(redelivered.complete()).extracting(LandingSnapshot::date).containsExactly(D1, D2);
        assertThat(redelivered.complete().get(0).manifest()).isNull();
        assertThat(redelivered.complete().get(0).manifestError()).isEqualTo("manifest is not valid JSON");
        assertThat(redelivered.known()).isZero();
    }

    private LandingScanner scanner() {
        return new LandingScanner(landing.toUri().toString(), new Configuration());
    }

    private Path folder(LocalDate date) throws IOException {
        return Files.createDirectories(landing.resolve(SourceObject.LEAD.landingDir())
                .resolve(SourceObject.LEAD.partitionKey() + "=" + date));
    }

    private Path snapshot(LocalDate date, String manifest) throws IOException {
        Path dir = folder(date);
        Files.writeString(dir.resolve("part-00000.csv"), "Id\n1\n");
        Files.writeString(dir.resolve(LandingScanner.MANIFEST), manifest);
        return dir;
    }
}
