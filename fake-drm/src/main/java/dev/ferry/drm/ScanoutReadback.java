package dev.ferry.drm;

import dev.ferry.drm.topology.ModeSpec;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.PixelAccess;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * What a CRTC sends to its monitor: its planes composed bottom to top (premultiplied alpha over
 * black), each framebuffer read through the device's view of its memory (its layout, and for
 * CPU-cached memory the device-visible copy unless the device snoops).
 */
final class ScanoutReadback {
    /** Plane indices in ascending zpos. */
    private final int[] planesByZ;
    private final boolean snoops;

    ScanoutReadback(int[] planesByZ, boolean snoops) {
        this.planesByZ = planesByZ;
        this.snoops = snoops;
    }

    /** The picture of CRTC c in {@code current} (lit), framebuffers looked up by id. */
    ScanoutImage compose(KmsState current, int c, IntFunction<Framebuffer> framebuffers) {
        ModeSpec mode = current.crtcMode[c];
        int w = mode.width(), h = mode.height();
        int[] out = new int[w * h];
        Arrays.fill(out, 0xff000000);
        for (int p : planesByZ) {
            if (current.planeCrtc[p] != c) continue;
            Framebuffer fb = framebuffers.apply(current.planeFb[p]);
            if (fb == null) continue;
            composePlane(out, w, h, current, p, fb);
        }
        return new ScanoutImage(w, h, out);
    }

    private void composePlane(int[] out, int w, int h, KmsState current, int p, Framebuffer fb) {
        BufferIdentity id = fb.buffer.identity;
        if (id.protectedMemory()) return; // Protected content reads back black, as on real hardware.
        MemorySegment mem = fb.buffer.file();
        // A device that does not snoop sees CPU-cached memory as its device-visible copy.
        long base = id.hasShadow() && !snoops ? id.shadowOffset() : 0;
        boolean alpha = Fourcc.hasAlpha(fb.fourcc);
        int dx0 = current.dstX[p], dy0 = current.dstY[p], dw = current.dstW[p], dh = current.dstH[p];
        int sx0 = current.srcX[p], sy0 = current.srcY[p], sw = current.srcW[p], sh = current.srcH[p];
        for (int y = Math.max(0, dy0); y < Math.min(h, dy0 + dh); y++) {
            int sy = sy0 + (int) ((long) (y - dy0) * sh / dh);
            for (int x = Math.max(0, dx0); x < Math.min(w, dx0 + dw); x++) {
                int sx = sx0 + (int) ((long) (x - dx0) * sw / dw);
                int src = PixelAccess.read(mem, base, fb.offsets, fb.pitches, fb.fourcc, fb.layout, sx, sy);
                int i = y * w + x;
                out[i] = alpha ? blendPremultiplied(src, out[i]) : src | 0xff000000;
            }
        }
    }

    private static int blendPremultiplied(int src, int dst) {
        int a = src >>> 24;
        if (a == 0xff) return src;
        int inv = 255 - a;
        int r = Math.min(255, ((src >>> 16) & 0xff) + (((dst >>> 16) & 0xff) * inv + 127) / 255);
        int g = Math.min(255, ((src >>> 8) & 0xff) + (((dst >>> 8) & 0xff) * inv + 127) / 255);
        int b = Math.min(255, (src & 0xff) + ((dst & 0xff) * inv + 127) / 255);
        return 0xff000000 | (r << 16) | (g << 8) | b;
    }
}
