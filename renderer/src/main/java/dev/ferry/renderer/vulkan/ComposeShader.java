package dev.ferry.renderer.vulkan;

import static org.lwjgl.util.shaderc.Shaderc.*;

import dev.ferry.renderer.RendererUnavailableException;
import dev.ferry.renderer.core.Bt709;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.lwjgl.system.MemoryUtil;

/**
 * The one compute shader that composes a damage rectangle: for each output pixel it walks the
 * scene's surfaces bottom to top, samples each one's buffer where it lands and blends it over
 * what is below. Buffers are read and the target written through buffer device addresses, so
 * a surface is a row of numbers in a parameter buffer and there are no descriptor sets.
 *
 * <p>Why compute and not a graphics pipeline: the target is the scanout buffer's own memory
 * (imported from its CPU mapping), whose pitch is the KMS buffer's and not one a linear VkImage
 * would choose; and client buffers are sampled where they lie, with their own strides, tilings
 * (fake-drm's, de-tiled here through the formula of {@code Tiling.byteOffset}) and formats.
 * Both are plain byte arrays to a shader.
 *
 * <p>The arithmetic is the CPU renderer's, step for step ({@code TexelSampler}, {@code PixelMath},
 * {@code RowWriter}): the same double-precision sample positions advanced from the clip's first
 * pixel, 8-bit bilinear weights, exact /255 rounding, the same float expression for BT.709 with
 * {@link Bt709}'s constants. {@code precise} keeps the compiler from fusing multiply-adds that
 * Java rounds separately. Where the device has no 64-bit floats the positions are float32,
 * within the tolerance the GLES renderer is held to.
 *
 * <p>Compiled from GLSL to SPIR-V by shaderc when the renderer starts (a few milliseconds), so
 * the constants come from Java and no GLSL compiler is needed at build time.
 */
final class ComposeShader {
    private ComposeShader() {}

    /** Bytes of one surface record (std430 layout of {@code Surface} below). */
    static final int SURFACE_BYTES = 128;
    /** Bytes of the push constants ({@code Frame} below). */
    static final int PUSH_BYTES = 64;
    static final int LOCAL_SIZE = 16;

    // Surface record field offsets (doubles first, 8-byte aligned).
    static final int S_A = 0, S_B = 8, S_C = 16, S_D = 24, S_E = 32, S_F = 40;
    static final int S_PLANE0 = 48, S_PLANE1 = 56;
    static final int S_OFFSET0 = 64, S_STRIDE0 = 68, S_OFFSET1 = 72, S_STRIDE1 = 76;
    static final int S_X0 = 80, S_Y0 = 84, S_X1 = 88, S_Y1 = 92;
    static final int S_WIDTH = 96, S_HEIGHT = 100, S_KIND = 104, S_FLAGS = 108, S_TILING = 112;

    // Push constant offsets.
    static final int P_SURFACES = 0, P_TARGET = 8, P_OPAQUE = 16;
    static final int P_RX0 = 24, P_RY0 = 28, P_RX1 = 32, P_RY1 = 36;
    static final int P_FIRST = 40, P_COUNT = 44, P_CLEAR = 48, P_TARGET_OFFSET = 52, P_TARGET_STRIDE = 56, P_CLEAR_FIRST = 60;

    static final int FLAG_BILINEAR = 1, FLAG_PREMULTIPLY = 2;

