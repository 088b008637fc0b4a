package io.salespulse.common;

import io.salespulse.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Steps done a few at a time: results in order, never more at once than asked, no step left running on failure. */
class SideBySideTest extends SparkTestBase {

    @Test
    void resultsComeInTheItemsOrderAndNoMoreStepsRunAtOnceThanAsked() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch secondDone = new CountDownLatch(1);
        List<String> finished = Collections.synchronizedList(new ArrayList<>());

        List<String> out = SideBySide.map(List.of(1, 2, 3, 4, 5), 2, i -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                if (i == 1) {
                    // the first item ends after the second: its result still comes first
                    assertThat(await(secondDone)).isTrue();
                }
                sleep(50);
                finished.add("step " + i);
                return "r" + i;
            } finally {
                running.decrementAndGet();
                if (i == 2) {
                    secondDone.countDown();
                }
            }
        });

        assertThat(out).containsExactly("r1", "r2", "r3", "r4", "r5");
        assertThat(finished.indexOf("step 2")).isLessThan(finished.indexOf("step 1"));
        assertThat(most.get()).isEqualTo(2);
    }

    @Test
    void aFailureIsRaisedOnceTheOtherStepsHaveEndedAndTheFirstInOrderWins() {
        List<String> ended = Collections.synchronizedList(new ArrayList<>());

        assertThatThrownBy(() -> SideBySide.map(List.of("slow", "fails", "fails too"), 3, s -> {
            if (s.startsWith("fails")) {
                sleep(s.equals("fails") ? 100 : 20);
                throw new IllegalArgumentException(s);
            }
            sleep(400);
            ended.add(s);
            return s;
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("fails");
        // the slow step was not abandoned: it had ended (its table whole) before the failure was raised
        assertThat(ended).containsExactly("slow");
    }

    @Test
    void anErrorTooIsRaisedOnlyOnceTheOtherStepsHaveEnded() {
        List<String> ended = Collections.synchronizedList(new ArrayList<>());

        assertThatThrownBy(() -> SideBySide.map(List.of("breaks", "slow"), 2, s -> {
            if (s.equals("breaks")) {
                throw new AssertionError("broken step");
            }
            sleep(300);
            ended.add(s);
            return s;
        })).isInstanceOf(AssertionError.class).hasMessage("broken step");
        assertThat(ended).containsExactly("slow");
    }

    @Test
    void oneAtATimeRunsOnTheCallingThread() {
        Thread caller = Thread.currentThread();
        assertThat(SideBySide.map(List.of("a", "b"), 1, s -> Thread.currentThread() == caller))
                .containsExactly(true, true);
    }

    @Test
    void aStepsSparkJobsKeepTheCallersLocalPropertiesAndTheirOwnJobDescription() {
        // StageMetrics counts a job in the stage the calling thread set: the steps' threads inherit it
        spark().sparkContext().setLocalProperty("salespulse.test.stage", "silver");
        try {
            List<String> seen = SideBySide.map(List.of("a", "b", "c"), 2, s -> {
                spark().sparkContext().setJobDescription("step " + s);
                long rows = spark().range(3).count();
                return spark().sparkContext().getLocalProperty("salespulse.test.stage") + " " + rows + " "
                        + spark().sparkContext().getLocalProperty("spark.job.description");
            });
            assertThat(seen).containsExactly("silver 3 step a", "silver 3 step b", "silver 3 step c");
        } finally {
            spark().sparkContext().setLocalProperty("salespulse.test.stage", null);
        }
        // a step's job description stays on its own thread
        assertThat(String.valueOf(spark().sparkContext().getLocalProperty("spark.job.description"))).doesNotStartWith("step ");
    }

    @Test
    void aWaveIsTheStepsWhoseInputsAreMadeAndNoneIsAnError() {
        List<String> made = List.of("leads", "orders");
        // a step is its name and what it reads
        List<List<String>> left = List.of(List.of("dates", "leads", "orders", "activity"), List.of("leads"), List.of("orders"),
                List.of("campaigns"));
        assertThat(SideBySide.nextWave(left, s -> s.subList(1, s.size()).stream().allMatch(made::contains)))
                .containsExactly(List.of("leads"), List.of("orders"), List.of("campaigns"));
        assertThatThrownBy(() -> SideBySide.nextWave(List.of(List.of("dates", "activity")),
                s -> s.subList(1, s.size()).stream().allMatch(made::contains)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("dates");
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
