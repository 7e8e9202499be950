package dev.ferry.renderer.vulkan;

import static org.lwjgl.util.shaderc.Shaderc.*;

import dev.ferry.renderer.RendererUnavailableException;
import dev.ferry.drm.uapi.Bt709;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.lwjgl.system.MemoryUtil;

/**
 * The one compute shader that composes: a dispatch draws one surface over its part of one
 * damage rectangle (clears are vkCmdFillBuffer, straight copies vkCmdCopyBuffer), reading the client's buffer and, when it blends,
 * the target, and writing the target. The client's planes and the target are R32_UINT texel
 * buffers pushed per dispatch (VK_KHR_push_descriptor): lavapipe fetches them as vector gathers,
 * where it loads through buffer device addresses lane by lane. Every other parameter is in push
 * constants, uniform across the dispatch: software drivers (lavapipe) load it once instead of
 * once per pixel. The draw's format, filter, tiling and blend mode are
 * specialization constants: one pipeline per variant in use, made on first use, so that a
 * driver that runs both sides of every branch under a mask runs only one path.
 *
 * <p>Why compute and not a graphics pipeline: the target is the scanout buffer's own memory
 * (imported from its CPU mapping), whose pitch is the KMS buffer's and not one a linear VkImage
 * would choose; and client buffers are sampled where they lie, with their own strides, tilings
 * (fake-drm's, de-tiled here through the formula of {@code Tiling.byteOffset}) and formats.
 * Both are plain arrays of words to a shader.
 *
 * <p>The arithmetic is the CPU renderer's, step for step ({@code TexelSampler}, {@code PixelMath},
 * {@code RowWriter}), and so is the order: clear or the first opaque surface, then each surface
 * over what is below, rectangle by rectangle, with a barrier between dispatches. Sample
 * positions are doubles advanced from the clip's first pixel as the CPU advances them, 8-bit
 * bilinear weights, exact /255 rounding, the same float expression for BT.709 with
 * {@link Bt709}'s constants; {@code precise} keeps the compiler from fusing multiply-adds that
 * Java rounds separately. Where the device has no 64-bit floats the positions are float32,
 * within the tolerance the GLES renderer is held to.
 *
 * <p>Compiled from GLSL to SPIR-V by shaderc when the renderer starts (a few milliseconds), so
 * the constants come from Java and no GLSL compiler is needed at build time.
 */
final class ComposeShader {
    private ComposeShader() {}

    /** Bytes of the push constants ({@code Draw} below, std430: doubles first). */
    static final int PUSH_BYTES = 128;
    static final int LOCAL_SIZE_X = 16, LOCAL_SIZE_Y = 16;
    /**
     * Pixels one invocation draws, side by side: lavapipe's per-invocation overhead shared by
     * four (1080p, CPU ms per frame: 4 surfaces 14.1 -> 12.0, 16 surfaces 62.9 -> 56.1; 8 and
     * 16 were no better).
     */
    static final int PIXELS_PER_INVOCATION = 4;

    static final int P_A = 0, P_B = 8, P_C = 16, P_D = 24, P_E = 32, P_F = 40;
    // 48-71: unused (the planes' and target's device addresses before they became texel buffers); kept so the layout's offsets stay put.
    static final int P_OFFSET0 = 72, P_STRIDE0 = 76, P_OFFSET1 = 80, P_STRIDE1 = 84;
    static final int P_CX0 = 88, P_CY0 = 92, P_CX1 = 96, P_CY1 = 100;
    /** Buffer width and height. */
    static final int P_WIDTH = 104, P_HEIGHT = 108, P_TARGET_WORD = 112;
    static final int P_OFFSET_X = 116, P_OFFSET_Y = 120, P_TARGET_STRIDE = 124;

    // A pipeline variant's key: kind (bits 0-2, the CPU renderer's TexelKind numbers), flags (3-5), tiling (6-7),
    // mode (8-9); each is a specialization constant (ids 0-3) of the pipeline made for that key.
    static final int FLAG_BILINEAR = 1, FLAG_PREMULTIPLY = 2;
    /** The mapping is an integer translation (BufferMapping.isIntegerTranslation): texel (x + offsetX, y + offsetY). */
    static final int FLAG_INTEGER = 4;
    static final int MODE_STORE = 0, MODE_OVER = 1;

    static int variant(int kind, int flags, int tiling, int mode) {
        return kind | flags << 3 | tiling << 6 | mode << 8;
    }

    static int[] specialization(int variant) {
        return new int[] {variant & 7, variant >> 3 & 7, variant >> 6 & 3, variant >> 8 & 3};
    }

