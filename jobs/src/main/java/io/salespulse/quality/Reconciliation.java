package io.salespulse.quality;

/** Per source object, where its bronze rows went: rows in = quarantined + superseded + deleted + current. */
public record Reconciliation(String tableName, long rowsIn, long quarantined, long superseded, long deleted, long current) {
}
