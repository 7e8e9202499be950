package dev.ferry.drm;

import dev.ferry.drm.topology.DeviceSpec;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.drm.uapi.PixelFormats;
import dev.ferry.drm.uapi.Tiling;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

/**
 * The rules a device's driver and the buffer's exporter apply before a dma-buf is attached, in
 * {@link ImportRejection}'s order, and the layout check ADDFB2 shares with them. Reads the
 * device's description only; the device's lock covers every call.
 */
final class ImportRules {
    private final FakeKernel kernel;
    private final DeviceSpec spec;
    private final DeviceInfo info;
    private final boolean[] reaches;
    private final boolean[] scanoutFrom;
    private final FormatTable sampleTable;
    private final FormatTable scanoutTable;

    ImportRules(FakeKernel kernel, DeviceSpec spec, DeviceInfo info, boolean[] reaches, boolean[] scanoutFrom,
                FormatTable sampleTable, FormatTable scanoutTable) {
        this.kernel = kernel;
        this.spec = spec;
        this.info = info;
        this.reaches = reaches;
        this.scanoutFrom = scanoutFrom;
        this.sampleTable = sampleTable;
        this.scanoutTable = scanoutTable;
    }

    /**
     * The first rule (after the device's own DEVICE_GONE and injected faults) the buffer breaks
     * for this purpose, as a rejection; null if the device may attach it.
     */
    ImportResult check(DmaBuf buf, ImportPurpose purpose) {
        BufferIdentity id = buf.identity();
        if (id == null) return ImportResult.rejected(ImportRejection.NOT_A_DMABUF, "plane 0 fd " + buf.fd(0));
        FakeDevice exporter = kernel.deviceByDevT(id.devT());
        if (exporter != null && exporter.isGone()) {
            return ImportResult.rejected(ImportRejection.DEVICE_GONE, "exporter " + id.exporter() + " is gone");
        }
        try {
            for (int p = 0; p < buf.planeCount(); p++) {
                OwnedFd fd = buf.fd(p);
                BufferIdentity other = p == 0 ? id : BufferIdentity.of(fd);
                if (other == null) return ImportResult.rejected(ImportRejection.NOT_A_DMABUF, "plane " + p + " fd " + fd);
                if (other.id() != id.id()) {
                    return ImportResult.rejected(ImportRejection.BAD_PLANES, "plane " + p + " is another buffer");
                }
                if ((Memfd.seals(fd) & Memfd.F_SEAL_SHRINK) == 0 || BufferIdentity.wholePages(Memfd.size(fd)) < id.fileBase() + id.fileSize()) {
                    return ImportResult.rejected(ImportRejection.NOT_A_DMABUF, "plane " + p + " is not sealed or too small");
                }
            }
        } catch (PosixException e) {
            return ImportResult.rejected(ImportRejection.NOT_A_DMABUF, e.getMessage());
        }
        boolean scanout = purpose == ImportPurpose.SCANOUT;
        if (scanout ? !spec.canDisplay() : !spec.canRender()) {
            return ImportResult.rejected(ImportRejection.PURPOSE_UNSUPPORTED, info.name() + " cannot " + purpose);
        }
        if (id.protectedMemory() && id.devT() != info.devT()) {
            return ImportResult.rejected(ImportRejection.PROTECTED_MEMORY, "exported by " + id.exporter());
        }
        if (!reachable(id)) {
            return ImportResult.rejected(ImportRejection.MEMORY_UNREACHABLE, id.domain().label() + " of "
                    + id.exporter() + " from " + info.name());
        }
        if (spec.needsContiguous() && !id.domain().contiguous()) {
            return ImportResult.rejected(ImportRejection.NEEDS_CONTIGUOUS, id.domain().label() + " is scattered");
        }
        if (id.domain().cachedByCpu() && !spec.snoopsCpuCaches() && !spec.cacheMaintenance()) {
            return ImportResult.rejected(ImportRejection.CANNOT_SNOOP, id.domain().label() + " is CPU-cached");
        }
        if (id.udmabuf() && id.domain().cachedByCpu() && !spec.snoopsCpuCaches()) {
            return ImportResult.rejected(ImportRejection.CPU_WRITES_UNBRACKETED, "udmabuf in " + id.domain().label()
                    + ", " + info.name() + " does not snoop");
        }
        if (scanout && !scannable(id)) {
            return ImportResult.rejected(ImportRejection.NOT_SCANOUT_MEMORY, id.domain().label() + " of " + id.exporter());
        }
        FormatTable table = scanout ? scanoutTable : sampleTable;
        if (!table.supportsFormat(buf.fourcc())) {
            return ImportResult.rejected(ImportRejection.FORMAT, Fourcc.name(buf.fourcc()) + " for " + purpose);
        }
        if (!table.supports(buf.fourcc(), buf.modifier())) {
            return ImportResult.rejected(ImportRejection.MODIFIER, Modifiers.name(buf.modifier()) + " with "
                    + Fourcc.name(buf.fourcc()) + " for " + purpose);
        }
        long layout = layoutFor(buf.modifier(), id);
        LayoutProblem problem = checkLayout(buf.width(), buf.height(), buf.fourcc(), layout, buf.planeCount(),
                buf.offsetsArray(), buf.stridesArray(), id.viewSize());
        if (problem != null) return ImportResult.rejected(problem.kind().importRejection(), problem.detail());
        return null;
    }

