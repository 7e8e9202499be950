package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;

import java.util.Arrays;

/**
 * ADDFB2 and RMFB: a device's framebuffers, by id, each holding a reference on its imported
 * buffer. ADDFB2 checks format and modifier against what some plane scans out and the layout by
 * the import rules' shared check. The device's lock covers every call.
 */
final class FramebufferTable {
    private static final int FB_ID_BASE = 200;

    private final FormatTable scanoutTable;
    private final ImportRules rules;
    private Framebuffer[] framebuffers = new Framebuffer[16];

    FramebufferTable(FormatTable scanoutTable, ImportRules rules) {
        this.scanoutTable = scanoutTable;
        this.rules = rules;
    }

    /** A framebuffer over buffer b with this layout description, or why not. */
    AddFbResult add(ImportedBuffer b, int width, int height, int fourcc, long modifier, int[] offsets, int[] pitches) {
        if (!scanoutTable.supportsFormat(fourcc)) return AddFbResult.rejected(AddFbRejection.FORMAT, Fourcc.name(fourcc));
        if (!scanoutTable.supports(fourcc, modifier)) {
            return AddFbResult.rejected(AddFbRejection.MODIFIER, Modifiers.name(modifier) + " with " + Fourcc.name(fourcc));
        }
        long layout = rules.layoutFor(modifier, b.identity);
        LayoutProblem problem = rules.checkLayout(width, height, fourcc, layout, Math.min(offsets.length, pitches.length),
                offsets, pitches, b.identity.viewSize());
        if (problem != null) return AddFbResult.rejected(problem.kind().addFbRejection(), problem.detail());
        int slot = 0;
        while (slot < framebuffers.length && framebuffers[slot] != null) slot++;
        if (slot == framebuffers.length) framebuffers = Arrays.copyOf(framebuffers, slot * 2);
        b.retain();
        int id = FB_ID_BASE + slot;
        framebuffers[slot] = new Framebuffer(id, b, width, height, fourcc, modifier, layout,
                offsets.clone(), pitches.clone());
        return AddFbResult.ok(id);
    }

    /** The framebuffer with this id, or null. */
    Framebuffer get(int id) {
        int slot = id - FB_ID_BASE;
        return slot >= 0 && slot < framebuffers.length ? framebuffers[slot] : null;
    }

    /** Drops framebuffer fbId and its reference on the buffer (the last one frees it); false if unknown. */
    boolean remove(int fbId) {
        Framebuffer fb = get(fbId);
        if (fb == null) return false;
        framebuffers[fbId - FB_ID_BASE] = null;
        fb.buffer.release();
        return true;
    }

    int count() {
        int n = 0;
        for (Framebuffer fb : framebuffers) if (fb != null) n++;
        return n;
    }

    /** Releases every framebuffer's reference (device teardown). */
    void clear() {
        for (int i = 0; i < framebuffers.length; i++) {
            if (framebuffers[i] != null) framebuffers[i].buffer.release();
            framebuffers[i] = null;
        }
    }
}
