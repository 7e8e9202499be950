package dev.ferry.renderer.vulkan;

import dev.ferry.renderer.RendererUnavailableException;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The tile-binned compute shader: one dispatch draws a stack of 1:1 packed surfaces over a
 * damage rectangle, one workgroup per tile that some of them overlap, each pixel loaded and
 * stored once with every surface of its tile's list blended over it in stacking order (the
 * lists and the surfaces' parameters are {@link TileBins}'s words). Against one dispatch per
 * surface ({@link ComposeShader}), on lavapipe the per-pixel overhead and the target's load
 * and store are paid once per pixel instead of once per surface over it; the texel fetch and
 * the blend stay per surface. The blend is {@link ComposeShader#BLEND_GLSL}, so the result is
 * the per-surface path's to the bit.
 *
 * <p>Which surfaces qualify is {@link TileBins#binnable}: packed ARGB8888 (premultiplied) or
 * XRGB8888, linear, an integer translation, wholly inside their buffer. A surface's texels are
 * read through its buffer's device address, from its record: an array of texel buffers would
 * need dynamic descriptor indexing, which lavapipe 22.3 does not offer (and on lavapipe
 * device-address loads cost what texel-buffer fetches cost: BENCHMARKS.md, #17).
 */
final class BinnedShader {
    private BinnedShader() {}

    static final int LOCAL_SIZE = 16;
    static final int PIXELS_PER_INVOCATION = 8;
    static final int TILE_WIDTH = LOCAL_SIZE * PIXELS_PER_INVOCATION, TILE_HEIGHT = LOCAL_SIZE;
    /** Push constants: the dispatch's first tile record, the target's first pixel and its stride, in words. */
    static final int PUSH_BYTES = 16;
    static final int P_TILE_BASE = 0, P_TARGET_WORD = 4, P_TARGET_STRIDE = 8;

    private static final String SOURCE = """
            #version 450
            #extension GL_EXT_buffer_reference : require
            #extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
            layout(local_size_x = %1$d, local_size_y = %1$d, local_size_z = 1) in;

            layout(set = 0, binding = 0) uniform usamplerBuffer bins;
            layout(set = 0, binding = 1, r32ui) uniform uimageBuffer target;
            layout(buffer_reference, std430, buffer_reference_align = 4) readonly buffer Texels { uint t[]; };

            layout(push_constant) uniform Dispatch {
                uint tileBase;
                uint targetWord;
                uint targetStride;
            } pc;

            uint word(uint i) { return texelFetch(bins, int(i)).r; }

            %3$s
            void main() {
                // Tile record (TileBins): x0, y0, x1, y1 (the tile inside the damage rectangle), first list word, count | opaque-start << 16.
                uint t = pc.tileBase + gl_WorkGroupID.x * 6u;
                int tx0 = int(word(t)), ty0 = int(word(t + 1u)), tx1 = int(word(t + 2u)), ty1 = int(word(t + 3u));
                uint list = word(t + 4u), header = word(t + 5u);
                uint count = header & 0xffffu;
                bool opaqueStart = (header >> 16) != 0u;
                int y = ty0 + int(gl_LocalInvocationID.y);
                int x0 = tx0 + int(gl_LocalInvocationID.x) * %2$d;
                if (y >= ty1 || x0 >= tx1) return;
                int row = int(pc.targetWord) + y * int(pc.targetStride);
                uint c[%2$d];
                for (int k = 0; k < %2$d; k++) {
                    // Below an opaque surface covering the tile, what the target holds never shows.
                    c[k] = (opaqueStart || x0 + k >= tx1) ? 0u : imageLoad(target, row + x0 + k).r;
                }
                for (uint e = 0u; e < count; e++) {
                    // Surface record (TileBins): x0 | x1 << 16, y0 | y1 << 16 (its clip), the device address of its texel for
                    // target pixel (0, 0) (low, high word), its stride in bytes | 1 << 31 when the format has no alpha.
                    uint s = word(list + e);
                    uint ys = word(s + 1u);
                    if (y < int(ys & 0xffffu) || y >= int(ys >> 16)) continue;
                    uint xs = word(s);
                    int sx0 = int(xs & 0xffffu), sx1 = int(xs >> 16);
                    uint strideAlpha = word(s + 4u);
                    uint64_t origin = packUint2x32(uvec2(word(s + 2u), word(s + 3u)));
                    Texels row = Texels(origin + uint64_t(y) * uint64_t(strideAlpha & 0x7fffffffu));
                    uint alpha = (strideAlpha >> 31) * 0xff000000u;
                    for (int k = 0; k < %2$d; k++) {
                        int x = x0 + k;
                        if (x >= sx0 && x < sx1) c[k] = over(row.t[x] | alpha, c[k]);
                    }
                }
                for (int k = 0; k < %2$d; k++) {
                    if (x0 + k < tx1) imageStore(target, row + x0 + k, uvec4(c[k]));
                }
            }
            """;

    static String glsl() {
        return String.format(Locale.ROOT, SOURCE, LOCAL_SIZE, PIXELS_PER_INVOCATION, ComposeShader.BLEND_GLSL);
    }

    static ByteBuffer compile() throws RendererUnavailableException {
        return ComposeShader.compile(glsl(), "binned.comp");
    }
}
