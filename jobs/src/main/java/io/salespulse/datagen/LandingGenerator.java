package io.salespulse.datagen;

import io.salespulse.common.Progress;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a landing tree for {@code days} days from {@code start}: a {@code full} snapshot of every
 * object on day 1, {@code incremental} ones after (the small User and Product2 objects are
 * extracted in full every day), Segment events by received date, manifests written last.
 * {@code scale} 1.0 is a mid-size B2B company for a year (over 1M CRM rows, ~10M events).
 * Snapshots are written by a few threads while the next day is simulated: each one is a few
 * small files, and to an object store every file is a round trip (the demo's 90 days are ~2,300
 * files: 40 s one after the other to the local S3 server).
 */
public final class LandingGenerator {

    /** Snapshots written at once; also bounds the days held in memory waiting to be written. */
    private static final int WRITERS = 4;

    /** Extractor output format per object: most CSV.gz, some JSON, one plain CSV. */
    private static final Map<String, String> FORMAT = Map.of("Campaign", "json", "Product2", "json-gz", "User", "csv-plain");

    private final LandingWriter writer;
    private final Progress progress;

    public LandingGenerator(LandingWriter writer, Progress progress) {
        this.writer = writer;
        this.progress = progress;
    }

    /** Totals of what was written. */
    public record Totals(long crmRows, long events, long malformedRows, int snapshots) {
    }

    public Totals generate(LocalDate start, int days, double scale, long seed, double malformedRate) {
        return generate(start, days, scale, seed, malformedRate, null);
    }

    /** @param shakeUp a date whose changes reach far into the past (see DemoCompany.shakeUp), or null */
    public Totals generate(LocalDate start, int days, double scale, long seed, double malformedRate, LocalDate shakeUp) {
        DemoCompany company = new DemoCompany(seed, scale, start, days, malformedRate, shakeUp);
        // malformed rows are drawn from their own stream so that the rate does not change the business data
        Random corrupt = new Random(seed * 31 + 7);
        long crm = 0;
        long events = 0;
        long malformed = 0;
        int snapshots = 0;
        try (ParallelWrites writes = new ParallelWrites(writer)) {
            for (int d = 0; d < days; d++) {
                company.simulate(d);
                LocalDate date = start.plusDays(d);
                Instant extractedAt = date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(4500);
                for (Map.Entry<String, List<String>> e : DemoCompany.COLUMNS.entrySet()) {
                    String object = e.getKey();
                    boolean full = company.extractedInFull(object);
                    List<String> header = new ArrayList<>(e.getValue());
                    if (object.equals(DemoCompany.DRIFT_OBJECT) && d >= days / 2) {
                        header.add(DemoCompany.DRIFT_COLUMN);
                    }
                    Iterable<Map<String, String>> rows = full ? company.records.get(object).values() : company.changed.get(object);
                    String format = FORMAT.getOrDefault(object, "csv");
                    List<String> lines = new ArrayList<>();
                    for (Map<String, String> row : rows) {
                        if (full && "true".equals(row.get("IsDeleted"))) {
                            continue;
                        }
                        String line = format.startsWith("csv") ? LandingWriter.csvLine(header, row) : LandingWriter.jsonLine(row);
                        if (corrupt.nextDouble() < malformedRate) {
                            line = breakLine(line, format);
                            malformed++;
                        }
                        lines.add(line);
                    }
                    crm += lines.size();
                    writes.submit(new LandingWriter.Snapshot("salesforce", object, "snapshot_date", date,
                            full ? "full" : "incremental", format, extractedAt,
                            format.startsWith("csv") ? header : null, lines));
                    snapshots++;
                }
                List<String> dayEvents = company.events.remove(date);
                List<String> lines = new ArrayList<>();
                if (dayEvents != null) {
                    for (String line : dayEvents) {
                        if (corrupt.nextDouble() < malformedRate) {
                            line = breakLine(line, "json");
                            malformed++;
                        }
                        lines.add(line);
                    }
                }
                events += lines.size();
                writes.submit(new LandingWriter.Snapshot("segment", "events", "received_date", date, "incremental",
                        "json-gz", extractedAt, null, lines));
                snapshots++;
                if ((d + 1) % 10 == 0 || d == days - 1) {
                    progress.step("datagen", String.format("day %d/%d (%s): %,d CRM rows, %,d events so far", d + 1, days,
                            date, crm, events));
                }
            }
            writes.finish();
        }
        return new Totals(crm, events, malformed, snapshots);
    }

    /**
     * Snapshots handed to {@value #WRITERS} writer threads, at most a few waiting at a time (memory
     * stays bounded); a failed write fails the generation with its own error.
     */
    private static final class ParallelWrites implements AutoCloseable {

        private final LandingWriter writer;
        private final ExecutorService pool = Executors.newFixedThreadPool(WRITERS, r -> {
            Thread t = new Thread(r, "datagen-writer");
            t.setDaemon(true);
            return t;
        });
        private final List<Future<?>> pending = new ArrayList<>();

        ParallelWrites(LandingWriter writer) {
            this.writer = writer;
        }

        void submit(LandingWriter.Snapshot snapshot) {
            awaitUntil(4 * WRITERS);
            pending.add(pool.submit(() -> writer.write(snapshot)));
        }

        /** Waits for every write handed over. */
        void finish() {
            awaitUntil(0);
        }

        private void awaitUntil(int stillPending) {
            while (pending.size() > stillPending) {
                try {
                    pending.remove(0).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while writing the landing", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        }

        @Override
        public void close() {
            pool.shutdownNow(); // after finish() nothing is left; after a failure the rest is abandoned
        }
    }

    /** A CSV row cut short (too few fields) or a JSON line cut in half, as a broken extractor writes. */
    private static String breakLine(String line, String format) {
        if (format.startsWith("csv")) {
            if (line.indexOf('"') >= 0) {
                return line + ",unexpected,extra";
            }
            int cut = line.lastIndexOf(',', line.lastIndexOf(',') - 1);
            return cut > 0 ? line.substring(0, cut) : line + ",extra";
        }
        return line.substring(0, line.length() / 2);
    }
}
