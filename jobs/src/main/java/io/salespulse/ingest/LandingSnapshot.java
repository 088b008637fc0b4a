package io.salespulse.ingest;

import java.time.LocalDate;

/**
 * One snapshot folder found in landing.
 *
 * @param folder        absolute URI of the folder
 * @param manifest      parsed manifest, or null when {@code manifestError} says why not
 * @param manifestError why the manifest could not be used (the snapshot is rejected), else null
 * @param manifestListing the manifest file's size and modification time as the landing's listing
 *                        gives them ({@link LandingScanner#listing}): what tells, without reading it,
 *                        that a loaded snapshot's manifest is the one that was loaded
 */
public record LandingSnapshot(SourceObject object, LocalDate date, String folder, Manifest manifest, String manifestError,
                              String manifestListing) {

    /** {@code salesforce/Lead/snapshot_date=2026-03-01}: how errors and logs name a snapshot. */
    public String label() {
        return object.landingDir() + "/" + object.partitionKey() + "=" + date;
    }
}
