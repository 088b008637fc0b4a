package io.salespulse.notify;

/** Somewhere an alert message is sent: an e-mail list, a chat webhook. */
public interface AlertChannel {

    /** {@code email} or {@code webhook}: remembered per alert in ops.alert_deliveries. */
    String name();

    /** Where it goes, safe to log and store: no password, no URL token, no address. */
    String target();

    /** One attempt; a failure says whether trying again can help. */
    void send(AlertMessage message) throws DeliveryException;

    /** A failed attempt. {@code retryable}: a timeout, a 5xx, a dropped connection; not a refused login. */
    final class DeliveryException extends Exception {
        private final boolean retryable;

        public DeliveryException(String message, boolean retryable) {
            super(message);
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }
}