    private static final String SOURCE = """
            #version 450
                        #extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
            #define REAL %8$s
            layout(local_size_x = %9$d, local_size_y = %10$d, local_size_z = 1) in;

            // The client's planes and the target as 32-bit words: texel buffers, whose fetches and
            // stores lavapipe vectorises (loads through device addresses it runs lane by lane).
            layout(set = 0, binding = 0) uniform usamplerBuffer plane0;
            layout(set = 0, binding = 1) uniform usamplerBuffer plane1;
            layout(set = 0, binding = 2, r32ui) uniform uimageBuffer target;

            // The draw's variant: compile-time constants of its pipeline, so a software driver (which runs
            // both sides of a branch under a mask) executes only the path this draw takes.
            layout(constant_id = 0) const uint KIND = 0u;
            layout(constant_id = 1) const uint FLAGS = 0u;
            layout(constant_id = 2) const uint TILING = 0u;
            layout(constant_id = 3) const uint MODE = 0u;

            layout(push_constant) uniform Draw {
                double a, b, c, d, e, f;
                uint64_t unused0, unused1, unused2;
                uint offset0, stride0, offset1, stride1;
                int cx0, cy0, cx1, cy1;
                uint width, height;
                uint targetWord;
                int offsetX, offsetY;
                uint targetStride;
            } pc;

            uint wordAt(uint plane, uint i) {
                return plane == 0u ? texelFetch(plane0, int(i)).r : texelFetch(plane1, int(i)).r;
            }

            uint byteAt(uint plane, uint off) {
                return (wordAt(plane, off >> 2) >> ((off & 3u) * 8u)) & 0xffu;
            }

            // fake-drm's layouts (dev.ferry.drm.uapi.Tiling.byteOffset): 1 = 4x4 tiles row-major
            // inside, 2 = 16x16 tiles column-major inside, 0 = linear.
            uint byteOffset(uint tiling, int x, int y, uint stride, uint cpp) {
                if (tiling == 1u) return uint(y >> 2) * (stride << 2) + uint(x >> 2) * (16u * cpp) + uint(((y & 3) << 2) | (x & 3)) * cpp;
                if (tiling == 2u) return uint(y >> 4) * (stride << 4) + uint(x >> 4) * (256u * cpp) + uint(((x & 15) << 4) | (y & 15)) * cpp;
                return uint(y) * stride + uint(x) * cpp;
            }

            uint swapRedBlue(uint v) { return (v & 0xff00ff00u) | ((v >> 16) & 0xffu) | ((v & 0xffu) << 16); }
            uint to8(uint c10) { return (c10 * 255u + 511u) / 1023u; }
            uint from2101010(uint v, uint alpha) {
                return alpha << 24 | to8(v >> 20 & 0x3ffu) << 16 | to8(v >> 10 & 0x3ffu) << 8 | to8(v & 0x3ffu);
            }

            uint toArgb(uint kind, uint raw) {
                switch (kind) {
                    case 0u: return raw;
                    case 1u: return raw | 0xff000000u;
                    case 2u: return swapRedBlue(raw);
                    case 3u: return swapRedBlue(raw) | 0xff000000u;
                    case 4u: return from2101010(raw, (raw >> 30) * 85u);
                    default: return from2101010(raw, 255u);
                }
            }

            uint texel(uint kind, uint tiling, int x, int y) {
                x = clamp(x, 0, int(pc.width) - 1);
                y = clamp(y, 0, int(pc.height) - 1);
                return toArgb(kind, wordAt(0u, (pc.offset0 + byteOffset(tiling, x, y, pc.stride0, 4u)) >> 2));
            }

            int weight(REAL frac) { return int(frac * 256.0); }

            uint lerp2(uint c00, uint c10, uint c01, uint c11, int wx, int wy) {
                uint result = 0u;
                uint ux = uint(wx), uy = uint(wy);
                for (uint shift = 0u; shift < 32u; shift += 8u) {
                    uint a = c00 >> shift & 0xffu, b = c10 >> shift & 0xffu, c = c01 >> shift & 0xffu, d = c11 >> shift & 0xffu;
                    uint sum = (a * (256u - ux) + b * ux) * (256u - uy) + (c * (256u - ux) + d * ux) * uy;
                    result |= ((sum + 32768u) >> 16) << shift;
                }
                return result;
            }

            float bilinearByte(uint base, uint off, uint stride, uint cpp, uint channel, int w, int h, REAL u, REAL v) {
                int ix = int(floor(u)), iy = int(floor(v));
                uint wx = uint(weight(u - REAL(ix))), wy = uint(weight(v - REAL(iy)));
                uint xa = uint(clamp(ix, 0, w - 1)) * cpp + channel, xb = uint(clamp(ix + 1, 0, w - 1)) * cpp + channel;
                uint ra = off + uint(clamp(iy, 0, h - 1)) * stride, rb = off + uint(clamp(iy + 1, 0, h - 1)) * stride;
                uint c00 = byteAt(base, ra + xa), c10 = byteAt(base, ra + xb);
                uint c01 = byteAt(base, rb + xa), c11 = byteAt(base, rb + xb);
                uint sum = (c00 * (256u - wx) + c10 * wx) * (256u - wy) + (c01 * (256u - wx) + c11 * wx) * wy;
                return float(sum) / 16711680.0;
            }

            uint clampToByte(precise float v) {
                precise float scaled = v * 255.0 + 0.5;
                return uint(clamp(int(scaled), 0, 255));
            }

            uint yuvToArgb(float luma, float cb, float cr) {
                precise float yy = (luma - %1$s) * %2$s;
                precise float u = cb - %3$s;
                precise float v = cr - %3$s;
                precise float r = yy + %4$s * v;
                precise float g = yy + %5$s * u + %6$s * v;
                precise float b = yy + %7$s * u;
                return 0xff000000u | clampToByte(r) << 16 | clampToByte(g) << 8 | clampToByte(b);
            }

            uint sampleNv12(bool bilinear, REAL bx, REAL by) {
                int w = int(pc.width), h = int(pc.height);
                int cw = (w + 1) / 2, ch = (h + 1) / 2;
                precise REAL cxScale = REAL(cw) / REAL(w);
                precise REAL cyScale = REAL(ch) / REAL(h);
                float luma, cb, cr;
                if (bilinear) {
                    luma = bilinearByte(0u, pc.offset0, pc.stride0, 1u, 0u, w, h, bx - 0.5, by - 0.5);
                    precise REAL cu = bx * cxScale - 0.5;
                    precise REAL cv = by * cyScale - 0.5;
                    cb = bilinearByte(1u, pc.offset1, pc.stride1, 2u, 0u, cw, ch, cu, cv);
                    cr = bilinearByte(1u, pc.offset1, pc.stride1, 2u, 1u, cw, ch, cu, cv);
                } else {
                    int ix = clamp(int(floor(bx)), 0, w - 1), iy = clamp(int(floor(by)), 0, h - 1);
                    luma = float(byteAt(0u, pc.offset0 + uint(iy) * pc.stride0 + uint(ix))) / 255.0;
                    precise REAL jxf = bx * cxScale;
                    precise REAL jyf = by * cyScale;
                    int jx = clamp(int(floor(jxf)), 0, cw - 1), jy = clamp(int(floor(jyf)), 0, ch - 1);
                    uint pair = pc.offset1 + uint(jy) * pc.stride1 + 2u * uint(jx);
                    cb = float(byteAt(1u, pair)) / 255.0;
                    cr = float(byteAt(1u, pair + 1u)) / 255.0;
                }
                return yuvToArgb(luma, cb, cr);
            }

            %12$s
            uint premultiply(uint c) {
                uint a = c >> 24;
                if (a == 255u) return c;
                return a << 24 | mul255(c >> 16 & 0xffu, a) << 16 | mul255(c >> 8 & 0xffu, a) << 8 | mul255(c & 0xffu, a);
            }

            void drawPixel(int x, int y) {
                int at = int(pc.targetWord + uint(y) * (pc.targetStride >> 2) + uint(x));
                uint mode = MODE;
                uint kind = KIND, flags = FLAGS, tiling = TILING;
                uint c;
                if (kind != 6u && (flags & 4u) != 0u) {
                    c = texel(kind, tiling, x + pc.offsetX, y + pc.offsetY);
                } else {
                    // The sample position as the CPU renderer advances it along a row of the clip.
                    precise REAL ox0 = REAL(pc.cx0) + 0.5;
                    precise REAL oy = REAL(y) + 0.5;
                    precise REAL step = REAL(x - pc.cx0);
                    precise REAL bx0 = REAL(pc.a) * ox0 + REAL(pc.b) * oy + REAL(pc.c);
                    precise REAL by0 = REAL(pc.d) * ox0 + REAL(pc.e) * oy + REAL(pc.f);
                    if (kind == 6u) {
                        precise REAL bx = bx0 + step * REAL(pc.a);
                        precise REAL by = by0 + step * REAL(pc.d);
                        c = sampleNv12((flags & 1u) != 0u, bx, by);
                    } else if ((flags & 1u) != 0u) {
                        precise REAL u = (bx0 - 0.5) + step * REAL(pc.a);
                        precise REAL v = (by0 - 0.5) + step * REAL(pc.d);
                        int ix = int(floor(u)), iy = int(floor(v));
                        int wx = weight(u - REAL(ix)), wy = weight(v - REAL(iy));
                        c = lerp2(texel(kind, tiling, ix, iy), texel(kind, tiling, ix + 1, iy),
                                texel(kind, tiling, ix, iy + 1), texel(kind, tiling, ix + 1, iy + 1), wx, wy);
                    } else {
                        precise REAL bx = bx0 + step * REAL(pc.a);
                        precise REAL by = by0 + step * REAL(pc.d);
                        c = texel(kind, tiling, int(floor(bx)), int(floor(by)));
                    }
                }
                if ((flags & 2u) != 0u) c = premultiply(c);
                // RowWriter.over skips transparent black and stores opaque texels; "over" itself gives the
                // same for both (d * 255 / 255 rounds back to d, and d * 0 is 0), without a branch per pixel.
                if (mode == 1u) c = over(c, imageLoad(target, at).r);
                imageStore(target, at, uvec4(c));
            }

            void main() {
                int y = pc.cy0 + int(gl_GlobalInvocationID.y);
                int x0 = pc.cx0 + int(gl_GlobalInvocationID.x) * %11$d;
                if (y >= pc.cy1) return;
                for (int k = 0; k < %11$d; k++) {
                    if (x0 + k < pc.cx1) drawPixel(x0 + k, y);
                }
            }
            """;

