package dev.ferry.kms;

import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.FakeDevice;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.Usage;
import dev.ferry.drm.VirtualClock;
import dev.ferry.drm.topology.Topologies;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the per-output framebuffer cache remembers, and when it forgets. */
class ScanoutCacheTest {
    private FakeKernel kernel;
    private FakeDevice card;
    private KmsPipe pipe;
    private ScanoutCache cache;
    private DmaBuf buffer;

    @BeforeEach
    void open() throws Exception {
        kernel = FakeKernel.open(Topologies.load("laptop-igpu"), new VirtualClock(), FaultPlan.none());
        card = kernel.devices().getFirst();
        pipe = KmsPipe.forDevice(card).getFirst();
        cache = new ScanoutCache(card);
        buffer = card.allocate(pipe.mode().width(), pipe.mode().height(), Fourcc.XRGB8888, new long[] {Modifiers.LINEAR},
                Usage.SCANOUT | Usage.RENDERING);
    }

    @AfterEach
    void close() {
        cache.close();
        buffer.close();
        kernel.close();
    }

    @Test
    void aFramebufferIsAddedOnceAndRemembersItPassedTheTestCommit() {
        ScanoutCache.Entry first = cache.framebuffer(buffer);
        assertTrue(first.ok(), String.valueOf(first));
        assertFalse(first.tested(), "nothing was tested yet");
        assertTrue(pipe.test(first.fbId(), buffer.width(), buffer.height()), String.valueOf(pipe.lastRejection()));
        cache.tested(buffer);
        ScanoutCache.Entry again = cache.framebuffer(buffer);
        assertEquals(first.fbId(), again.fbId(), "the same framebuffer, not a new ADDFB2");
        assertTrue(again.tested(), "the pipe's answer is remembered");
        assertEquals(1, cache.size());
    }

    @Test
    void aRejectionReplacesTheTestedFramebufferAndIsNotRetried() {
        ScanoutCache.Entry fb = cache.framebuffer(buffer);
        cache.tested(buffer);
        cache.reject(buffer, FallbackReason.FLIP_FAILED, "injected");
        ScanoutCache.Entry after = cache.framebuffer(buffer);
        assertFalse(after.ok());
        assertFalse(after.tested());
        assertEquals(FallbackReason.FLIP_FAILED, after.reason());
        cache.tested(buffer);  // a late "tested" cannot resurrect a rejected buffer
        assertFalse(cache.framebuffer(buffer).ok());
        assertNotEquals(0, fb.fbId());
    }

    @Test
    void forgettingTheBufferForgetsItsTestToo() {
        cache.framebuffer(buffer);
        cache.tested(buffer);
        cache.forget(buffer);
        assertEquals(0, cache.size());
        ScanoutCache.Entry fresh = cache.framebuffer(buffer);
        assertTrue(fresh.ok());
        assertFalse(fresh.tested(), "a framebuffer made anew is tested anew");
    }
}
