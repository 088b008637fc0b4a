package io.salespulse.reliability;

import io.salespulse.ops.RunLock;
import io.salespulse.testing.LocalS3Extension;
import io.salespulse.testing.SparkTestBase;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The warehouse lease, on a local folder and on a real S3 server: one holder at a time, dead
 * holders taken over, released at the end. Races are synchronised by the test (the step between
 * writing the lease and reading it back is a latch, not a time window a loaded machine can miss).
 */
class RunLockTest extends SparkTestBase {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final Duration SETTLE = Duration.ofMillis(300);

    private static RunLock take(String warehouse, String runId) {
        return RunLock.acquire(new Configuration(), warehouse, runId, TIMEOUT, Duration.ZERO, SETTLE);
    }

    @Test
    void twoRunsStartingAtTheSameInstantGetOneLeaseBetweenThem() throws InterruptedException {
        race(new Configuration(), SparkTestBase.workDir("lock-race").toString());
    }

    @Test
    void onS3TooTwoRunsStartingAtTheSameInstantGetOneLeaseBetweenThem() throws InterruptedException {
        race(spark().sparkContext().hadoopConfiguration(), LocalS3Extension.freshUri("lock-race"));
    }

    /**
     * Ten rounds of two runs taking the warehouse at once. Each run, once it has written its lease,
     * waits until the other has written too or has been refused, then reads back: whichever order
     * the threads run in, exactly one lease is granted and the other run is told who holds it.
     */
    private static void race(Configuration hadoop, String warehouse) throws InterruptedException {
        for (int round = 0; round < 10; round++) {
            CountDownLatch start = new CountDownLatch(1);
            CountDownLatch settled = new CountDownLatch(2); // a run counts down once it wrote its lease, or was refused
            List<RunLock> won = new CopyOnWriteArrayList<>();
            List<String> refused = new CopyOnWriteArrayList<>();
            List<Throwable> failed = new CopyOnWriteArrayList<>();
            Runnable settle = () -> {
                settled.countDown();
                try {
                    assertThat(settled.await(30, TimeUnit.SECONDS)).as("the other run wrote or was refused").isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            };
            List<Thread> runs = new java.util.ArrayList<>();
            for (String id : List.of("run-a-" + round, "run-b-" + round)) {
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        won.add(RunLock.acquire(hadoop, warehouse, id, TIMEOUT, Duration.ZERO, settle));
                    } catch (RunLock.BusyException e) {
                        refused.add(e.getMessage());
                        settled.countDown();
                    } catch (Throwable e) {
                        failed.add(e);
                        settled.countDown();
                    }
                });
                t.start();
                runs.add(t);
            }
            start.countDown();
            for (Thread t : runs) {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
            assertThat(failed).as("round %d", round).isEmpty();
            assertThat(won).as("round %d", round).hasSize(1);
            assertThat(refused).as("round %d", round).singleElement().asString()
                    .contains("is in use by run " + won.get(0).runId());
            won.get(0).close();
        }
    }

    @Test
    void ofTwoRunsThatBothWroteTheLeaseTheLastWriterHoldsIt() throws IOException {
        Path warehouse = SparkTestBase.workDir("lock-last-writer");
        Path file = warehouse.resolve(RunLock.FILE);
        // run-a has written its lease; before it reads it back, run-b (alive: this process) overwrites it
        Runnable otherWritesMeanwhile = () -> {
            try {
                Files.writeString(file, "run_id=run-b\nhost=" + java.net.InetAddress.getLocalHost().getHostName() + "\npid="
                        + ProcessHandle.current().pid() + "\nstarted_at=" + Instant.now() + "\nheartbeat_at=" + Instant.now() + "\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        assertThatThrownBy(() -> RunLock.acquire(new Configuration(), warehouse.toString(), "run-a", TIMEOUT, Duration.ZERO,
                otherWritesMeanwhile)).isInstanceOf(RunLock.BusyException.class).hasMessageContaining("is in use by run run-b");
        assertThat(Files.readString(file)).contains("run_id=run-b");
    }

    @Test
    void aLeaseLeftByADeadProcessIsTakenOverAndReleasedAtTheEnd() throws Exception {
        Path warehouse = SparkTestBase.workDir("lock-dead");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(warehouse.resolve(RunLock.FILE), "run_id=killed-run\nhost=" + java.net.InetAddress.getLocalHost().getHostName()
                + "\npid=" + gone.pid() + "\nstarted_at=" + Instant.now() + "\nheartbeat_at=" + Instant.now() + "\n");
        try (RunLock lock = take(warehouse.toString(), "next-run")) {
            assertThat(Files.readString(warehouse.resolve(RunLock.FILE))).contains("run_id=next-run");
        }
        assertThat(warehouse.resolve(RunLock.FILE)).doesNotExist();
    }

    @Test
    void aLeaseOfAnotherHostIsLiveUntilItsHeartbeatIsOlderThanTheTimeout() throws IOException {
        Path warehouse = SparkTestBase.workDir("lock-remote");
        Path file = warehouse.resolve(RunLock.FILE);
        Files.writeString(file, "run_id=remote-run\nhost=some-other-host\npid=1\nstarted_at=" + Instant.now()
                + "\nheartbeat_at=" + Instant.now().minusSeconds(30) + "\n");
        assertThatThrownBy(() -> take(warehouse.toString(), "local-run")).isInstanceOf(RunLock.BusyException.class)
                .hasMessageContaining("remote-run").hasMessageContaining("some-other-host");
        Files.writeString(file, Files.readString(file).replaceAll("heartbeat_at=.*",
                "heartbeat_at=" + Instant.now().minus(TIMEOUT).minusSeconds(1)));
        try (RunLock lock = take(warehouse.toString(), "local-run")) {
            assertThat(Files.readString(file)).contains("run_id=local-run");
        }
    }
}
