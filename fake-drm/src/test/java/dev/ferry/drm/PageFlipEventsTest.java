package dev.ferry.drm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The page-flip event queue alone: order, batches that take turns, and dropping on unplug. */
class PageFlipEventsTest {
    private static List<Long> deliver(PageFlipEvents.Batch batch) {
        List<Long> seen = new ArrayList<>();
        int n = batch.deliver((crtc, sequence, timeNs, userData) -> seen.add(userData));
        assertEquals(seen.size(), n);
        return seen;
    }

    @Test
    void eventsAreDeliveredInTheOrderTheyLatchedPastTheFirstArraysSize() {
        PageFlipEvents events = new PageFlipEvents();
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(40 + i % 2, i, 1000L * i, 100 + i);
            expected.add(100L + i);
        }
        assertEquals(40, events.waiting());
        assertEquals(expected, deliver(events.take()));
        assertEquals(0, events.waiting());
    }

    @Test
    void anEventLatchedWhileABatchIsOutGoesInTheNextBatch() {
        PageFlipEvents events = new PageFlipEvents();
        events.add(40, 1, 10, 7);
        PageFlipEvents.Batch first = events.take();
        events.add(40, 2, 20, 8);
        assertEquals(List.of(7L), deliver(first));
        assertEquals(List.of(), deliver(first), "a delivered batch is empty");
        assertEquals(List.of(8L), deliver(events.take()));
    }

    @Test
    void clearDropsWhatWaits() {
        PageFlipEvents events = new PageFlipEvents();
        events.add(40, 1, 10, 7);
        events.clear();
        assertEquals(0, events.waiting());
        assertEquals(List.of(), deliver(events.take()));
    }
}
