package io.salespulse.common;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Independent steps of a run done a few at a time on one Spark session: the bronze objects, the
 * staging of each Salesforce object, gold's KPI tables. A step over small data is mostly the
 * driver's work (planning its queries, reading and committing Delta logs) between a few short
 * Spark jobs, so while the driver prepares one step another's jobs use the executors' cores.
 * Spark runs jobs submitted from several threads of one application side by side; each thread
 * keeps its own job description, and starts with the local properties of the thread that made
 * the pool (the stage a job is counted in, {@link StageMetrics}).
 */
public final class SideBySide {

    private SideBySide() {
    }

    /**
     * {@code step} applied to every item, at most {@code atOnce} at a time, the results in the
     * items' order. Every step has ended when this returns or throws: a failure is raised once the
     * others have finished (the first failure in the items' order), so that no step still writes
     * after the run has given up. {@code atOnce} of 1 runs them one after the other on this thread.
     */
    public static <T, R> List<R> map(List<T> items, int atOnce, Function<T, R> step) {
        List<R> out = new ArrayList<>();
        if (atOnce <= 1 || items.size() <= 1) {
            items.forEach(item -> out.add(step.apply(item)));
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(atOnce, items.size()), r -> {
            Thread t = new Thread(r, "salespulse-step");
            t.setDaemon(true);
            return t;
        });
        List<Future<R>> running = new ArrayList<>();
        Throwable failed = null;
        try {
            for (T item : items) {
                running.add(pool.submit(() -> step.apply(item)));
            }
            for (Future<R> f : running) {
                try {
                    out.add(waitFor(f));
                } catch (RuntimeException | Error e) {
                    failed = failed == null ? e : failed;
                }
            }
        } finally {
            pool.shutdown();
        }
        if (failed instanceof Error e) {
            throw e;
        }
        if (failed != null) {
            throw (RuntimeException) failed;
        }
        return out;
    }

    /**
     * The next wave of a build: the steps not done yet whose inputs are all made ({@code inputsMade}),
     * in their listed order. Fails when none is, since a step reads what no earlier step makes.
     */
    public static <T> List<T> nextWave(List<T> left, java.util.function.Predicate<T> inputsMade) {
        List<T> wave = left.stream().filter(inputsMade).toList();
        if (wave.isEmpty()) {
            throw new IllegalStateException("steps that read what no earlier step makes: " + left);
        }
        return wave;
    }

    /** The step's result, its failure as it was raised (an unchecked exception or error), waiting out interrupts. */
    private static <R> R waitFor(Future<R> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the step goes on writing: wait for it to end, then keep the interrupt
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
