package io.salespulse.ops;

import io.salespulse.common.Uris;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

/**
 * One writer per warehouse: a lease file {@code _salespulse.lock} at the warehouse root, held for
 * the whole run and refreshed by a heartbeat. Object stores have no lock primitive, so taking the
 * lease is write-then-read-back after a settle delay: of two runs that write at once, both read the
 * same (last) writer and only that one proceeds. A lease is stale when its heartbeat is older than
 * the timeout, or at once when its process, on this host, is gone (a run killed with -9 leaves its
 * lease behind and the next run must be able to repair the warehouse).
 */
public final class RunLock implements AutoCloseable {

    public static final String FILE = "_salespulse.lock";

    /** The warehouse is held by another live run. */
    public static final class BusyException extends RuntimeException {
        public BusyException(String message) {
            super(message);
        }
    }

    private final FileSystem fs;
    private final Path path;
    private final String runId;
    private final Duration timeout;
    private final Thread heartbeat;
    private final Instant started = Instant.now();

    private RunLock(FileSystem fs, Path path, String runId, Duration timeout) {
        this.fs = fs;
        this.path = path;
        this.runId = runId;
        this.timeout = timeout;
        this.heartbeat = new Thread(this::beat, "salespulse-lock-heartbeat");
        this.heartbeat.setDaemon(true);
    }

    /** Takes the configured warehouse with the configured timeout, wait and settle delay. */
    public static RunLock acquire(Configuration hadoop, io.salespulse.common.SalespulseConfig config, String runId) {
        return acquire(hadoop, config.warehouseRoot(), runId,
                Duration.ofSeconds(config.getLong(io.salespulse.common.SalespulseConfig.LOCK_TIMEOUT)),
                Duration.ofSeconds(config.getLong(io.salespulse.common.SalespulseConfig.LOCK_WAIT)),
                Duration.ofMillis(config.getLong(io.salespulse.common.SalespulseConfig.LOCK_SETTLE)));
    }

    /**
     * Takes the warehouse for {@code runId}, waiting up to {@code wait} for a live holder to finish.
     *
     * @throws BusyException when another live run still holds it after the wait
     */
    public static RunLock acquire(Configuration hadoop, String warehouseRoot, String runId, Duration timeout,
                                  Duration wait, Duration settle) {
        return acquire(hadoop, warehouseRoot, runId, timeout, wait, () -> sleep(settle));
    }

    /**
     * As above, with the step between writing the lease and reading it back given explicitly: a
     * sleep in production; in a test, a barrier that both contenders reach after writing, so the
     * race is decided by the protocol and not by the machine's speed.
     */
    public static RunLock acquire(Configuration hadoop, String warehouseRoot, String runId, Duration timeout,
                                  Duration wait, Runnable settle) {
        Path path = new Path(Uris.join(warehouseRoot, FILE));
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            if (fs instanceof LocalFileSystem local) {
                // no checksum file beside the lease: two runs writing at once could leave one's data with the other's checksum
                fs = local.getRaw();
            }
            RunLock lock = new RunLock(fs, path, runId, timeout);
            Instant giveUp = Instant.now().plus(wait);
            while (true) {
                Properties holder = lock.read();
                String busy = holder == null ? null : lock.liveHolder(holder);
                if (busy == null) {
                    lock.write();
                    settle.run();
                    Properties after = lock.read();
                    if (after != null && runId.equals(after.getProperty("run_id"))) {
                        lock.heartbeat.start();
                        return lock;
                    }
                    busy = after == null ? "a run that released it meanwhile" : lock.liveHolder(after);
                    if (busy == null) {
                        busy = "run " + after.getProperty("run_id") + ", which took it at the same time";
                    }
                }
                if (Instant.now().isAfter(giveUp)) {
                    throw new BusyException("warehouse " + warehouseRoot + " is in use by " + busy
                            + "; not starting a second writer (retry later, or delete " + path + " if that run is dead)");
                }
                sleep(Duration.ofSeconds(2));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take the warehouse lock " + path + ": " + e.getMessage(), e);
        }
    }

    /** Describes the holder if its lease is live, else null (stale: it may be taken over). */
    private String liveHolder(Properties p) {
        String who = "run " + p.getProperty("run_id") + " (host " + p.getProperty("host") + ", pid " + p.getProperty("pid")
                + ", started " + p.getProperty("started_at") + ")";
        Instant beat;
        try {
            beat = Instant.parse(p.getProperty("heartbeat_at", ""));
        } catch (RuntimeException e) {
            return null; // unreadable lease: nobody can be relying on it
        }
        if (beat.plus(timeout).isBefore(Instant.now())) {
            return null;
        }
        if (host().equals(p.getProperty("host"))) {
            try {
                long pid = Long.parseLong(p.getProperty("pid", ""));
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false) {
                    return null;
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return who;
    }

    private Properties read() throws IOException {
        try (InputStream in = fs.open(path)) {
            Properties p = new Properties();
            p.load(new StringReader(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            return p;
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    private void write() throws IOException {
        String text = "run_id=" + runId + "\nhost=" + host() + "\npid=" + ProcessHandle.current().pid()
                + "\nstarted_at=" + started + "\nheartbeat_at=" + Instant.now() + "\n";
        try (FSDataOutputStream out = fs.create(path, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Refreshes the lease while the run lasts, well within the timeout. */
    private void beat() {
        long every = Math.max(1000L, timeout.toMillis() / 4);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(every);
                Properties p = read();
                if (p == null || !runId.equals(p.getProperty("run_id"))) {
                    return; // taken over: the run's own writes will still be one commit each
                }
                write();
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                // a missed beat is retried at the next; the lease only goes stale after the full timeout
                System.err.println("salespulse: warning: lock heartbeat failed: " + e.getMessage());
            }
        }
    }

    public String runId() {
        return runId;
    }

    /** Stops the heartbeat and removes the lease if it is still ours. */
    @Override
    public void close() {
        heartbeat.interrupt();
        try {
            heartbeat.join(5000);
            Properties p = read();
            if (p != null && runId.equals(p.getProperty("run_id"))) {
                fs.delete(path, false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the warehouse lock " + path + ": " + e.getMessage(), e);
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while taking the warehouse lock", e);
        }
    }
}
