package io.salespulse.cli;

/** Wrong command line: exit code 2. */
public final class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
