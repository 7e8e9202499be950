package dev.ferry.drm;

import dev.ferry.drm.topology.DeviceSpec;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.drm.uapi.PixelFormats;
import dev.ferry.drm.uapi.Tiling;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A device's GBM-like allocator: picks the table for the usage, the modifier (the caller's
 * most preferred the device offers, or its implicit layout), the memory domain, lays out the
 * planes with the device's pitch alignment and tiling, and creates the sealed memfd that stands
 * for the dma-buf. The device's lock covers every call; being unplugged and injected faults are
 * the device's to check first.
 */
final class DeviceAllocator {
    private static final AtomicLong BUFFER_SERIAL = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();

    private final DeviceSpec spec;
    private final DeviceInfo info;
    private final List<MemoryDomain> allocates;
    private final boolean[] scanoutFrom;
    private final FormatTable renderTable;
    private final FormatTable sampleTable;
    private final FormatTable scanoutTable;
    private final long implicitLayout;

    DeviceAllocator(DeviceSpec spec, DeviceInfo info, List<MemoryDomain> allocates, boolean[] scanoutFrom,
                    FormatTable renderTable, FormatTable sampleTable, FormatTable scanoutTable, long implicitLayout) {
        this.spec = spec;
        this.info = info;
        this.allocates = allocates;
        this.scanoutFrom = scanoutFrom;
        this.renderTable = renderTable;
        this.sampleTable = sampleTable;
        this.scanoutTable = scanoutTable;
        this.implicitLayout = implicitLayout;
    }

    DmaBuf allocate(int width, int height, int fourcc, long[] modifiers, int usage, MemoryDomain placement)
            throws AllocationException {
        boolean scanout = (usage & Usage.SCANOUT) != 0;
        if (scanout && !spec.canDisplay()) throw new AllocationException(AllocationFailure.NO_DISPLAY, info.name());
        FormatTable table = allocationTable(usage);
        if (!PixelFormats.isSupported(fourcc) || !table.supportsFormat(fourcc)) {
            throw new AllocationException(AllocationFailure.FORMAT, Fourcc.name(fourcc) + " for " + Usage.describe(usage));
        }
        long[] reported = new long[1];
        long layout = chooseLayout(table, fourcc, modifiers, usage, reported);
        if (layout == -1) {
            throw new AllocationException(AllocationFailure.MODIFIER, "allowed " + describe(modifiers)
                    + ", device offers " + describe(table.modifiers(fourcc)));
        }
        MemoryDomain domain = chooseDomain(scanout, placement);
        if (domain == null) {
            throw new AllocationException(AllocationFailure.NO_SUITABLE_MEMORY, Usage.describe(usage)
                    + (placement == null ? "" : " in " + placement.label()));
        }
        if (width <= 0 || height <= 0 || width > spec.maxWidth() || height > spec.maxHeight()) {
            throw new AllocationException(AllocationFailure.SIZE, width + "x" + height);
        }
        try {
            return create(width, height, fourcc, reported[0], layout, domain, (usage & Usage.PROTECTED) != 0);
        } catch (PosixException e) {
            throw new AllocationException(AllocationFailure.SYSTEM, e.getMessage());
        }
    }

    private FormatTable allocationTable(int usage) {
        if ((usage & Usage.SCANOUT) != 0) return scanoutTable;
        if ((usage & Usage.RENDERING) != 0) return renderTable;
        return spec.canRender() ? sampleTable.union(renderTable) : scanoutTable;
    }

    /** Returns the layout to use (-1 if none) and writes the modifier to report into reported[0]. */
    private long chooseLayout(FormatTable table, int fourcc, long[] allowed, int usage, long[] reported) {
        long[] offered = table.modifiers(fourcc);
        boolean linearOnly = (usage & Usage.LINEAR) != 0;
        boolean implicitAllowed = allowed == null || allowed.length == 0 || contains(allowed, Modifiers.INVALID);
        if (allowed != null) {
            for (long m : offered) {
                if (m == Modifiers.INVALID || !contains(allowed, m)) continue;
                if (linearOnly && m != Modifiers.LINEAR) continue;
                reported[0] = m;
                return m;
            }
        }
        if (!implicitAllowed) return -1;
        reported[0] = Modifiers.INVALID;
        if (linearOnly) return Modifiers.LINEAR;
        return contains(offered, implicitLayout) ? implicitLayout : Modifiers.LINEAR;
    }

    private MemoryDomain chooseDomain(boolean scanout, MemoryDomain placement) {
        for (MemoryDomain d : allocates) {
            if (placement != null && d != placement) continue;
            if (scanout && !scanoutFrom[d.ordinal()]) continue;
            if (spec.needsContiguous() && !d.contiguous()) continue;
            return d;
        }
        return null;
    }

    DmaBuf create(int width, int height, int fourcc, long modifier, long layout, MemoryDomain domain,
                          boolean prot) throws PosixException {
        int planeCount = PixelFormats.planeCount(fourcc);
        long[] offsets = new long[planeCount];
        int[] strides = new int[planeCount];
        long end = 0;
        for (int p = 0; p < planeCount; p++) {
            int cpp = PixelFormats.cpp(fourcc, p);
            int pw = PixelFormats.planeWidth(fourcc, p, width);
            int ph = PixelFormats.planeHeight(fourcc, p, height);
            int align = lcm(spec.pitchAlignment(), Tiling.tileWidth(layout) * cpp);
            strides[p] = roundUp(Tiling.minStride(layout, pw, cpp), align);
            offsets[p] = roundUp(end, BufferIdentity.PAGE);
            end = offsets[p] + Tiling.planeBytes(layout, strides[p], ph);
        }
        long view = roundUp(end, BufferIdentity.PAGE);
        long shadow = domain.cachedByCpu() ? view : 0;
        long fence = domain.cachedByCpu() ? 2 * view : view;
        long serial = (PID << 32) | (BUFFER_SERIAL.incrementAndGet() & 0xffffffffL);
        BufferIdentity id = new BufferIdentity(serial, info.name(), info.devT(), info.driver(), domain, prot, fourcc,
                modifier, layout, width, height, view, shadow, fence, offsets, strides, false, 0);
        OwnedFd fd = Memfd.create(id.memfdName(), id.fileSize());
        OwnedFd[] fds = new OwnedFd[planeCount];
        try {
            // A real dma-buf cannot change size; sealing makes mapping it safe in every process.
            Memfd.addSeals(fd, Memfd.F_SEAL_SHRINK | Memfd.F_SEAL_GROW | Memfd.F_SEAL_SEAL);
            fds[0] = fd;
            for (int p = 1; p < planeCount; p++) fds[p] = fd.dup();
        } catch (PosixException e) {
            fd.close();
            for (OwnedFd f : fds) if (f != null) f.close();
            throw e;
        }
        int[] intOffsets = new int[planeCount];
        for (int p = 0; p < planeCount; p++) intOffsets[p] = Math.toIntExact(offsets[p]);
        return DmaBuf.adopt(width, height, fourcc, modifier, fds, intOffsets, strides);
    }

    private static boolean contains(long[] a, long v) {
        for (long x : a) if (x == v) return true;
        return false;
    }

    private static String describe(long[] mods) {
        if (mods == null) return "[]";
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < mods.length; i++) sb.append(i == 0 ? "" : ", ").append(Modifiers.name(mods[i]));
        return sb.append(']').toString();
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    private static long roundUp(long v, long m) {
        return (v + m - 1) / m * m;
    }

    private static int lcm(int a, int b) {
        int x = a, y = b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }
}