    /** Validates plane count, strides, device size limits and bounds; null if the layout is sound. */
    LayoutProblem checkLayout(int width, int height, int fourcc, long layout, int planeCount,
                               int[] offsets, int[] strides, long bufferSize) {
        if (planeCount != PixelFormats.planeCount(fourcc)) {
            return new LayoutProblem(LayoutProblem.Kind.BAD_PLANES, planeCount + " planes for " + Fourcc.name(fourcc));
        }
        for (int p = 0; p < planeCount; p++) {
            int cpp = PixelFormats.cpp(fourcc, p);
            int pw = PixelFormats.planeWidth(fourcc, p, Math.max(width, 1));
            int s = strides[p];
            if (s <= 0 || s % spec.pitchAlignment() != 0 || !Tiling.strideFitsLayout(layout, s, cpp)
                    || s < Tiling.minStride(layout, pw, cpp)) {
                return new LayoutProblem(LayoutProblem.Kind.STRIDE, "plane " + p + " stride " + s + " (alignment "
                        + spec.pitchAlignment() + ", layout " + Modifiers.name(layout) + ", width " + pw + ")");
            }
        }
        if (width <= 0 || height <= 0 || width > spec.maxWidth() || height > spec.maxHeight()) {
            return new LayoutProblem(LayoutProblem.Kind.SIZE, width + "x" + height + " (max " + spec.maxWidth() + "x" + spec.maxHeight() + ")");
        }
        for (int p = 0; p < planeCount; p++) {
            int ph = PixelFormats.planeHeight(fourcc, p, height);
            long end = (long) offsets[p] + Tiling.planeBytes(layout, strides[p], ph);
            if (offsets[p] < 0 || end > bufferSize) {
                return new LayoutProblem(LayoutProblem.Kind.OUT_OF_BOUNDS, "plane " + p + " ends at " + end + " of " + bufferSize);
            }
        }
        return null;
    }

    private boolean reachable(BufferIdentity id) {
        if (id.domain() == MemoryDomain.VRAM) {
            if (!reaches[MemoryDomain.VRAM.ordinal()]) return false;
            if (id.devT() == info.devT()) return true;
            FakeDevice exporter = kernel.deviceByDevT(id.devT());
            return exporter != null && kernel.topology().p2pAllowed(exporter.info().name(), info.name());
        }
        return reaches[id.domain().ordinal()];
    }

    /** Display engines scan out of their own vram only, and of the domains listed. */
    boolean scannable(BufferIdentity id) {
        if (!scanoutFrom[id.domain().ordinal()]) return false;
        return id.domain() != MemoryDomain.VRAM || id.devT() == info.devT();
    }

    /**
     * An implicit modifier means "the layout the driver chose": a device of the same driver knows
     * it out of band, any other device assumes LINEAR, which is exactly how implicit sharing
     * across drivers goes wrong.
     */
    long layoutFor(long modifier, BufferIdentity id) {
        if (modifier != Modifiers.INVALID) return modifier;
        return id.driver().equals(info.driver()) ? id.layout() : Modifiers.LINEAR;
    }
}
