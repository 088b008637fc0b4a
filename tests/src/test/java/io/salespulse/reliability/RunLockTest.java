package io.salespulse.reliability;

import io.salespulse.ops.RunLock;
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

/** The warehouse lease on a local folder: one holder at a time, dead holders taken over, released at the end. */
class RunLockTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final Duration SETTLE = Duration.ofMillis(300);

    private static RunLock take(String warehouse, String runId) {
        return RunLock.acquire(new Configuration(), warehouse, runId, TIMEOUT, Duration.ZERO, SETTLE);
    }

    @Test
    void twoRunsStartingAtTheSameInstantGetOneLeaseBetweenThem() throws InterruptedException {
        String warehouse = SparkTestBase.workDir("lock-race").toString();
        for (int round = 0; round < 5; round++) {
            CountDownLatch start = new CountDownLatch(1);
            List<RunLock> won = new CopyOnWriteArrayList<>();
            List<String> refused = new CopyOnWriteArrayList<>();
            List<Thread> runs = new java.util.ArrayList<>();
            for (String id : List.of("run-a-" + round, "run-b-" + round)) {
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        won.add(take(warehouse, id));
                    } catch (RunLock.BusyException e) {
                        refused.add(e.getMessage());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                t.start();
                runs.add(t);
            }
            start.countDown();
            for (Thread t : runs) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertThat(won).as("round %d", round).hasSize(1);
            assertThat(refused).as("round %d", round).singleElement().asString().contains("is in use by run run-");
            won.get(0).close();
        }
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
