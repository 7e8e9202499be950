package dev.ferry.compositor.seat;

import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The XKB keymap every wl_keyboard is sent: its text (NUL-terminated, as clients hand it to
 * libxkbcommon) in one sealed read-only memfd that all keyboards share.
 *
 * <p>The default is the us layout compiled at start-up from the system's xkeyboard-config by
 * {@code xkbcli compile-keymap} (libxkbcommon-tools), about 10 ms. Compiling at runtime rather
 * than shipping a compiled keymap keeps generated data out of the repository and gives clients
 * the keymap of the xkeyboard-config they have themselves. Without xkbcli the keymap names its
 * components by include instead; libxkbcommon in the client resolves those from its own
 * xkb-data, which every desktop has.
 */
public final class Keymap implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Keymap.class);
    private static final long COMPILE_TIMEOUT_MS = 5000;
    private static final int MAX_KEYMAP_BYTES = 1 << 20;

    /** The us layout by component names, resolved by the client's libxkbcommon. */
    static final String US_BY_INCLUDE = """
            xkb_keymap {
              xkb_keycodes { include "evdev+aliases(qwerty)" };
              xkb_types { include "complete" };
              xkb_compatibility { include "complete" };
              xkb_symbols { include "pc+us+inet(evdev)" };
            };
            """;

    private final OwnedFd fd;
    private final int size;
    private final String origin;

    private Keymap(OwnedFd fd, int size, String origin) {
        this.fd = fd;
        this.size = size;
        this.origin = origin;
    }

    /** The us layout: compiled by xkbcli when it is installed, else by include. */
    public static Keymap defaultUs() throws PosixException {
        String compiled = compileWithXkbcli("us");
        if (compiled != null) return fromText(compiled, "xkbcli compile-keymap --layout us");
        LOG.info("xkbcli (libxkbcommon-tools) not found or failed: sending the us keymap by include");
        return fromText(US_BY_INCLUDE, "us by include");
    }

    /** A keymap from its text (a host compositor's, a test's). */
    public static Keymap fromText(String text, String origin) throws PosixException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment content = arena.allocate(bytes.length + 1L);
            MemorySegment.copy(bytes, 0, content, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            return new Keymap(Memfd.sealedReadOnly("ferry-keymap", content), bytes.length + 1, origin);
        }
    }

    /**
     * A keymap file someone else made (a host compositor's wl_keyboard.keymap): passed on to
     * Ferry's clients as it is, without reading it; this object owns the fd from here.
     */
    public static Keymap adopt(OwnedFd fd, int size, String origin) {
        return new Keymap(fd, size, origin);
    }

    private static String compileWithXkbcli(String layout) {
        Process p;
        try {
            p = new ProcessBuilder("xkbcli", "compile-keymap", "--layout", layout)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return null;
        }
        try (InputStream in = p.getInputStream()) {
            byte[] out = in.readNBytes(MAX_KEYMAP_BYTES);
            if (!p.waitFor(COMPILE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String text = new String(out, StandardCharsets.UTF_8);
            return p.exitValue() == 0 && text.startsWith("xkb_keymap") ? text : null;
        } catch (IOException e) {
            p.destroyForcibly();
            return null;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The keymap file; owned here (the transport sends each keyboard a duplicate). */
    public OwnedFd fd() { return fd; }

    /** Bytes in the file, the terminating NUL included. */
    public int size() { return size; }

    /** Where the text came from, for the log and statistics. */
    public String origin() { return origin; }

    @Override
    public void close() {
        fd.close();
    }
}