    private static final String SOURCE = """
            #version 450
            #extension GL_EXT_buffer_reference : require
            #extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
            #define REAL %8$s
            layout(local_size_x = %9$d, local_size_y = %9$d, local_size_z = 1) in;

            layout(buffer_reference, std430, buffer_reference_align = 4) readonly buffer Words { uint w[]; };
            layout(buffer_reference, std430, buffer_reference_align = 4) writeonly buffer Pixels { uint p[]; };

            struct Surface {
                double a, b, c, d, e, f;
                uint64_t plane0, plane1;
                uint offset0, stride0, offset1, stride1;
                int x0, y0, x1, y1;
                uint width, height, kind, flags;
                uint tiling, pad0, pad1, pad2;
            };
            layout(buffer_reference, std430, buffer_reference_align = 8) readonly buffer Surfaces { Surface s[]; };

            layout(push_constant) uniform Frame {
                uint64_t surfaces;
                uint64_t target;
                uint64_t opaque;
                int rx0, ry0, rx1, ry1;
                uint first, count, clear, targetOffset, targetStride, clearFirst;
            } pc;

            uint byteAt(uint64_t base, uint off) {
                return (Words(base).w[off >> 2] >> ((off & 3u) * 8u)) & 0xffu;
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

            // Kinds as the CPU renderer's TexelKind numbers them.
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

            uint texel(Surface s, int x, int y) {
                x = clamp(x, 0, int(s.width) - 1);
                y = clamp(y, 0, int(s.height) - 1);
                return toArgb(s.kind, Words(s.plane0).w[(s.offset0 + byteOffset(s.tiling, x, y, s.stride0, 4u)) >> 2]);
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

            float bilinearByte(uint64_t base, uint off, uint stride, uint cpp, uint channel, int w, int h, REAL u, REAL v) {
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

            uint sampleNv12(Surface s, REAL bx, REAL by) {
                int w = int(s.width), h = int(s.height);
                int cw = (w + 1) / 2, ch = (h + 1) / 2;
                precise REAL cxScale = REAL(cw) / REAL(w);
                precise REAL cyScale = REAL(ch) / REAL(h);
                float luma, cb, cr;
                if ((s.flags & 1u) != 0u) {
                    luma = bilinearByte(s.plane0, s.offset0, s.stride0, 1u, 0u, w, h, bx - 0.5, by - 0.5);
                    precise REAL cu = bx * cxScale - 0.5;
                    precise REAL cv = by * cyScale - 0.5;
                    cb = bilinearByte(s.plane1, s.offset1, s.stride1, 2u, 0u, cw, ch, cu, cv);
                    cr = bilinearByte(s.plane1, s.offset1, s.stride1, 2u, 1u, cw, ch, cu, cv);
                } else {
                    int ix = clamp(int(floor(bx)), 0, w - 1), iy = clamp(int(floor(by)), 0, h - 1);
                    luma = float(byteAt(s.plane0, s.offset0 + uint(iy) * s.stride0 + uint(ix))) / 255.0;
                    precise REAL jxf = bx * cxScale;
                    precise REAL jyf = by * cyScale;
                    int jx = clamp(int(floor(jxf)), 0, cw - 1), jy = clamp(int(floor(jyf)), 0, ch - 1);
                    uint pair = s.offset1 + uint(jy) * s.stride1 + 2u * uint(jx);
                    cb = float(byteAt(s.plane1, pair)) / 255.0;
                    cr = float(byteAt(s.plane1, pair + 1u)) / 255.0;
                }
                return yuvToArgb(luma, cb, cr);
            }

            uint mul255(uint x, uint y) {
                uint t = x * y + 128u;
                return (t + (t >> 8)) >> 8;
            }

            uint premultiply(uint c) {
                uint a = c >> 24;
                if (a == 255u) return c;
                return a << 24 | mul255(c >> 16 & 0xffu, a) << 16 | mul255(c >> 8 & 0xffu, a) << 8 | mul255(c & 0xffu, a);
            }

            uint over(uint s, uint d) {
                uint inv = 255u - (s >> 24);
                uint a = min(255u, (s >> 24) + mul255(d >> 24, inv));
                uint r = min(255u, (s >> 16 & 0xffu) + mul255(d >> 16 & 0xffu, inv));
                uint g = min(255u, (s >> 8 & 0xffu) + mul255(d >> 8 & 0xffu, inv));
                uint b = min(255u, (s & 0xffu) + mul255(d & 0xffu, inv));
                return a << 24 | r << 16 | g << 8 | b;
            }

            void main() {
                int x = pc.rx0 + int(gl_GlobalInvocationID.x);
                int y = pc.ry0 + int(gl_GlobalInvocationID.y);
                if (x >= pc.rx1 || y >= pc.ry1) return;
                uint acc = pc.clearFirst != 0u ? pc.clear : 0u;
                Surfaces scene = Surfaces(pc.surfaces);
                Words opaque = Words(pc.opaque);
                for (uint i = pc.first; i < pc.count; i++) {
                    Surface s = scene.s[i];
                    if (x < s.x0 || x >= s.x1 || y < s.y0 || y >= s.y1) continue;
                    // The sample position as the CPU renderer advances it along a row of the clip.
                    int cx0 = max(pc.rx0, s.x0);
                    precise REAL ox0 = REAL(cx0) + 0.5;
                    precise REAL oy = REAL(y) + 0.5;
                    precise REAL step = REAL(x - cx0);
                    precise REAL bx0 = REAL(s.a) * ox0 + REAL(s.b) * oy + REAL(s.c);
                    precise REAL by0 = REAL(s.d) * ox0 + REAL(s.e) * oy + REAL(s.f);
                    uint c;
                    if (s.kind == 6u) {
                        precise REAL bx = bx0 + step * REAL(s.a);
                        precise REAL by = by0 + step * REAL(s.d);
                        c = sampleNv12(s, bx, by);
                    } else if ((s.flags & 1u) != 0u) {
                        precise REAL u = (bx0 - 0.5) + step * REAL(s.a);
                        precise REAL v = (by0 - 0.5) + step * REAL(s.d);
                        int ix = int(floor(u)), iy = int(floor(v));
                        int wx = weight(u - REAL(ix)), wy = weight(v - REAL(iy));
                        c = lerp2(texel(s, ix, iy), texel(s, ix + 1, iy), texel(s, ix, iy + 1), texel(s, ix + 1, iy + 1), wx, wy);
                    } else {
                        precise REAL bx = bx0 + step * REAL(s.a);
                        precise REAL by = by0 + step * REAL(s.d);
                        c = texel(s, int(floor(bx)), int(floor(by)));
                    }
                    if ((s.flags & 2u) != 0u) c = premultiply(c);
                    acc = opaque.w[i] != 0u ? c : over(c, acc);
                }
                Pixels(pc.target).p[(pc.targetOffset + uint(y) * pc.targetStride) / 4u + uint(x)] = acc;
            }
            """;

