package dev.ferry.compositor.stats;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A watch line keeps every live surface and only the newest gone ones, and says how many it left out. */
class WatchLineTrimTest {
    private static Map<String, Object> surface(String id, boolean gone) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("gone", gone);
        return m;
    }

    @Test
    void theOldestGoneSurfacesAreCountedNotListed() {
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < 20; i++) list.add(surface("gone-" + i, true));
        list.add(surface("live-0", false));
        list.add(surface("live-1", false));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("surface_paths", list);
        StatsReport.trimGone(root);
        List<?> kept = (List<?>) root.get("surface_paths");
        assertEquals(StatsReport.GONE_IN_A_LINE + 2, kept.size());
        assertEquals("gone-12", ((Map<?, ?>) kept.getFirst()).get("id"), "the newest gone ones stay");
        assertEquals("live-1", ((Map<?, ?>) kept.getLast()).get("id"));
        assertEquals(20 - StatsReport.GONE_IN_A_LINE, root.get("surfaces_gone_not_listed"));

        Map<String, Object> few = new LinkedHashMap<>();
        few.put("surface_paths", new ArrayList<>(List.of(surface("gone-0", true), surface("live-0", false))));
        StatsReport.trimGone(few);
        assertEquals(2, ((List<?>) few.get("surface_paths")).size());
        assertNull(few.get("surfaces_gone_not_listed"));
    }
}
