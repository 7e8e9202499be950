package dev.ferry.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Hand-built wire messages for tests: raw words, so a test can also build malformed ones. */
public final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final int objectId;
    private final int opcode;
    private Integer sizeOverride;

    private Bytes(int objectId, int opcode) {
        this.objectId = objectId;
        this.opcode = opcode;
    }

    public static Bytes message(int objectId, int opcode) {
        return new Bytes(objectId, opcode);
    }

    public Bytes word(int v) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v);
        out.writeBytes(b.array());
        return this;
    }

    /** A well-formed string: length with NUL, bytes, NUL, padding. */
    public Bytes string(String s) {
        if (s == null) return word(0);
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        word(b.length + 1);
        out.writeBytes(b);
        for (int i = b.length; i < ((b.length + 1 + 3) & ~3); i++) out.write(0);
        return this;
    }

    /** Raw bytes, no length, no padding (for malformed payloads). */
    public Bytes raw(byte... b) {
        out.writeBytes(b);
        return this;
    }

    /** Writes this size into the header instead of the real one. */
    public Bytes size(int size) {
        sizeOverride = size;
        return this;
    }

    public byte[] build() {
        byte[] body = out.toByteArray();
        int size = sizeOverride != null ? sizeOverride : 8 + body.length;
        ByteBuffer b = ByteBuffer.allocate(8 + body.length).order(ByteOrder.nativeOrder());
        b.putInt(objectId).putInt(size << 16 | opcode).put(body);
        return b.array();
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) all.writeBytes(p);
        return all.toByteArray();
    }

    /** A decoded message: header plus body words, for reading events back. */
    public record Decoded(int objectId, int opcode, byte[] body) {
        public int word(int index) {
            return ByteBuffer.wrap(body).order(ByteOrder.nativeOrder()).getInt(index * 4);
        }

        /** The string whose length word is at index (without its NUL). */
        public String string(int index) {
            int len = word(index);
            if (len == 0) return null;
            return new String(body, index * 4 + 4, len - 1, StandardCharsets.UTF_8);
        }
    }

    /** Splits a byte stream into messages; stops at an incomplete one. */
    public static java.util.List<Decoded> decode(byte[] stream) {
        java.util.List<Decoded> all = new java.util.ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(stream).order(ByteOrder.nativeOrder());
        while (b.remaining() >= 8) {
            int id = b.getInt(b.position());
            int word = b.getInt(b.position() + 4);
            int size = word >>> 16;
            if (size < 8 || b.remaining() < size) break;
            byte[] body = new byte[size - 8];
            b.position(b.position() + 8);
            b.get(body);
            all.add(new Decoded(id, word & 0xffff, body));
        }
        return all;
    }
}
