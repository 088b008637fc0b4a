package io.salespulse.ingest;

import org.apache.hadoop.fs.FileStatus;

import java.time.LocalDate;
import java.util.Map;

/**
 * One snapshot folder found in landing.
 *
 * @param folder        absolute URI of the folder
 * @param manifest      parsed manifest, or null when {@code manifestError} says why not
 * @param manifestError why the manifest could not be used (the snapshot is rejected), else null
 * @param manifestListing the manifest file's size and modification time as the landing's listing
 *                        gives them ({@link LandingScanner#listing}): what tells, without reading it,
 *                        that a loaded snapshot's manifest is the one that was loaded
 * @param listedFiles   each file in the folder, by its path inside it, as the landing's listing gave it
 *                      (size, time); null when the folder was not listed file by file (a local disk)
 */
public record LandingSnapshot(SourceObject object, LocalDate date, String folder, Manifest manifest, String manifestError,
                              String manifestListing, Map<String, FileStatus> listedFiles) {

    /** {@code salesforce/Lead/snapshot_date=2026-03-01}: how errors and logs name a snapshot. */
    public String label() {
        return object.landingDir() + "/" + object.partitionKey() + "=" + date;
    }
}