    /**
     * PixelMath's exact /255 product and premultiplied "over", as GLSL: one text for the
     * per-surface shader and the tile-binned one ({@link BinnedShader}), so both round alike.
     */
    static final String BLEND_GLSL = """
            uint mul255(uint x, uint y) {
                uint t = x * y + 128u;
                return (t + (t >> 8)) >> 8;
            }

            uint over(uint s, uint d) {
                uint inv = 255u - (s >> 24);
                uint a = min(255u, (s >> 24) + mul255(d >> 24, inv));
                uint r = min(255u, (s >> 16 & 0xffu) + mul255(d >> 16 & 0xffu, inv));
                uint g = min(255u, (s >> 8 & 0xffu) + mul255(d >> 8 & 0xffu, inv));
                uint b = min(255u, (s & 0xffu) + mul255(d & 0xffu, inv));
                return a << 24 | r << 16 | g << 8 | b;
            }
            """;

    /** GLSL source with {@link Bt709}'s constants and the sample-position precision filled in. */
    static String glsl(boolean float64) {
        return String.format(Locale.ROOT, SOURCE,
                lit(Bt709.Y_OFFSET), lit(Bt709.Y_SCALE), lit(Bt709.C_OFFSET),
                lit(Bt709.R_FROM_CR), lit(Bt709.G_FROM_CB), lit(Bt709.G_FROM_CR), lit(Bt709.B_FROM_CB),
                float64 ? "double" : "float", LOCAL_SIZE_X, LOCAL_SIZE_Y, PIXELS_PER_INVOCATION, BLEND_GLSL);
    }

