package dev.ferry.compositor.backend.kms;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.plan.FramePlan;
import dev.ferry.compositor.plan.PlanSurface;
import dev.ferry.compositor.plan.PlaneRejections;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.Plane;
import dev.ferry.drm.UdmabufDevice;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.KmsPipe;
import dev.ferry.kms.ScanoutCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts one output's plan on its pipe and remembers what KMS refused: the primary plane's
 * framebuffer (tested once per buffer), the plan's overlays tested in one atomic TEST_ONLY
 * commit (the assignment with the least benefit dropped on refusal, a bounded number of times
 * per frame), the flip. Refusals are kept per (buffer, plane) and read back by the planner
 * through {@link #rejections}; a buffer whose flip failed on the primary is tainted until the
 * client attaches another.
 */
final class PlaneCommit {
    private static final Logger LOG = LoggerFactory.getLogger(PlaneCommit.class);

    private final String outputName;
    private final KmsPipe pipe;
    private final ScanoutCache scanout;
    /** Wraps wl_shm pools as dma-bufs for the planes. */
    private final UdmabufDevice udmabuf;
    private final PlaneVerdicts verdicts = new PlaneVerdicts();
    private final Map<ClientBuffer, Boolean> tainted = new IdentityHashMap<>();
    /** A buffer KMS refused on the primary in this very frame, and why (the re-plan reads it). */
    private ClientBuffer refusedNow;
    private FallbackReason refusedWhy;
    private final PlaneRejections rejections = this::rejected;

    PlaneCommit(String outputName, KmsPipe pipe, ScanoutCache scanout, UdmabufDevice udmabuf) {
        this.outputName = outputName;
        this.pipe = pipe;
        this.scanout = scanout;
        this.udmabuf = udmabuf;
    }

    /** What KMS said before about a buffer on a plane: the planner's rejection cache. */
    PlaneRejections rejections() { return rejections; }

    private FallbackReason rejected(Object buffer, Plane plane) {
        ClientBuffer b = (ClientBuffer) buffer;
        if (plane.id() == pipe.primary().id()) {
            if (b == refusedNow) return refusedWhy;
            return tainted.containsKey(b) ? FallbackReason.FLIP_FAILED : null;
        }
        if (pipe.cursor() != null && plane.id() == pipe.cursor().id()) return verdicts.refused(b, cursorIndex());
        int k = pipe.overlayIndex(plane);
        return k < 0 ? null : verdicts.refused(b, k);
    }

    /**
     * The framebuffer showing b full screen on the primary plane, with no overlays, tested (once
     * per buffer); 0 when KMS refuses it, the reason kept for this frame's re-plan.
     */
    int primaryFramebuffer(ClientBuffer b) {
        DmaBuf buf = b.scanoutDmaBuf(udmabuf);
        ScanoutCache.Entry fb = scanout.framebuffer(buf);
        pipe.clearOverlays();
        pipe.clearCursor();
        if (!fb.ok()) {
            return refuse(b, fb.reason().remembered());
        }
        if (!fb.tested()) {
            if (!pipe.test(fb.fbId(), buf.width(), buf.height())) {
                scanout.reject(buf, FallbackReason.TEST_COMMIT_REJECTED, String.valueOf(pipe.lastRejection()));
                return refuse(b, FallbackReason.TEST_COMMIT_REJECTED);
            }
            scanout.tested(buf);
        }
        return fb.fbId();
    }

    /**
     * Flips b's framebuffer onto the primary. A refused flip taints b until the client attaches
     * another one (the re-plan composes this very frame instead, so the screen never goes black
     * or stale).
     */
    boolean flipPrimary(ClientBuffer b, int fbId) {
        DmaBuf buf = b.scanoutDmaBuf(udmabuf);
        if (pipe.flip(fbId, buf.width(), buf.height(), 0)) return true;
        tainted.put(b, Boolean.TRUE);
        scanout.reject(buf, FallbackReason.FLIP_FAILED, String.valueOf(pipe.lastRejection()));
        refuse(b, FallbackReason.FLIP_FAILED);
        return false;
    }

    /** KMS refused b on the primary this frame: the re-plan takes this reason for it. */
    private int refuse(ClientBuffer b, FallbackReason why) {
        refusedNow = b;
        refusedWhy = why;
        return 0;
    }

    /** The re-plan after a primary refusal has read it: later frames go by the caches alone. */
    void replanned() {
        refusedNow = null;
    }

    /**
     * Stages the plan's overlays over the composed primary framebuffer, tested in one TEST_ONLY
     * commit; on refusal the assignment with the least benefit is composed instead and the
     * commit tried again, at most once per overlay plane. Pairs (buffer, plane) that passed
     * before are not tested again; a refused pair is remembered and not planned again. A plan
     * without overlays turns them all off.
     */
    void stageOverlays(FramePlan plan, List<Scene.Placed> all, PlanSurface[] inputs, int primaryFb, int width, int height) {
        for (int attempt = 0; plan.overlayCount() > 0 && attempt <= pipe.overlays().size(); attempt++) {
            if (!stage(plan, all, inputs)) continue;
            boolean known = true;
            for (int k = 0; k < plan.overlayCount(); k++) {
                ClientBuffer b = all.get(plan.overlaySurface(k)).surface().buffer();
                if (!verdicts.passed(b, pipe.overlayIndex(plan.overlayPlane(k)))) known = false;
            }
            if (known) return;
            if (pipe.test(primaryFb, width, height)) {
                for (int k = 0; k < plan.overlayCount(); k++) {
                    verdicts.pass(all.get(plan.overlaySurface(k)).surface().buffer(), pipe.overlayIndex(plan.overlayPlane(k)));
                }
                return;
            }
            int least = plan.leastBenefit();
            LOG.debug("{}: overlay {} refused by the test commit ({}); composing {}", outputName, plan.overlayPlane(least).id(),
                    pipe.lastRejection(), all.get(plan.overlaySurface(least)).surface());
            verdicts.refuse(all.get(plan.overlaySurface(least)).surface().buffer(), pipe.overlayIndex(plan.overlayPlane(least)),
                    FallbackReason.TEST_COMMIT_REJECTED);
            plan.dropOverlay(least, FallbackReason.TEST_COMMIT_REJECTED);
        }
        if (plan.overlayCount() == 0) pipe.clearOverlays();
    }

    /** Stages the plan's overlays on the pipe; false (with that assignment dropped) when a buffer has no framebuffer. */
    private boolean stage(FramePlan plan, List<Scene.Placed> all, PlanSurface[] inputs) {
        pipe.clearOverlays();
        for (int k = 0; k < plan.overlayCount(); k++) {
            int i = plan.overlaySurface(k);
            Scene.Placed p = all.get(i);
            ClientBuffer b = p.surface().buffer();
            int index = pipe.overlayIndex(plan.overlayPlane(k));
            ScanoutCache.Entry fb = scanout.framebuffer(b.scanoutDmaBuf(udmabuf));
            if (!fb.ok()) {
                verdicts.refuse(b, index, fb.reason());
                plan.dropOverlay(k, fb.reason());
                pipe.clearOverlays();
                return false;
            }
            PlanSurface in = inputs[i];
            pipe.stageOverlay(index, fb.fbId(), in.srcX, in.srcY, in.srcWidth, in.srcHeight, p.x(), p.y(), p.width(), p.height());
        }
        return true;
    }

    /** The cursor plane's index among the pipe's planes for {@link #verdicts}: after the overlays. */
    int cursorIndex() {
        return pipe.overlays().size();
    }

    /**
     * Stages the plan's cursor on the cursor plane, over the primary framebuffer primaryFb (or
     * stages it off). A cursor buffer not tested before is tested once (TEST_ONLY, the cursor
     * alone over the primary); a buffer KMS refuses, on import or in that test, is remembered
     * and composed instead: false then, with the plan's cursor dropped and the reason named.
     */
    boolean stageCursor(FramePlan plan, List<Scene.Placed> all, int primaryFb, int width, int height) {
        pipe.clearCursor();
        int i = plan.cursorSurface();
        if (i == FramePlan.NONE) return true;
        Scene.Placed p = all.get(i);
        ClientBuffer b = p.surface().buffer();
        ScanoutCache.Entry fb = scanout.framebuffer(b.scanoutDmaBuf(udmabuf));
        if (!fb.ok()) {
            verdicts.refuse(b, cursorIndex(), fb.reason());
            plan.dropCursor(fb.reason());
            return false;
        }
        pipe.stageCursor(fb.fbId(), b.width(), b.height(), p.x(), p.y());
        if (verdicts.passed(b, cursorIndex())) return true;
        if (pipe.test(primaryFb, width, height)) {
            verdicts.pass(b, cursorIndex());
            return true;
        }
        LOG.debug("{}: cursor plane refused by the test commit ({}); composing the cursor", outputName, pipe.lastRejection());
        verdicts.refuse(b, cursorIndex(), FallbackReason.TEST_COMMIT_REJECTED);
        plan.dropCursor(FallbackReason.TEST_COMMIT_REJECTED);
        pipe.clearCursor();
        return false;
    }

    /** Flips a composed primary framebuffer with the overlays staged. */
    boolean flipComposed(int fbId, int width, int height) {
        return pipe.flip(fbId, width, height, 0);
    }

    /** The overlays of a refused flip: none of these buffers is offered on its plane again. */
    void overlaysRefused(List<ClientBuffer> buffers, int[] overlayIndex) {
        for (int k = 0; k < buffers.size(); k++) verdicts.refuse(buffers.get(k), overlayIndex[k], FallbackReason.FLIP_FAILED);
    }

    /** The client destroyed b: its framebuffer, taint and verdicts go. */
    void forget(ClientBuffer b) {
        tainted.remove(b);
        verdicts.forget(b);
        DmaBuf buf = b.scanoutDmaBuf(udmabuf);
        if (buf != null) scanout.forget(buf);
    }
}
