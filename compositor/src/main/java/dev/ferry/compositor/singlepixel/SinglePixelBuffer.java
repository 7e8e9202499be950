package dev.ferry.compositor.singlepixel;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.posix.ArenaCloser;
import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.server.Resource;
import dev.ferry.renderer.PixelSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A 1x1 wl_buffer of one premultiplied colour (wp_single_pixel_buffer_v1), usually scaled up
 * with a viewport: a fill. It keeps the colour as the client gave it, 32 bits a channel, for
 * whoever can use a fill directly (a plane's solid-fill property); renderers read it as one
 * ARGB8888 pixel.
 */
public final class SinglePixelBuffer extends ClientBuffer implements WlBuffer.Requests {
    private final int red32, green32, blue32, alpha32;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment pixel;

    SinglePixelBuffer(Resource resource, int red32, int green32, int blue32, int alpha32) {
        super(resource);
        this.red32 = red32;
        this.green32 = green32;
        this.blue32 = blue32;
        this.alpha32 = alpha32;
        pixel = arena.allocate(4, 4);
        pixel.set(JAVA_INT, 0, argb8888());
    }

    /** Channels as sent: 0 .. 0xffffffff (unsigned), premultiplied by alpha. */
    public int red32() { return red32; }
    public int green32() { return green32; }
    public int blue32() { return blue32; }
    public int alpha32() { return alpha32; }

    /** The colour reduced to 8 bits a channel, 0xAARRGGBB. */
    public int argb8888() {
        return top8(alpha32) << 24 | top8(red32) << 16 | top8(green32) << 8 | top8(blue32);
    }

    private static int top8(int channel32) {
        return channel32 >>> 24;
    }

    @Override public int width() { return 1; }
    @Override public int height() { return 1; }
    @Override public int fourcc() { return Fourcc.ARGB8888; }
    @Override public boolean hasAlpha() { return alpha32 != -1; }
    @Override public String kind() { return "single-pixel"; }
    @Override public PixelSource pixels() { return PixelSource.packed(pixel, 1, 1, 4, Fourcc.ARGB8888); }
    @Override public void destroy(Resource self) {}
    /** Off the loop: a shared arena's close waits on every thread (ArenaCloser). */
    @Override protected void closeContents() { ArenaCloser.closeLater(arena); }
}
