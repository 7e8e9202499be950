package dev.ferry.renderer.gles;

import static org.lwjgl.opengles.GLES30.*;

import dev.ferry.drm.uapi.Bt709;
import java.util.Locale;

/**
 * The one shader program that draws a surface: samples RGBA (channel order already fixed by
 * texture swizzle) or NV12 (two textures, BT.709 limited range with {@link Bt709}'s constants,
 * the same expression the CPU sampler evaluates), multiplies straight alpha if asked, and
 * writes B, G, R, A so that the framebuffer's bytes are the target's XRGB/ARGB8888 bytes and
 * glReadPixels(GL_RGBA) needs no conversion.
 */
final class SurfaceProgram implements AutoCloseable {
    private static final String VERTEX = """
            #version 300 es
            layout(location = 0) in vec2 a_position;
            layout(location = 1) in vec2 a_texcoord;
            out vec2 v_texcoord;
            void main() {
                v_texcoord = a_texcoord;
                gl_Position = vec4(a_position, 0.0, 1.0);
            }
            """;

    private static final String FRAGMENT = """
            #version 300 es
            precision highp float;
            uniform sampler2D u_plane0;
            uniform sampler2D u_plane1;
            uniform int u_nv12;
            uniform int u_premultiply;
            in vec2 v_texcoord;
            out vec4 o_color;
            void main() {
                vec4 c;
                if (u_nv12 == 1) {
                    float luma = texture(u_plane0, v_texcoord).r;
                    vec2 cbcr = texture(u_plane1, v_texcoord).rg;
                    float yy = (luma - %1$s) * %2$s;
                    float u = cbcr.r - %3$s;
                    float v = cbcr.g - %3$s;
                    c = vec4(yy + %4$s * v, yy + %5$s * u + %6$s * v, yy + %7$s * u, 1.0);
                } else {
                    c = texture(u_plane0, v_texcoord);
                }
                if (u_premultiply == 1) c.rgb *= c.a;
                o_color = c.bgra;
            }
            """;

    final int program;
    final int nv12Location;
    final int premultiplyLocation;

    SurfaceProgram() {
        String fragment = String.format(Locale.ROOT, FRAGMENT,
                glsl(Bt709.Y_OFFSET), glsl(Bt709.Y_SCALE), glsl(Bt709.C_OFFSET),
                glsl(Bt709.R_FROM_CR), glsl(Bt709.G_FROM_CB), glsl(Bt709.G_FROM_CR), glsl(Bt709.B_FROM_CB));
        int vs = compile(GL_VERTEX_SHADER, VERTEX);
        int fs = compile(GL_FRAGMENT_SHADER, fragment);
        program = glCreateProgram();
        glAttachShader(program, vs);
        glAttachShader(program, fs);
        glLinkProgram(program);
        glDeleteShader(vs);
        glDeleteShader(fs);
        if (glGetProgrami(program, GL_LINK_STATUS) == 0) {
            String log = glGetProgramInfoLog(program);
            glDeleteProgram(program);
            throw new IllegalStateException("surface program did not link: " + log);
        }
        glUseProgram(program);
        glUniform1i(glGetUniformLocation(program, "u_plane0"), 0);
        glUniform1i(glGetUniformLocation(program, "u_plane1"), 1);
        nv12Location = glGetUniformLocation(program, "u_nv12");
        premultiplyLocation = glGetUniformLocation(program, "u_premultiply");
    }

    /** A float literal that GLSL reads back as the same float. */
    private static String glsl(float v) {
        return Float.toString(v);
    }

    private static int compile(int type, String source) {
        int shader = glCreateShader(type);
        glShaderSource(shader, source);
        glCompileShader(shader);
        if (glGetShaderi(shader, GL_COMPILE_STATUS) == 0) {
            String log = glGetShaderInfoLog(shader);
            glDeleteShader(shader);
            throw new IllegalStateException("shader did not compile: " + log + "\n" + source);
        }
        return shader;
    }

    @Override
    public void close() {
        glDeleteProgram(program);
    }
}
