package io.salespulse.gate;

/** An error-level data-quality check failed: the run stops before publishing gold (exit 3). */
public final class QualityGateException extends RuntimeException {

    public QualityGateException(String message) {
        super(message);
    }
}
