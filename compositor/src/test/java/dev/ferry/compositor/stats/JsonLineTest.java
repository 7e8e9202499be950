package dev.ferry.compositor.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A watch line reads back as the same JSON Jackson writes for the tree, on one line. */
class JsonLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyTypeAStatsTreeHoldsReadsBackAsJacksonWritesIt() throws Exception {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("backend", "kms");
        tree.put("uptime_ms", 123_456_789_012L);
        tree.put("pid", 4242);
        tree.put("ratio", 0.1 + 0.2);
        tree.put("small", 1.5e-7);
        tree.put("big", 3.0e21);
        tree.put("nan", Double.NaN);
        tree.put("float", 2.5f);
        tree.put("yes", true);
        tree.put("none", null);
        tree.put("title", "a \"quoted\" title\\ with\nnew line, tab\t, bell\u0007 and é ✓ 🎞");
        tree.put("position", List.of(0, 1080));
        tree.put("longs", new long[] {1, 2, 3});
        tree.put("ints", new int[] {});
        tree.put("empty_map", Map.of());
        List<Object> surfaces = new ArrayList<>();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("reasons", List.of(Map.of("reason", "not-fullscreen", "frames", 12L)));
        s.put("by_output", Map.of(7, List.of()));
        surfaces.add(s);
        tree.put("surfaces", surfaces);
        byte[] line = JsonLine.write(tree);
        String text = new String(line, StandardCharsets.UTF_8);
        assertFalse(text.contains("\n"), text);
        assertEquals(JSON.readTree(JSON.writeValueAsBytes(tree)), JSON.readTree(line), text);
        assertTrue(text.startsWith("{\"backend\":\"kms\",\"uptime_ms\":123456789012,"), "keys in the tree's order: " + text);
    }

    @Test
    void aTypeTheTreeDoesNotHoldIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> JsonLine.write(Map.of("x", new Object())));
        assertEquals("a stats tree holds no java.lang.Object", e.getMessage());
    }
}
