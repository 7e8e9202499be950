package dev.ferry.client;

import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.ZwpLinuxDmabufFeedbackV1;
import dev.ferry.protocol.interfaces.ZwpLinuxDmabufV1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The client's side of one zwp_linux_dmabuf_feedback_v1 object (default or per surface): the
 * format table, and each batch of main device and tranches, published on {@code done}.
 *
 * <p>Format table layout (the protocol's): 16-byte entries, {@code u32 format, u32 padding,
 * u64 modifier}, native byte order, in an fd we map read-only, copy out and close at once (the
 * table is sent once per feedback object and stays valid for later batches).
 */
public final class DmabufFeedback implements AutoCloseable {
    private static final int ENTRY_BYTES = 16;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /** One format table entry. */
    public record FormatModifier(int fourcc, long modifier) {}

    /** One tranche: allocate on targetDevT with one of these pairs; flags as the protocol's. */
    public record Tranche(long targetDevT, int flags, List<FormatModifier> formats) {
        public boolean scanout() { return (flags & ZwpLinuxDmabufFeedbackV1.TRANCHE_FLAGS_SCANOUT) != 0; }

        /** The modifiers this tranche offers for a format, in table order. */
        public long[] modifiers(int fourcc) {
            return formats.stream().filter(f -> f.fourcc() == fourcc).mapToLong(FormatModifier::modifier).toArray();
        }

        @Override
        public String toString() {
            return (scanout() ? "scanout" : "render") + " tranche on " + (targetDevT >>> 8) + ":" + (targetDevT & 0xff)
                    + " (" + formats.size() + " pairs)";
        }
    }

    /** One complete batch, as of a {@code done} event. */
    public record Snapshot(long mainDevT, List<Tranche> tranches) {
        public boolean hasScanoutTranche() {
            return tranches.stream().anyMatch(Tranche::scanout);
        }
    }

    private final Proxy proxy;
    private final Consumer<Snapshot> onDone;
    private List<FormatModifier> table = List.of();
    private long pendingMain;
    private final List<Tranche> pendingTranches = new ArrayList<>();
    private long trancheDevT;
    private int trancheFlags;
    private final List<FormatModifier> trancheFormats = new ArrayList<>();
    private Snapshot current;
    private int batches;
    private String error;

    private DmabufFeedback(Proxy proxy, Consumer<Snapshot> onDone) {
        this.proxy = proxy;
        this.onDone = onDone;
        proxy.listen(new ZwpLinuxDmabufFeedbackV1.Listener() {
            @Override
            public void formatTable(Proxy self, OwnedFd fd, int size) {
                try (fd) {
                    table = readTable(fd, size);
                } catch (PosixException | RuntimeException e) {
                    error = "format table unreadable: " + e.getMessage();
                }
            }

            @Override
            public void mainDevice(Proxy self, MemorySegment device) {
                pendingMain = devT(device);
            }

            @Override
            public void trancheTargetDevice(Proxy self, MemorySegment device) {
                trancheDevT = devT(device);
            }

            @Override
            public void trancheFormats(Proxy self, MemorySegment indices) {
                ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
                for (long i = 0, n = indices.byteSize() / 2; i < n; i++) {
                    int idx = Short.toUnsignedInt(indices.get(u16, 2 * i));
                    if (idx < table.size()) trancheFormats.add(table.get(idx));
                    else error = "tranche index " + idx + " beyond a table of " + table.size();
                }
            }

            @Override
            public void trancheFlags(Proxy self, int flags) {
                trancheFlags = flags;
            }

            @Override
            public void trancheDone(Proxy self) {
                pendingTranches.add(new Tranche(trancheDevT, trancheFlags, List.copyOf(trancheFormats)));
                trancheFormats.clear();
                trancheFlags = 0;
            }

            @Override
            public void done(Proxy self) {
                current = new Snapshot(pendingMain, List.copyOf(pendingTranches));
                pendingTranches.clear();
                batches++;
                if (DmabufFeedback.this.onDone != null) DmabufFeedback.this.onDone.accept(current);
            }
        });
    }

    /** Feedback for one surface (get_surface_feedback); onDone hears every batch. */
    public static DmabufFeedback forSurface(Proxy linuxDmabuf, Proxy surface, Consumer<Snapshot> onDone) {
        return new DmabufFeedback(ZwpLinuxDmabufV1.getSurfaceFeedback(linuxDmabuf, surface), onDone);
    }

    /** The default feedback (get_default_feedback). */
    public static DmabufFeedback forDefault(Proxy linuxDmabuf, Consumer<Snapshot> onDone) {
        return new DmabufFeedback(ZwpLinuxDmabufV1.getDefaultFeedback(linuxDmabuf), onDone);
    }

    /** The last complete batch, or null before the first done. */
    public Snapshot current() { return current; }

    public List<FormatModifier> formatTable() { return table; }

    /** How many batches (done events) arrived. */
    public int batches() { return batches; }

    /** A malformed event seen (bad table or index), or null. */
    public String error() { return error; }

    static List<FormatModifier> readTable(OwnedFd fd, int size) throws PosixException {
        if (size < 0 || size % ENTRY_BYTES != 0) throw new IllegalArgumentException("table size " + size + " is not a multiple of 16");
        if (size == 0) return List.of();
        MemorySegment map = Memfd.map(fd, 0, size, Memfd.PROT_READ);
        try {
            List<FormatModifier> out = new ArrayList<>(size / ENTRY_BYTES);
            for (long off = 0; off < size; off += ENTRY_BYTES) {
                out.add(new FormatModifier(map.get(U32, off), map.get(U64, off + 8)));
            }
            return List.copyOf(out);
        } finally {
            Memfd.unmap(map);
        }
    }

    static long devT(MemorySegment array) {
        return array.byteSize() >= 8 ? array.get(U64, 0) : Integer.toUnsignedLong(array.get(U32, 0));
    }

    @Override
    public void close() {
        if (!proxy.isDestroyed()) ZwpLinuxDmabufFeedbackV1.destroy(proxy);
    }
}
