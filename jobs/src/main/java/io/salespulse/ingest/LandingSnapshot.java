package io.salespulse.ingest;

import java.time.LocalDate;

/**
 * One snapshot folder found in landing.
 *
 * @param folder        absolute URI of the folder
 * @param manifest      parsed manifest, or null when {@code manifestError} says why not
 * @param manifestError why the manifest could not be used (the snapshot is rejected), else null
 */
public record LandingSnapshot(SourceObject object, LocalDate date, String folder, Manifest manifest, String manifestError) {

    /** {@code salesforce/Lead/snapshot_date=2026-03-01}: how errors and logs name a snapshot. */
    public String label() {
        return object.landingDir() + "/" + object.partitionKey() + "=" + date;
    }
}
