package dev.ferry.compositor.robustness;

import dev.ferry.posix.Fds;
import dev.ferry.posix.MessageSocket;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.UnixSockets;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A client that writes whatever bytes a test wants and reads back what the compositor says. */
final class RawWaylandSocket implements AutoCloseable {
    /** wl_display.error as received. */
    record DisplayError(int objectId, int code, String message) {}

    private final MessageSocket socket;
    // Shared, not confined: a test may open the socket on one thread and use it on another (one at a time).
    private final Arena arena = Arena.ofShared();
    private MemorySegment drainBuffer;
    private String sendError;
    private long drained;

    RawWaylandSocket(Path path) throws Exception {
        socket = new MessageSocket(UnixSockets.connect(path.toString()));
    }

    /** Builds one message: header, then 32-bit words. sizeOverride < 0 means the true size. */
    static byte[] message(int objectId, int opcode, int sizeOverride, int... words) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * words.length).order(ByteOrder.nativeOrder());
        int size = sizeOverride >= 0 ? sizeOverride : 8 + 4 * words.length;
        b.putInt(objectId).putInt(size << 16 | opcode);
        for (int w : words) b.putInt(w);
        return b.array();
    }

    /** The words of a string argument: length with NUL, bytes, padding; terminated or not. */
    static int[] string(String s, boolean nulTerminated) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int len = bytes.length + (nulTerminated ? 1 : 0);
        int padded = (len + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(4 + padded).order(ByteOrder.nativeOrder());
        b.putInt(len).put(bytes);
        if (!nulTerminated && padded > len) {
            // Fill the padding with non-zero bytes too, so no NUL hides there.
            while (b.position() < 4 + padded) b.put((byte) 'x');
        }
        b.position(0);
        int[] words = new int[(4 + padded) / 4];
        b.asIntBuffer().get(words);
        return words;
    }

    static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int i = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    void send(byte[] bytes) throws Exception {
        MemorySegment seg = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
        long sent = socket.send(seg, 0, bytes.length, new int[0], 0);
        if (sent != bytes.length) throw new IllegalStateException("short send");
    }

    /**
     * Sends one batch of bytes with fds (SCM_RIGHTS, as a client passes them), waiting for room;
     * false when the compositor closed the connection first.
     */
    boolean sendQuietly(byte[] bytes, int[] fds) throws Exception {
        MemorySegment seg = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
        long off = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (off < bytes.length) {
            if (System.nanoTime() > deadline) throw new AssertionError("the compositor took nothing for 10 s");
            long sent;
            try {
                sent = off == 0 ? socket.send(seg, 0, bytes.length, fds, fds.length) : socket.send(seg, off, bytes.length - off, new int[0], 0);
            } catch (dev.ferry.posix.PosixException closed) {
                sendError = closed.getMessage();
                return false;
            }
            if (sent > 0) off += sent;
            else Fds.poll(socket.fd().fd(), Fds.POLLOUT, 100);
        }
        return true;
    }

    /**
     * Sends all of bytes, waiting for room as a blocking client would. Returns false when the
     * compositor closed the connection first (it may cut off a flooding client midway).
     */
    boolean sendAll(byte[] bytes) throws Exception {
        MemorySegment seg = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
        long off = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (off < bytes.length) {
            if (System.nanoTime() > deadline) throw new AssertionError("the compositor took nothing for 10 s");
            long sent;
            try {
                sent = socket.send(seg, off, bytes.length - off, new int[0], 0);
            } catch (dev.ferry.posix.PosixException closed) {
                sendError = closed.getMessage();
                return false;
            }
            if (sent > 0) off += sent;
            else Fds.poll(socket.fd().fd(), Fds.POLLOUT, 100);
        }
        return true;
    }

    /**
     * Reads and drops whatever has arrived; false once the compositor has closed the connection.
     * On the thread that sends: send and receive share the socket's message header.
     */
    boolean drain() throws Exception {
        if (drainBuffer == null) drainBuffer = arena.allocate(65536);
        while (true) {
            long n;
            try {
                n = socket.receive(drainBuffer, 0, drainBuffer.byteSize(), Fds::closeRaw);
            } catch (dev.ferry.posix.PosixException reset) {
                return false;
            }
            if (n == 0) return false;
            if (n < 0) return true;
            drained += n;
        }
    }

    /** Why the last {@link #sendAll} that returned false could not send, or null. */
    String sendError() { return sendError; }

    /** Bytes {@link #drain} has read so far. */
    long drained() { return drained; }

    /** Reads until the compositor closes the connection (or 5 s pass); returns everything. */
    byte[] readUntilClosed() throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        MemorySegment buf = arena.allocate(65536);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            long n;
            try {
                n = socket.receive(buf, 0, buf.byteSize(), Fds::closeRaw);
            } catch (dev.ferry.posix.PosixException reset) {
                return all.toByteArray(); // closed while unread data was pending (ECONNRESET)
            }
            if (n == 0) return all.toByteArray();
            if (n > 0) {
                all.write(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                continue;
            }
            Fds.poll(socket.fd().fd(), Fds.POLLIN, 100);
        }
        throw new AssertionError("the compositor did not close the connection within 5 s");
    }

    /** Messages as one byte array. */
    static byte[] join(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    /**
     * wl_display.sync(callbackId), then reads until its done event or a disconnect. Returns
     * everything read; {@link #findError} tells whether the compositor objected first.
     */
    byte[] roundtrip(int callbackId) throws Exception {
        try {
            send(message(1, 0, -1, callbackId));
        } catch (dev.ferry.posix.PosixException closed) {
            // Already cut off (EPIPE): what it said before is still to be read.
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        MemorySegment buf = arena.allocate(65536);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            long n;
            try {
                n = socket.receive(buf, 0, buf.byteSize(), Fds::closeRaw);
            } catch (dev.ferry.posix.PosixException reset) {
                return all.toByteArray();
            }
            if (n == 0) return all.toByteArray();
            if (n > 0) {
                all.write(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                if (hasEvent(all.toByteArray(), callbackId, 0)) return all.toByteArray();
                continue;
            }
            Fds.poll(socket.fd().fd(), Fds.POLLIN, 100);
        }
        throw new AssertionError("no answer to wl_display.sync within 5 s");
    }

    /** Whether an event (object, opcode) is among the bytes. */
    static boolean hasEvent(byte[] bytes, int objectId, int opcode) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        while (b.remaining() >= 8) {
            int start = b.position();
            int id = b.getInt();
            int word = b.getInt();
            if (id == objectId && (word & 0xffff) == opcode) return true;
            int size = word >>> 16;
            if (size < 8 || start + size > bytes.length) return false;
            b.position(start + size);
        }
        return false;
    }

    /** Binds get_registry at id 2 and reads the globals: interface name to global name. */
    java.util.Map<String, Integer> globals() throws Exception {
        send(message(1, 1, -1, 2));
        byte[] bytes = roundtrip(3);
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        while (b.remaining() >= 8) {
            int start = b.position();
            int id = b.getInt();
            int word = b.getInt();
            if (id == 2 && (word & 0xffff) == 0) {
                int name = b.getInt();
                int len = b.getInt();
                byte[] iface = new byte[len - 1];
                b.get(iface);
                out.put(new String(iface, StandardCharsets.UTF_8), name);
            }
            b.position(start + (word >>> 16));
        }
        return out;
    }

    /** wl_registry.bind of a global by interface name at id (registry at 2, from {@link #globals}). */
    static byte[] bind(java.util.Map<String, Integer> globals, String iface, int version, int id) {
        Integer name = globals.get(iface);
        if (name == null) throw new AssertionError(iface + " is not advertised: " + globals.keySet());
        return message(2, 0, -1, concat(new int[] {name}, string(iface, true), new int[] {version, id}));
    }

    /** Finds the wl_display.error event (object 1, opcode 0) in what was received. */
    static DisplayError findError(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        while (b.remaining() >= 8) {
            int start = b.position();
            int id = b.getInt();
            int word = b.getInt();
            int size = word >>> 16, opcode = word & 0xffff;
            if (id == 1 && opcode == 0) {
                int object = b.getInt();
                int code = b.getInt();
                int len = b.getInt();
                byte[] msg = new byte[Math.max(0, len - 1)];
                b.get(msg);
                return new DisplayError(object, code, new String(msg, StandardCharsets.UTF_8));
            }
            b.position(start + size);
        }
        return null;
    }

    OwnedFd fd() { return socket.fd(); }

    @Override
    public void close() {
        socket.close();
        arena.close();
    }
}
