package io.salespulse.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Small requests to the landing's store made side by side: the manifests a scan reads and the
 * header row of each CSV file a batch checks. On an object store each is a round trip that waits
 * on the network, not on a core, and a catch-up makes thousands of them (a manifest, a header per
 * file: ~2,200 for 85 days, ~9,500 for a year), so asking one after the other made the run wait
 * for each in turn.
 */
final class LandingRequests {

    /** Requests in flight at once: far below S3A's connection pool (fs.s3a.connection.maximum). */
    static final int THREADS = 16;

    private LandingRequests() {
    }

    /**
     * {@code request} applied to every item, results in the items' order. A request that throws
     * makes the whole call throw that exception (the first in the items' order), once every request
     * has finished: the caller decides as it would have for a request made on its own.
     */
    static <T, R> List<R> each(List<T> items, Function<T, R> request) {
        if (items.size() < 2) {
            return items.stream().map(request).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(THREADS, items.size()), r -> {
            Thread t = new Thread(r, "salespulse-landing-request");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(pool.submit(() -> request.apply(item)));
            }
            List<R> out = new ArrayList<>();
            RuntimeException failed = null;
            for (Future<R> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    if (failed == null) {
                        failed = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while reading the landing", e);
                }
            }
            if (failed != null) {
                throw failed;
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
