package io.salespulse.ingest;

/** A snapshot that cannot be loaded whole; the message is the one-line reason, naming the file. */
public final class SnapshotRejectedException extends RuntimeException {

    public SnapshotRejectedException(String message) {
        super(message);
    }
}
