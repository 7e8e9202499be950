package dev.ferry.protocol;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * A protocol trace in the spirit of WAYLAND_DEBUG: one line per message,
 * {@code [ms] -> interface@id.message(args)}. On when WAYLAND_DEBUG is "server" or "1" (in the
 * compositor), when FERRY_PROTOCOL_TRACE is set, or through {@link #enable}. Off, it costs one
 * volatile read per message.
 */
public final class Trace {
    public enum Direction { IN, OUT }

    private static final java.lang.foreign.ValueLayout.OfInt WORD = JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static volatile boolean enabled = initial();
    private static volatile PrintStream sink = System.err;
    private static volatile String side = "server";

    private Trace() {}

    private static boolean initial() {
        String debug = System.getenv("WAYLAND_DEBUG");
        String ours = System.getenv("FERRY_PROTOCOL_TRACE");
        return (ours != null && !ours.isEmpty() && !ours.equals("0"))
                || "server".equals(debug) || "1".equals(debug) || Boolean.getBoolean("ferry.trace");
    }

    public static boolean enabled() { return enabled; }

    public static void enable(boolean on) { enabled = on; }

    public static void sink(PrintStream out) { sink = out; }

    /** Which side this process plays, shown in each line ("server" or "client"). */
    public static void side(String name) { side = name; }

    /** Traces a request or event as it arrives. */
    public static void incoming(WireObject target, Message m, MemorySegment buf, long pos, long end) {
        message(Direction.IN, target, m, buf, pos, end, null);
    }

    static void message(Direction dir, WireObject target, Message m, MemorySegment buf, long pos, long end, String note) {
        sink.println(format(dir, target, m, buf, pos, end));
    }

    /** Formats one message; also used by error reports. */
    public static String format(Direction dir, WireObject target, Message m, MemorySegment buf, long pos, long end) {
        StringBuilder sb = new StringBuilder(96);
        long ms = System.nanoTime() / 1000;
        sb.append('[').append(ms / 1000).append('.').append(String.format("%03d", ms % 1000)).append("] ");
        sb.append(side).append(dir == Direction.IN ? " <- " : " -> ");
        sb.append(target.iface().name()).append('@').append(Integer.toUnsignedString(target.id()));
        sb.append('.').append(m.name()).append('(');
        byte[] types = m.types();
        for (int i = 0; i < types.length; i++) {
            if (i > 0) sb.append(", ");
            byte t = types[i];
            if (t == ArgType.FD) {
                sb.append("fd");
                continue;
            }
            if (pos + 4 > end) {
                sb.append("<truncated>");
                break;
            }
            if (t == ArgType.NEW_ID && m.interfaces()[i] == null) {
                int len = buf.get(WORD, pos);
                sb.append('"').append(str(buf, pos + 4, len)).append("\" v");
                pos += 4 + ((len + 3L) & ~3L);
                sb.append(buf.get(WORD, pos)).append(' ');
                pos += 4;
            }
            int w = buf.get(WORD, pos);
            switch (t) {
                case ArgType.INT -> sb.append(w);
                case ArgType.UINT -> sb.append(Integer.toUnsignedString(w));
                case ArgType.FIXED -> sb.append(Fixed.toDouble(w));
                case ArgType.OBJECT -> sb.append(w == 0 ? "nil" : (m.interfaces()[i] == null ? "object" : m.interfaces()[i]) + "@" + Integer.toUnsignedString(w));
                case ArgType.NEW_ID -> sb.append("new id ").append(m.interfaces()[i] == null ? "" : m.interfaces()[i]).append('@').append(Integer.toUnsignedString(w));
                case ArgType.STRING -> sb.append(w == 0 ? "nil" : '"' + str(buf, pos + 4, w) + '"');
                case ArgType.ARRAY -> sb.append("array[").append(Integer.toUnsignedString(w)).append(']');
                default -> sb.append('?');
            }
            pos += 4;
            if (t == ArgType.STRING || t == ArgType.ARRAY) pos += (Integer.toUnsignedLong(w) + 3) & ~3L;
        }
        return sb.append(')').toString();
    }

    private static String str(MemorySegment buf, long pos, int lenWithNul) {
        if (lenWithNul <= 0) return "";
        int n = Math.max(0, Math.min(lenWithNul - 1, 200));
        if (pos + n > buf.byteSize()) return "<truncated>";
        byte[] b = new byte[n];
        MemorySegment.copy(buf, JAVA_BYTE, pos, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }
}
