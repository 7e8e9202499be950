package dev.ferry.testclients.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FramesPerSecondTest {
    /** Four 250 ms buckets a second, all paths summed; whole seconds only, aligned to the timeline's origin. */
    @Test
    void secondsAreSummedFromWholeBuckets() throws Exception {
        var timeline = new ObjectMapper().readTree("""
                {"bucket_ms": 250.0, "paths": ["direct-scanout", "system-ram-copy"], "first_bucket": 2,
                 "outputs": {"eDP-1": [[1,0],[2,0],  [10,5],[15,0],[15,0],[15,0],  [14,1],[15,0],[15,0],[15,0],  [3,0]]}}""");
        assertEquals(Map.of("eDP-1", List.of(60L, 60L)), FramesPerSecond.fromTimeline(timeline),
                "buckets 2 and 3 end second 0, which the ring no longer holds whole; bucket 12 starts a second not over");
        assertEquals(Map.of(), FramesPerSecond.fromTimeline(new ObjectMapper().readTree("{}")));
    }
}
