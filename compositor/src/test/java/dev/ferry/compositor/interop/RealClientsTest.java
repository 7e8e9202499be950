package dev.ferry.compositor.interop;

import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.FerryServer;
import dev.ferry.compositor.scene.Window;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ferry.compositor.FerryServer.eventually;
import static dev.ferry.compositor.FerryServer.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unmodified libwayland clients from Debian against a running Ferry (headless, the default
 * renderer), each judged by what it does and by what the output shows.
 */
@Timeout(120)
class RealClientsTest {
    private static FerryServer ferry;

    @BeforeAll
    static void start() throws Exception {
        ferry = new FerryServer("auto");
    }

    @AfterAll
    static void stop() throws Exception {
        ferry.close();
    }

    @Test
    void waylandInfoListsEveryGlobalAtItsVersion() throws Exception {
        Process p = ferry.start("wayland-info");
        assertEquals(0, waitFor(p, Duration.ofSeconds(20)), "wayland-info failed:\n" + ferry.output(p));
        Map<String, Integer> seen = new LinkedHashMap<>();
        Matcher m = Pattern.compile("interface: '([a-z_0-9]+)',\\s+version:\\s+(\\d+)").matcher(ferry.output(p));
        while (m.find()) seen.put(m.group(1), Integer.parseInt(m.group(2)));
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("wl_compositor", 6);
        expected.put("wl_subcompositor", 1);
        expected.put("wl_shm", 2);
        expected.put("xdg_wm_base", 6);
        expected.put("wp_viewporter", 1);
        expected.put("wp_presentation", 2);
        expected.put("wl_seat", 9);
        expected.put("wl_data_device_manager", 3);
        expected.put("zwp_primary_selection_device_manager_v1", 1);
        expected.put("zxdg_decoration_manager_v1", 1);
        expected.put("zxdg_output_manager_v1", 3);
        expected.put("xdg_activation_v1", 1);
        expected.put("zwp_text_input_manager_v3", 1);
        expected.put("zwp_text_input_manager_v1", 1);
        expected.put("wp_cursor_shape_manager_v1", 1);
        expected.put("wp_single_pixel_buffer_manager_v1", 1);
        expected.put("wp_fractional_scale_manager_v1", 1);
        expected.put("zwp_relative_pointer_manager_v1", 1);
        expected.put("zwp_pointer_constraints_v1", 1);
        expected.put("wl_output", 4);
        expected.put("wp_fifo_manager_v1", 1);
        expected.put("wp_commit_timing_manager_v1", 1);
        assertEquals(expected, seen);
        assertTrue(ferry.output(p).contains("name: HEADLESS-1"), "wl_output v4 name event");
    }

    @Test
    void westonSimpleShmDrawsAndKeepsGettingFrames() throws Exception {
        Process p = ferry.start("weston-simple-shm");
        try {
            assertTrue(eventually(Duration.ofSeconds(10), () -> ferry.window("simple-shm") != null), "simple-shm never mapped");
            Window w = ferry.window("simple-shm");
            long before = ferry.commits(w);
            Thread.sleep(1000);
            long after = ferry.commits(w);
            assertTrue(after - before >= 20, "simple-shm made only " + (after - before) + " commits in a second");
            int[] r = ferry.windowRect(w);
            assertEquals(250, r[2]);
            Compositor.Screenshot shot = ferry.screenshot();
            // simple-shm paints a colourful ring pattern inside a 250x250 window.
            int colourful = 0;
            for (int y = r[1] + 20; y < r[1] + r[3] - 20; y += 5) {
                for (int x = r[0] + 20; x < r[0] + r[2] - 20; x += 5) {
                    if ((shot.at(x, y) & 0xffffff) != 0) colourful++;
                }
            }
            assertTrue(colourful > 1000, "window area is mostly black: " + colourful + " lit samples");
            assertEquals(0xff000000, shot.at(1900, 1000), "background stays black");
        } finally {
            p.destroy();
            waitFor(p, Duration.ofSeconds(5));
        }
    }