    /** GLSL source with {@link Bt709}'s constants and the sample-position precision filled in. */
    static String glsl(boolean float64) {
        return String.format(Locale.ROOT, SOURCE,
                lit(Bt709.Y_OFFSET), lit(Bt709.Y_SCALE), lit(Bt709.C_OFFSET),
                lit(Bt709.R_FROM_CR), lit(Bt709.G_FROM_CB), lit(Bt709.G_FROM_CR), lit(Bt709.B_FROM_CB),
                float64 ? "double" : "float", LOCAL_SIZE);
    }

    /** A float literal that GLSL reads back as the same float. */
    private static String lit(float v) {
        return Float.toString(v);
    }

    /** SPIR-V for the shader, in native memory the caller frees with {@link MemoryUtil#memFree}. */
    static ByteBuffer compile(boolean float64) throws RendererUnavailableException {
        long compiler = shaderc_compiler_initialize();
        if (compiler == 0) throw new RendererUnavailableException("shaderc_compiler_initialize failed");
        long options = shaderc_compile_options_initialize();
        try {
            shaderc_compile_options_set_target_env(options, shaderc_target_env_vulkan, shaderc_env_version_vulkan_1_2);
            shaderc_compile_options_set_optimization_level(options, shaderc_optimization_level_performance);
            long result = shaderc_compile_into_spv(compiler, glsl(float64), shaderc_compute_shader, "compose.comp", "main", options);
            try {
                if (shaderc_result_get_compilation_status(result) != shaderc_compilation_status_success) {
                    throw new RendererUnavailableException("compose shader did not compile: " + shaderc_result_get_error_message(result));
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
