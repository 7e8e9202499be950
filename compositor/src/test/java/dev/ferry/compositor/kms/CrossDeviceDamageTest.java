package dev.ferry.compositor.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.client.ShmWindow;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.topology.Topologies;
import dev.ferry.kms.CopyMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A cross-device output's copy is limited to what changed: hybrid-laptop's HDMI-A-1 (card1),
 * composed on card0 and copied across by the secondary GPU into a three-slot chain that takes its
 * oldest free slot, so the slot it draws into holds the frame before last or older, never the last
 * one (on screen). Each copy catches up on every frame since the one its slot holds, and what the
 * CRTC shows equals a from-scratch composition at every frame, while a small window ticks, moves
 * and ticks again beside a still one.
 */
@Timeout(120)
class CrossDeviceDamageTest {
    private static final String HDMI = "HDMI-A-1";
    private static final int TICKER_W = 64, TICKER_H = 32;
    /** The display-side chain's slots: the oldest free one holds the frame three before. */
    private static final int SLOTS = 3;

    @TempDir
    Path dir;

    @Test
    void aCrossDeviceCopyTakesOnlyTheDamageSinceTheFrameItsSlotHolds() throws Exception {
        try (VirtualKms k = new VirtualKms(withoutCard1Overlays().toString(), HDMI, FaultPlan.none(), "cpu")) {
            KmsBackend kms = (KmsBackend) k.c.backend();
            int[] at = k.c.onLoop(() -> new int[] {k.c.scene().outputNamed(HDMI).x(), k.c.scene().outputNamed(HDMI).y()});
            WaylandClient client = k.connect();
            ShmWindow page = k.shm(client, "page", 400, 300);
            k.frame(page, 0x00203040);
            k.move("page", at[0] + 100, at[1] + 100);
            ShmWindow ticker = k.shm(client, "ticker", TICKER_W, TICKER_H);
            k.frame(ticker, 0x00800000);
            k.move("ticker", at[0] + 700, at[1] + 500);
            assertEquals(CopyMode.SECONDARY_GPU, k.c.onLoop(() -> kms.copyMode(k.c.scene().outputNamed(HDMI))));
            // Every slot of the chain takes a frame with the ticker where it now is.
            for (int i = 0; i < 4; i++) k.frame(ticker, 0x00800000 + i);
            long tickerBytes = 4L * TICKER_W * TICKER_H;
            for (int i = 0; i < 12; i++) {
                long before = copied(k, kms);
                k.frame(ticker, 0x00a00000 + i * 0x0804);
                assertEquals(tickerBytes, copied(k, kms) - before, "tick " + i + ": only the ticker crossed over");
                k.assertShowsScene("tick " + i);
            }
            // Moved: the slots hold it at the old place for a frame or two more, and catch up on both places.
            k.move("ticker", at[0] + 300, at[1] + 600);
            for (int i = 0; i < 12; i++) {
                long before = copied(k, kms);
                k.frame(ticker, 0x0000a000 + i * 0x0408);
                long bytes = copied(k, kms) - before;
                // Each of the three slots, when it next comes round, holds a frame from before the move: both places.
                assertEquals(i < SLOTS ? 2 * tickerBytes : tickerBytes, bytes, "tick " + i + " after the move");
                k.assertShowsScene("tick " + i + " after the move");
            }
            System.out.printf("cross-device damage: %d bytes per tick of a %dx%d window on a 2560x1440 output (a full copy: %d)%n",
                    tickerBytes, TICKER_W, TICKER_H, 4L * 2560 * 1440);
            ticker.close();
            page.close();
        }
    }

    private static long copied(VirtualKms k, KmsBackend kms) {
        return k.c.onLoop(() -> kms.bytesCopied(k.c.scene().outputNamed(HDMI)));
    }

    /** hybrid-laptop with card1's overlay planes taken out: a ticking window there is composed, not offloaded. */
    private Path withoutCard1Overlays() throws Exception {
        ObjectNode t = (ObjectNode) new ObjectMapper().readTree(Topologies.toJson(Topologies.preset("hybrid-laptop")));
        for (JsonNode d : t.path("devices")) {
            if (!d.path("name").asText().equals("card1")) continue;
            ArrayNode kept = new ObjectMapper().createArrayNode();
            for (JsonNode p : d.path("planes")) if (!p.path("type").asText().equals("overlay")) kept.add(p);
            ((ObjectNode) d).set("planes", kept);
        }
        Path file = dir.resolve("hybrid-laptop-no-card1-overlays.json");
        Files.writeString(file, t.toPrettyString());
        return file;
    }
}
