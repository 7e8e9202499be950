package dev.ferry.protocol;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * Checks a whole message against its signature before anything is dispatched, so a malformed
 * message never half-executes: every argument inside the message, strings NUL-terminated,
 * object arguments alive and of the declared interface, new ids usable, enough fds queued,
 * nothing left over. Returns null when the message is good, else why not (the only
 * allocation, and only on the error path).
 */
public final class MessageValidator {
    private static final java.lang.foreign.ValueLayout.OfInt WORD = JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private MessageValidator() {}

    public static String check(Message message, MemorySegment buf, long argsStart, long end,
                               int fdsQueued, ObjectSpace<? extends WireObject> objects, boolean fromClient) {
        byte[] types = message.types();
        long pos = argsStart;
        int fdsNeeded = 0;
        for (int i = 0; i < types.length; i++) {
            byte t = types[i];
            if (t == ArgType.FD) {
                fdsNeeded++;
                continue;
            }
            if (t == ArgType.NEW_ID && message.interfaces()[i] == null) {
                // Untyped new_id: interface name (string), version (uint), then the id.
                String problem = checkString(buf, pos, end, false, message, i);
                if (problem != null) return problem;
                pos += 4 + ((buf.get(WORD, pos) + 3L) & ~3L);
                if (pos + 8 > end) return "message too short for " + message.argNames()[i];
                pos += 4;
            }
            if (pos + 4 > end) return "message too short for argument " + message.argNames()[i];
            int word = buf.get(WORD, pos);
            switch (t) {
                case ArgType.STRING -> {
                    String problem = checkString(buf, pos, end, message.nullable()[i], message, i);
                    if (problem != null) return problem;
                    pos += 4 + ((Integer.toUnsignedLong(word) + 3) & ~3L);
                    continue;
                }
                case ArgType.ARRAY -> {
                    long len = Integer.toUnsignedLong(word);
                    if (pos + 4 + ((len + 3) & ~3L) > end) return "array " + message.argNames()[i] + " runs past the message";
                    pos += 4 + ((len + 3) & ~3L);
                    continue;
                }
                case ArgType.OBJECT -> {
                    if (word == 0) {
                        if (!message.nullable()[i]) return "null object for " + message.argNames()[i];
                    } else {
                        WireObject o = objects.get(word);
                        if (o == null) return "unknown object " + Integer.toUnsignedString(word) + " for " + message.argNames()[i];
                        String expected = message.interfaces()[i];
                        if (expected != null && !expected.equals(o.iface().name())) {
                            return "object " + Integer.toUnsignedString(word) + " is a " + o.iface().name() + ", not a " + expected;
                        }
                    }
                }
                case ArgType.NEW_ID -> {
                    if (word == 0 && !message.nullable()[i]) return "new id 0 for " + message.argNames()[i];
                    if (fromClient) {
                        String problem = objects.checkNewClientId(word);
                        if (problem != null) return problem;
                    }
                }
                default -> { }
            }
            pos += 4;
        }
        if (pos != end) return (end - pos) + " bytes left over after the last argument";
        if (fdsNeeded > fdsQueued) return "file descriptor expected but none received";
        return null;
    }

    private static String checkString(MemorySegment buf, long pos, long end, boolean nullable, Message m, int i) {
        if (pos + 4 > end) return "message too short for string " + m.argNames()[i];
        long len = Integer.toUnsignedLong(buf.get(WORD, pos));
        if (len == 0) return nullable ? null : "null string for " + m.argNames()[i];
        if (pos + 4 + ((len + 3) & ~3L) > end) return "string " + m.argNames()[i] + " runs past the message";
        if (buf.get(JAVA_BYTE, pos + 4 + len - 1) != 0) return "string " + m.argNames()[i] + " is not NUL-terminated";
        return null;
    }
}