    @Test
    void westonSimpleEglDrawsTheTriangleAndKeepsGettingFrames() throws Exception {
        Process p = ferry.start("weston-simple-egl");
        try {
            assertTrue(eventually(Duration.ofSeconds(15), () -> ferry.window("simple-egl") != null), "simple-egl never mapped");
            Window w = ferry.window("simple-egl");
            long before = ferry.commits(w);
            Thread.sleep(1500);
            long after = ferry.commits(w);
            assertTrue(after - before >= 10, "simple-egl made only " + (after - before) + " commits in 1.5 s");
            // The triangle spins and frames race the screenshot on a loaded machine: look a few
            // times, a tenth of a second apart, for a picture that shows all three corners.
            int red = 0, green = 0, blue = 0;
            for (int attempt = 0; attempt < 10 && !(red > 100 && green > 100 && blue > 100); attempt++) {
                if (attempt > 0) Thread.sleep(100);
                int[] r = ferry.windowRect(w);
                Compositor.Screenshot shot = ferry.screenshot();
                red = green = blue = 0;
                for (int y = r[1]; y < r[1] + r[3]; y++) {
                    for (int x = r[0]; x < r[0] + r[2]; x++) {
                        int px = shot.at(x, y);
                        int cr = px >> 16 & 0xff, cg = px >> 8 & 0xff, cb = px & 0xff;
                        if (cr > 100 && cg < 60 && cb < 60) red++;
                        if (cg > 100 && cr < 60 && cb < 60) green++;
                        if (cb > 100 && cr < 60 && cg < 60) blue++;
                    }
                }
            }
            assertTrue(red > 100 && green > 100 && blue > 100, "expected the triangle's red, green and blue: " + red + "/" + green + "/" + blue);
        } finally {
            p.destroy();
            waitFor(p, Duration.ofSeconds(5));
        }
    }

    @Test
    void westonPresentationShmReportsPresentedFrames() throws Exception {
        Process p = ferry.start("weston-presentation-shm");
        Thread.sleep(2000);
        p.destroy();
        waitFor(p, Duration.ofSeconds(5));
        String out = ferry.output(p);
        // Lines like "  42: f2c  1 ms, c2p 16 ms, f2p 17 ms, p2p 16666 us, t2p  15616, [s___], seq 1034".
        Matcher m = Pattern.compile("p2p\\s+(\\d+) us.*\\[(....)\\], seq (\\d+)").matcher(out);
        int lines = 0, atRefresh = 0;
        long lastSeq = -1;
        while (m.find()) {
            lines++;
            long seq = Long.parseLong(m.group(3));
            assertTrue(seq > lastSeq, "sequence goes forward");
            lastSeq = seq;
            if (lines <= 3) continue;
            int p2p = Integer.parseInt(m.group(1));
            // Every presentation lands on a vblank: a whole number of refresh periods apart.
            long periods = Math.round(p2p / 16666.67);
            assertTrue(periods >= 1 && Math.abs(p2p - periods * 16666.67) <= 2, "p2p " + p2p + " us is not on the vblank grid");
            if (periods == 1) atRefresh++;
        }
        assertTrue(lines >= 30, "only " + lines + " presented frames reported:\n" + out);
        // A loaded 2-core machine may miss the odd vblank; nearly every frame must still be on time.
        assertTrue(atRefresh >= 0.9 * (lines - 3), atRefresh + " of " + (lines - 3) + " frames one refresh apart");
    }

    @Test
    void gstreamerWaylandsinkPlaysToTheEndAndShowsThePattern() throws Exception {
        Process p = ferry.start("gst-launch-1.0", "-q", "videotestsrc", "num-buffers=120", "pattern=smpte", "!",
                "video/x-raw,width=320,height=240,framerate=30/1", "!", "waylandsink");
        assertTrue(eventually(Duration.ofSeconds(20), () -> ferry.window(null) != null), "waylandsink never mapped a window");
        Thread.sleep(500);
        Window w = ferry.window(null);
        assertNotNull(w);
        int[] r = ferry.windowRect(w);
        Compositor.Screenshot shot = ferry.screenshot();
        // SMPTE bars across the top two thirds: white, yellow, cyan, green, magenta, red, blue.
        int y = r[1] + r[3] / 3;
        int[][] expected = {{1, 1, 1}, {1, 1, 0}, {0, 1, 1}, {0, 1, 0}, {1, 0, 1}, {1, 0, 0}, {0, 0, 1}};
        for (int bar = 0; bar < 7; bar++) {
            int x = r[0] + (int) ((bar + 0.5) * r[2] / 7.0);
            int px = shot.at(x, y);
            int[] c = {px >> 16 & 0xff, px >> 8 & 0xff, px & 0xff};
            for (int ch = 0; ch < 3; ch++) {
                boolean on = c[ch] > 150, off = c[ch] < 60;
                assertTrue(expected[bar][ch] == 1 ? on : off,
                        "bar " + bar + " at " + x + "," + y + " is " + Integer.toHexString(px));
            }
        }
        assertEquals(0, waitFor(p, Duration.ofSeconds(30)), "gst-launch failed:\n" + ferry.output(p));
    }
}
