package io.salespulse.common;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Progress lines on stdout while a run goes on: time, stage, what is happening. */
public final class Progress {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final PrintStream out;

    public Progress(PrintStream out) {
        this.out = out;
    }

    public static Progress stdout() {
        return new Progress(System.out);
    }

    public void step(String stage, String message) {
        out.printf("[%s] %-8s %s%n", LocalTime.now().format(CLOCK), stage, message);
        out.flush();
    }

    /** A table a layer has written, with its row count: {@code silver.fact_lead     240 rows}. */
    public void table(String layer, String table, long rows) {
        step(layer, String.format("%-58s %,9d rows", layer + "." + table, rows));
    }
}
