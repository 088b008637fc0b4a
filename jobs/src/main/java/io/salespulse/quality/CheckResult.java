package io.salespulse.quality;

/**
 * One data-quality check's outcome. An {@code error} check that fails stops the run before gold
 * is published; a {@code warn} check is recorded and printed only.
 *
 * @param observed the number the check measured (duplicate keys, orphan rows, today's rows, ...)
 */
public record CheckResult(String layer, String check, String tableName, String severity, boolean passed,
                          long observed, String detail) {

    public static final String ERROR = "error";
    public static final String WARN = "warn";

    public boolean blocking() {
        return !passed && ERROR.equals(severity);
    }

    public String describe() {
        return layer + "." + tableName + " " + check + ": " + detail;
    }
}
