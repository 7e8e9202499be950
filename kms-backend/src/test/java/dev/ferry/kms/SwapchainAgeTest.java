package dev.ferry.kms;

import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.VirtualClock;
import dev.ferry.drm.topology.Topologies;
import dev.ferry.drm.uapi.Fourcc;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

/**
 * Buffer age as EGL counts it: the slot holding the frame drawn last is 1 old. A slot two
 * frames old that reads as 1 makes its redraw skip a frame's damage (stale pixels on screen).
 */
class SwapchainAgeTest {
    @Test
    void ageCountsTheFramesASlotMissed() throws Exception {
        try (FakeKernel kernel = FakeKernel.open(Topologies.load("laptop-igpu"), new VirtualClock(), FaultPlan.none());
             Swapchain chain = new Swapchain(kernel.devices().getFirst(), 64, 32, Fourcc.XRGB8888, 3, false)) {
            Swapchain.Slot a = chain.acquire();
            assertEquals(0, chain.age(a), "never drawn: unknown");
            chain.drawn(a);
            Swapchain.Slot b = chain.acquire();
            chain.drawn(b);
            chain.release(a);
            Swapchain.Slot c = chain.acquire();
            assertNotSame(a, c, "the never-drawn slot goes first");
            assertEquals(0, chain.age(c));
            chain.drawn(c);
            chain.release(b);
            // a holds frame 1; frames 2 and 3 came since: it misses 2 frames plus the one to draw.
            Swapchain.Slot next = chain.acquire();
            assertEquals(a, next, "least recently drawn free slot");
            assertEquals(3, chain.age(a));
            chain.release(a);
            chain.release(c);
            chain.acquire();  // a again (oldest)
            Swapchain.Slot newest = chain.acquire();  // b: frame 2
            assertEquals(b, newest);
            assertEquals(2, chain.age(b));
            Swapchain.Slot last = chain.acquire();
            assertEquals(c, last);
            assertEquals(1, chain.age(c), "holds the frame drawn last");
            chain.invalidate(c);
            assertEquals(0, chain.age(c));
        }
    }
}