    /** A float literal that GLSL reads back as the same float. */
    private static String lit(float v) {
        return Float.toString(v);
    }

    /** SPIR-V for the shader, in native memory the caller frees with {@link MemoryUtil#memFree}. */
    static ByteBuffer compile(boolean float64) throws RendererUnavailableException {
        return compile(glsl(float64), "compose.comp");
    }

    /** SPIR-V for a compute shader's GLSL, in native memory the caller frees with {@link MemoryUtil#memFree}. */
    static ByteBuffer compile(String glsl, String name) throws RendererUnavailableException {
        long compiler = shaderc_compiler_initialize();
        if (compiler == 0) throw new RendererUnavailableException("shaderc_compiler_initialize failed");
        long options = shaderc_compile_options_initialize();
        try {
            shaderc_compile_options_set_target_env(options, shaderc_target_env_vulkan, shaderc_env_version_vulkan_1_2);
            shaderc_compile_options_set_optimization_level(options, shaderc_optimization_level_performance);
            // The source in its own native memory: it is larger than a thread's LWJGL MemoryStack leaves free.
            ByteBuffer source = MemoryUtil.memUTF8(glsl, false);
            ByteBuffer file = MemoryUtil.memUTF8(name), entry = MemoryUtil.memUTF8("main");
            long result;
            try {
                result = shaderc_compile_into_spv(compiler, source, shaderc_compute_shader, file, entry, options);
            } finally {
                MemoryUtil.memFree(source);
                MemoryUtil.memFree(file);
                MemoryUtil.memFree(entry);
            }
            try {
                if (shaderc_result_get_compilation_status(result) != shaderc_compilation_status_success) {
                    throw new RendererUnavailableException(name + " did not compile: " + shaderc_result_get_error_message(result));
                }
                ByteBuffer spirv = shaderc_result_get_bytes(result);
                ByteBuffer copy = MemoryUtil.memAlloc(spirv.remaining());
                copy.put(spirv).flip();
                return copy;
            } finally {
                shaderc_result_release(result);
            }
        } finally {
            shaderc_compile_options_release(options);
            shaderc_compiler_release(compiler);
        }
    }
}
