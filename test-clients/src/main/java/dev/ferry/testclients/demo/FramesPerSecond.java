package dev.ferry.testclients.demo;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames each output presented in each whole second of a run, counted by presentation time
 * (the stats' timeline, whose buckets start at the first frame any output presented), not by
 * when someone looked: what the demo's "frames per second per output" figures are made of.
 */
public final class FramesPerSecond {
    private FramesPerSecond() {}

    /**
     * Per output, the frames presented in second 0, 1, 2, ... of the timeline (all paths
     * together); a last second the timeline does not cover whole is left out.
     */
    public static Map<String, List<Long>> fromTimeline(JsonNode timeline) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        double bucketMs = timeline.path("bucket_ms").asDouble(0);
        if (bucketMs <= 0 || 1000 % bucketMs != 0) return out;
        int perSecond = (int) (1000 / bucketMs);
        // Rows before the ring's first kept bucket are gone; count whole seconds from there.
        long first = timeline.path("first_bucket").asLong(0);
        int skip = (int) ((perSecond - first % perSecond) % perSecond);
        for (Iterator<Map.Entry<String, JsonNode>> it = timeline.path("outputs").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode rows = e.getValue();
            List<Long> seconds = new ArrayList<>();
            for (int start = skip; start + perSecond <= rows.size(); start += perSecond) {
                long n = 0;
                for (int b = start; b < start + perSecond; b++) for (JsonNode c : rows.get(b)) n += c.asLong();
                seconds.add(n);
            }
            out.put(e.getKey(), seconds);
        }
        return out;
    }
}
