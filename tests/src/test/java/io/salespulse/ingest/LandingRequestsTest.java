package io.salespulse.ingest;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Requests to the landing made side by side: results in the items' order, a failure as if made alone. */
class LandingRequestsTest {

    @Test
    void answersInTheItemsOrderWithManyInFlight() {
        List<Integer> items = IntStream.range(0, 40).boxed().toList();
        // every request waits until 8 are in flight: made one after the other, none would ever return
        CountDownLatch inFlight = new CountDownLatch(8);
        List<Integer> out = LandingRequests.each(items, i -> {
            inFlight.countDown();
            try {
                assertThat(inFlight.await(10, TimeUnit.SECONDS)).isTrue();
                Thread.sleep((40 - i) % 7); // finishing out of order
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return i * 10;
        });
        assertThat(out).isEqualTo(items.stream().map(i -> i * 10).toList());
    }

    @Test
    void theFirstFailureInTheItemsOrderIsThrownOnceEveryRequestHasFinished() {
        ConcurrentHashMap<Integer, Boolean> done = new ConcurrentHashMap<>();
        assertThatThrownBy(() -> LandingRequests.each(List.of(1, 2, 3, 4, 5), i -> {
            if (i == 4) {
                throw new SnapshotRejectedException("four");
            }
            if (i == 2) {
                sleep(200); // the later failure (4) comes first in time, not in order
                throw new SnapshotRejectedException("two");
            }
            done.put(i, true);
            return i;
        })).isInstanceOf(SnapshotRejectedException.class).hasMessage("two");
        assertThat(done.keySet()).containsExactlyInAnyOrder(1, 3, 5);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
