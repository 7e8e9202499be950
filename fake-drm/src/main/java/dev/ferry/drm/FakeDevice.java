package dev.ferry.drm;

import dev.ferry.drm.topology.ConnectorSpec;
import dev.ferry.drm.topology.DeviceSpec;
import dev.ferry.drm.topology.FormatSet;
import dev.ferry.drm.topology.ModeSpec;
import dev.ferry.drm.topology.PlaneSpec;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.drm.uapi.PixelAccess;
import dev.ferry.drm.uapi.PixelFormats;
import dev.ferry.drm.uapi.Tiling;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated DRM device: its allocator (GBM-like), the import rules its driver and the
 * exporters apply, its KMS objects and atomic state, vblanks on the kernel clock, and a read-back
 * of what each CRTC shows. Everything the kernel would refuse is refused here with a named reason.
 */
public final class FakeDevice implements DrmDevice, BufferAllocator {
    private static final int CRTC_ID_BASE = 40;
    private static final int CONNECTOR_ID_BASE = 60;
    private static final int PLANE_ID_BASE = 80;
    private static final int FB_ID_BASE = 200;
    private static final AtomicLong BUFFER_SERIAL = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();

    private final FakeKernel kernel;
    private final DeviceSpec spec;
    private final DeviceInfo info;
    private final List<MemoryDomain> allocates = new ArrayList<>();
    private final boolean[] reaches = new boolean[MemoryDomain.values().length];
    private final boolean[] scanoutFrom = new boolean[MemoryDomain.values().length];
    private final FormatTable renderTable;
    private final FormatTable sampleTable;
    private final FormatTable scanoutTable;
    private final long implicitLayout;

    private final Crtc[] crtcs;
    private final Connector[] connectors;
    private final Plane[] planes;
    /** Plane indices in ascending zpos, the order read-back composes them in. */
    private final int[] planesByZ;
    private final List<Crtc> crtcList;
    private final List<Connector> connectorList;
    private final List<Plane> planeList;

    private final Map<Integer, ImportedBuffer> handles = new HashMap<>();
    private int nextHandle = 1;
    private Framebuffer[] framebuffers = new Framebuffer[16];

    private final KmsState current;
    private final KmsState pending;
    private final KmsState proposed;
    private final boolean[] flipPending;
    private final boolean[] flipWantsEvent;
    private final boolean[] flipNever;
    private final long[] flipCommitNs;
    private final long[] flipUserData;
    private final long[] vblankBaseNs;
    private final long[] sequenceBase;
    private final boolean[] touched;

    /** Events wait in {@code queued}; dispatch swaps it with {@code delivering}, so neither allocates. */
    private EventQueue queued = new EventQueue();
    private EventQueue delivering = new EventQueue();

    private final Wakeup wakeup;
    private long frame;
    private volatile boolean gone;

    FakeDevice(FakeKernel kernel, DeviceSpec spec) {
        this.kernel = kernel;
        this.spec = spec;
        for (String d : spec.allocates()) allocates.add(MemoryDomain.parse(d));
        for (String d : spec.reaches()) reaches[MemoryDomain.parse(d).ordinal()] = true;
        for (String d : spec.scanoutFrom()) scanoutFrom[MemoryDomain.parse(d).ordinal()] = true;
        this.info = info(kernel.topology(), spec);
        renderTable = spec.canRender() ? FormatSet.table(spec.render()) : FormatTable.EMPTY;
        sampleTable = spec.canRender() ? FormatSet.table(spec.sample()) : FormatTable.EMPTY;
        implicitLayout = Modifiers.parse(spec.implicitModifier());

        int crtcCount = spec.canDisplay() ? spec.crtcs() : 0;
        crtcs = new Crtc[crtcCount];
        for (int i = 0; i < crtcCount; i++) crtcs[i] = new Crtc(CRTC_ID_BASE + i, i);
        List<ConnectorSpec> cs = spec.canDisplay() ? spec.connectors() : List.of();
        connectors = new Connector[cs.size()];
        for (int i = 0; i < cs.size(); i++) {
            ConnectorSpec c = cs.get(i);
            connectors[i] = new Connector(CONNECTOR_ID_BASE + i, c.name(), c.connected(), c.modes(), mask(c.crtcs(), crtcCount));
        }
        List<PlaneSpec> ps = spec.canDisplay() ? spec.planes() : List.of();
        planes = new Plane[ps.size()];
        FormatTable union = FormatTable.EMPTY;
        for (int i = 0; i < ps.size(); i++) {
            PlaneSpec p = ps.get(i);
            FormatTable t = FormatSet.table(p.formats());
            planes[i] = new Plane(PLANE_ID_BASE + i, PlaneType.valueOf(p.type().toUpperCase(java.util.Locale.ROOT)),
                    mask(p.crtcs(), crtcCount), t, p.maxWidth(), p.maxHeight(), p.scaling(), p.zpos());
            union = union.union(t);
        }
        scanoutTable = union;
        planesByZ = java.util.stream.IntStream.range(0, planes.length).boxed()
                .sorted((a, b) -> Integer.compare(planes[a].zpos(), planes[b].zpos()))
                .mapToInt(Integer::intValue).toArray();
        crtcList = List.of(crtcs);
        connectorList = List.of(connectors);
        planeList = List.of(planes);

        current = new KmsState(planes.length, crtcCount, connectors.length);
        pending = new KmsState(planes.length, crtcCount, connectors.length);
        proposed = new KmsState(planes.length, crtcCount, connectors.length);
        flipPending = new boolean[crtcCount];
        flipWantsEvent = new boolean[crtcCount];
        flipNever = new boolean[crtcCount];
        flipCommitNs = new long[crtcCount];
        flipUserData = new long[crtcCount];
        vblankBaseNs = new long[crtcCount];
        sequenceBase = new long[crtcCount];
        touched = new boolean[crtcCount];
        wakeup = Wakeup.forClock(kernel.clock());
    }

    /** What the compositor may know of this device, from its topology entry. */
    private static DeviceInfo info(dev.ferry.drm.topology.Topology topology, DeviceSpec spec) {
        java.util.Set<String> peers = new java.util.HashSet<>();
        for (DeviceSpec other : topology.devices()) {
            if (!other.name().equals(spec.name()) && topology.p2pAllowed(spec.name(), other.name())) peers.add(other.name());
        }
        return new DeviceInfo(spec.name(), spec.canRender() ? spec.renderNode() : null, spec.devT(),
                spec.driver(), spec.canRender(), spec.canDisplay(), spec.preferred(), spec.boot(),
                Modifiers.parse(spec.implicitModifier()), domains(spec.allocates()),
                java.util.Set.copyOf(domains(spec.reaches())), java.util.Set.copyOf(domains(spec.scanoutFrom())), peers);
    }

    private static List<MemoryDomain> domains(List<String> labels) {
        return labels.stream().map(MemoryDomain::parse).toList();
    }

    private static int mask(List<Integer> indices, int count) {
        int m = 0;
        for (int i : indices) if (i >= 0 && i < count) m |= 1 << i;
        return m;
    }

    public DeviceSpec spec() { return spec; }

    @Override
    public BufferAllocator allocator() { return this; }

    public FakeKernel kernel() { return kernel; }

    @Override
    public DeviceInfo info() { return info; }

    @Override
    public boolean isGone() { return gone; }

    @Override
    public FormatTable sampleFormats() { return sampleTable; }

    @Override
    public FormatTable renderFormats() { return renderTable; }

    @Override
    public FormatTable scanoutFormats() { return scanoutTable; }

    @Override
    public List<Connector> connectors() { return gone ? List.of() : connectorList; }

    @Override
    public List<Crtc> crtcs() { return gone ? List.of() : crtcList; }

    @Override
    public List<Plane> planes() { return gone ? List.of() : planeList; }

    /** Real commits attempted so far: the frame number scripted faults count in. */
    public synchronized long frame() { return frame; }

    /** Whether this device sees CPU-cached memory only through the device-visible copy. */
    boolean readsShadow(BufferIdentity id) {
        return id.hasShadow() && !spec.snoopsCpuCaches();
    }

    // ---------------------------------------------------------------- allocation

    /**
     * Allocates a buffer GBM-style. {@code modifiers} lists what the caller can accept (null or
     * empty: implicit only, reported as INVALID); the device picks its most preferred of them.
     * The memory domain follows the device's rules for the usage.
     */
    @Override
    public DmaBuf allocate(int width, int height, int fourcc, long[] modifiers, int usage) throws AllocationException {
        return allocate(width, height, fourcc, modifiers, usage, null);
    }

    /** As {@link #allocate(int, int, int, long[], int)}, placed in a given domain (it must qualify). */
    @Override
    public synchronized DmaBuf allocate(int width, int height, int fourcc, long[] modifiers, int usage,
                                        MemoryDomain placement) throws AllocationException {
        if (gone) throw new AllocationException(AllocationFailure.DEVICE_GONE, info.name());
        if (kernel.faults().inject(FaultKind.ALLOCATION, info.name(), frame)) {
            throw new AllocationException(AllocationFailure.INJECTED_FAULT, info.name() + " frame " + frame);
        }
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

    /** A dumb buffer: LINEAR, CPU-mappable, scanout-capable (DRM_IOCTL_MODE_CREATE_DUMB). */
    @Override
    public DmaBuf createDumb(int width, int height, int fourcc) throws AllocationException {
        if (!spec.dumbBuffers()) throw new AllocationException(AllocationFailure.NO_DISPLAY, "no dumb buffers on " + info.name());
        return allocate(width, height, fourcc, new long[] {Modifiers.LINEAR}, Usage.SCANOUT | Usage.LINEAR | Usage.CPU);
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

    private DmaBuf create(int width, int height, int fourcc, long modifier, long layout, MemoryDomain domain,
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

    // ---------------------------------------------------------------- import

    @Override
    public synchronized ImportResult importDmaBuf(DmaBuf buf, ImportPurpose purpose) {
        if (gone) return ImportResult.rejected(ImportRejection.DEVICE_GONE, info.name() + " is gone");
        if (kernel.faults().inject(FaultKind.IMPORT, info.name(), frame)) {
            return ImportResult.rejected(ImportRejection.INJECTED_FAULT, info.name() + " frame " + frame);
        }
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
                if ((Memfd.seals(fd) & Memfd.F_SEAL_SHRINK) == 0 || Memfd.size(fd) < id.fileBase() + id.fileSize()) {
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
        String layoutProblem = checkLayout(buf.width(), buf.height(), buf.fourcc(), layout, buf.planeCount(),
                buf.offsetsArray(), buf.stridesArray(), id.viewSize());
        if (layoutProblem != null) {
            ImportRejection r = ImportRejection.valueOf(layoutProblem.substring(0, layoutProblem.indexOf(':')));
            return ImportResult.rejected(r, layoutProblem.substring(layoutProblem.indexOf(':') + 2));
        }
        OwnedFd[] fds = new OwnedFd[buf.planeCount()];
        try {
            for (int p = 0; p < fds.length; p++) fds[p] = buf.fd(p).dup();
        } catch (PosixException e) {
            for (OwnedFd f : fds) if (f != null) f.close();
            return ImportResult.rejected(ImportRejection.NOT_A_DMABUF, e.getMessage());
        }
        int handle = nextHandle++;
        handles.put(handle, new ImportedBuffer(handle, purpose, id, buf, layout, fds));
        return ImportResult.ok(new BufferHandle(this, handle, purpose));
    }

    /**
     * Validates plane count, strides, device size limits and bounds; returns null or
     * "REASON: detail" with REASON an ImportRejection name (AddFB maps them to its own).
     */
    private String checkLayout(int width, int height, int fourcc, long layout, int planeCount,
                               int[] offsets, int[] strides, long bufferSize) {
        if (planeCount != PixelFormats.planeCount(fourcc)) {
            return "BAD_PLANES: " + planeCount + " planes for " + Fourcc.name(fourcc);
        }
        for (int p = 0; p < planeCount; p++) {
            int cpp = PixelFormats.cpp(fourcc, p);
            int pw = PixelFormats.planeWidth(fourcc, p, Math.max(width, 1));
            int s = strides[p];
            if (s <= 0 || s % spec.pitchAlignment() != 0 || !Tiling.strideFitsLayout(layout, s, cpp)
                    || s < Tiling.minStride(layout, pw, cpp)) {
                return "STRIDE: plane " + p + " stride " + s + " (alignment " + spec.pitchAlignment() + ", layout "
                        + Modifiers.name(layout) + ", width " + pw + ")";
            }
        }
        if (width <= 0 || height <= 0 || width > spec.maxWidth() || height > spec.maxHeight()) {
            return "SIZE: " + width + "x" + height + " (max " + spec.maxWidth() + "x" + spec.maxHeight() + ")";
        }
        for (int p = 0; p < planeCount; p++) {
            int ph = PixelFormats.planeHeight(fourcc, p, height);
            long end = (long) offsets[p] + Tiling.planeBytes(layout, strides[p], ph);
            if (offsets[p] < 0 || end > bufferSize) {
                return "OUT_OF_BOUNDS: plane " + p + " ends at " + end + " of " + bufferSize;
            }
        }
        return null;
    }

    private boolean reachable(BufferIdentity id) {
        if (id.domain() == MemoryDomain.VRAM) {
            if (!reaches[MemoryDomain.VRAM.ordinal()]) return false;
            if (id.devT() == info.devT()) return true;
            FakeDevice exporter = kernel.deviceByDevT(id.devT());
            return exporter != null && kernel.topology().p2pAllowed(exporter.info.name(), info.name());
        }
        return reaches[id.domain().ordinal()];
    }

    /** Display engines scan out of their own vram only, and of the domains listed. */
    private boolean scannable(BufferIdentity id) {
        if (!scanoutFrom[id.domain().ordinal()]) return false;
        return id.domain() != MemoryDomain.VRAM || id.devT() == info.devT();
    }

    /**
     * An implicit modifier means "the layout the driver chose": a device of the same driver knows
     * it out of band, any other device assumes LINEAR, which is exactly how implicit sharing
     * across drivers goes wrong.
     */
    private long layoutFor(long modifier, BufferIdentity id) {
        if (modifier != Modifiers.INVALID) return modifier;
        return id.driver().equals(info.driver()) ? id.layout() : Modifiers.LINEAR;
    }

    @Override
    public synchronized void releaseHandle(BufferHandle handle) {
        if (handle.device() != this) throw new IllegalArgumentException(handle + " is not this device's");
        ImportedBuffer b = handles.remove(handle.id());
        if (b != null) b.release();
    }

    /** Open handles plus framebuffers: for leak checks. */
    public synchronized int liveObjects() {
        int n = handles.size();
        for (Framebuffer fb : framebuffers) if (fb != null) n++;
        return n;
    }

    // ---------------------------------------------------------------- framebuffers

    @Override
    public AddFbResult addFramebuffer(BufferHandle handle) {
        ImportedBuffer b;
        synchronized (this) {
            b = handles.get(handle.id());
        }
        if (b == null || handle.device() != this) {
            return AddFbResult.rejected(AddFbRejection.NO_SUCH_HANDLE, String.valueOf(handle));
        }
        return addFramebuffer(handle, b.width, b.height, b.fourcc, b.modifier, b.offsets, b.strides);
    }

    @Override
    public synchronized AddFbResult addFramebuffer(BufferHandle handle, int width, int height, int fourcc, long modifier,
                                                   int[] offsets, int[] pitches) {
        if (gone) return AddFbResult.rejected(AddFbRejection.DEVICE_GONE, info.name());
        if (!spec.canDisplay()) return AddFbResult.rejected(AddFbRejection.NO_DISPLAY, info.name());
        ImportedBuffer b = handle.device() == this ? handles.get(handle.id()) : null;
        if (b == null) return AddFbResult.rejected(AddFbRejection.NO_SUCH_HANDLE, String.valueOf(handle));
        if (!scanoutTable.supportsFormat(fourcc)) return AddFbResult.rejected(AddFbRejection.FORMAT, Fourcc.name(fourcc));
        if (!scanoutTable.supports(fourcc, modifier)) {
            return AddFbResult.rejected(AddFbRejection.MODIFIER, Modifiers.name(modifier) + " with " + Fourcc.name(fourcc));
        }
        long layout = layoutFor(modifier, b.identity);
        String problem = checkLayout(width, height, fourcc, layout, Math.min(offsets.length, pitches.length),
                offsets, pitches, b.identity.viewSize());
        if (problem != null) {
            String reason = problem.substring(0, problem.indexOf(':'));
            AddFbRejection r = reason.equals("STRIDE") ? AddFbRejection.PITCH : AddFbRejection.valueOf(reason);
            return AddFbResult.rejected(r, problem.substring(problem.indexOf(':') + 2));
        }
        int slot = 0;
        while (slot < framebuffers.length && framebuffers[slot] != null) slot++;
        if (slot == framebuffers.length) framebuffers = Arrays.copyOf(framebuffers, slot * 2);
        b.retain();
        int id = FB_ID_BASE + slot;
        framebuffers[slot] = new Framebuffer(id, b, width, height, fourcc, modifier, layout,
                offsets.clone(), pitches.clone());
        return AddFbResult.ok(id);
    }

    private Framebuffer fb(int id) {
        int slot = id - FB_ID_BASE;
        return slot >= 0 && slot < framebuffers.length ? framebuffers[slot] : null;
    }

    @Override
    public synchronized void removeFramebuffer(int fbId) {
        Framebuffer fb = fb(fbId);
        if (fb == null) return;
        for (int p = 0; p < planes.length; p++) {
            if (current.planeFb[p] == fbId) current.disablePlane(p);
            if (pending.planeFb[p] == fbId) pending.disablePlane(p);
        }
        framebuffers[fbId - FB_ID_BASE] = null;
        if (fb.buffer.release()) {
            // The handle was closed earlier; the framebuffer was the last user.
        }
    }

    // ---------------------------------------------------------------- atomic commits

    @Override
    public synchronized boolean commit(AtomicRequest req, int flags, long userData) {
        long now = kernel.clock().nowNs();
        processUntil(now);
        boolean testOnly = (flags & AtomicFlags.TEST_ONLY) != 0;
        if (!testOnly) {
            long thisFrame = frame++;
            if (kernel.faults().inject(FaultKind.UNPLUG, info.name(), thisFrame)) unplug();
            if (gone) return reject(req, CommitRejection.DEVICE_GONE, 0);
            if (kernel.faults().inject(FaultKind.COMMIT, info.name(), thisFrame)) {
                return reject(req, CommitRejection.INJECTED_FAULT, 0);
            }
        } else if (gone) {
            return reject(req, CommitRejection.DEVICE_GONE, 0);
        }
        proposed.copyFrom(pending);
        Arrays.fill(touched, false);
        if (!applyRequest(req)) return false;
        if (!testOnly) {
            for (int c = 0; c < crtcs.length; c++) {
                if (touched[c] && flipPending[c]) return reject(req, CommitRejection.BUSY, crtcs[c].id());
            }
        }
        if (!validate(req, flags)) return false;
        req.accept();
        if (testOnly) return true;

        boolean deferred = (flags & (AtomicFlags.NONBLOCK | AtomicFlags.PAGE_FLIP_EVENT)) != 0;
        for (int c = 0; c < crtcs.length; c++) {
            if (!touched[c]) continue;
            copyCrtcState(pending, proposed, c);
            if (deferred) {
                flipPending[c] = true;
                flipWantsEvent[c] = (flags & AtomicFlags.PAGE_FLIP_EVENT) != 0;
                flipCommitNs[c] = now;
                flipUserData[c] = userData;
                flipNever[c] = kernel.faults().inject(FaultKind.FLIP_NEVER_COMPLETES, info.name(), frame - 1);
            } else {
                // A blocking commit: the fake does not sleep, the state is on screen when it returns.
                latch(c, now, false);
            }
        }
        processUntil(now);
        rearm(now);
        return true;
    }

    private boolean reject(AtomicRequest req, CommitRejection r, int object) {
        req.reject(r, object);
        return false;
    }

    private int crtcIndex(int id) {
        int i = id - CRTC_ID_BASE;
        return i >= 0 && i < crtcs.length ? i : -2;
    }

    private int planeIndex(int id) {
        int i = id - PLANE_ID_BASE;
        return i >= 0 && i < planes.length ? i : -1;
    }

    private int connectorIndex(int id) {
        int i = id - CONNECTOR_ID_BASE;
        return i >= 0 && i < connectors.length ? i : -1;
    }

    private void touch(int crtc) {
        if (crtc >= 0) touched[crtc] = true;
    }

    /** Writes the request into {@code proposed}, marking touched CRTCs; false if an id is unknown. */
    private boolean applyRequest(AtomicRequest r) {
        for (int i = 0; i < r.planes; i++) {
            int p = planeIndex(r.planeId[i]);
            if (p < 0) return reject(r, CommitRejection.NO_SUCH_OBJECT, r.planeId[i]);
            int c = r.crtcId[i] == 0 ? -1 : crtcIndex(r.crtcId[i]);
            if (c == -2) return reject(r, CommitRejection.NO_SUCH_OBJECT, r.crtcId[i]);
            if (r.fbId[i] != 0 && fb(r.fbId[i]) == null) return reject(r, CommitRejection.NO_SUCH_OBJECT, r.fbId[i]);
            touch(proposed.planeCrtc[p]);
            touch(c);
            proposed.planeCrtc[p] = c;
            proposed.planeFb[p] = r.fbId[i];
            proposed.srcX[p] = r.srcX[i];
            proposed.srcY[p] = r.srcY[i];
            proposed.srcW[p] = r.srcW[i];
            proposed.srcH[p] = r.srcH[i];
            proposed.dstX[p] = r.dstX[i];
            proposed.dstY[p] = r.dstY[i];
            proposed.dstW[p] = r.dstW[i];
            proposed.dstH[p] = r.dstH[i];
        }
        for (int i = 0; i < r.crtcs; i++) {
            int c = crtcIndex(r.crtcEntryId[i]);
            if (c < 0) return reject(r, CommitRejection.NO_SUCH_OBJECT, r.crtcEntryId[i]);
            touch(c);
            proposed.crtcActive[c] = r.crtcActive[i];
            proposed.crtcMode[c] = r.crtcMode[i];
        }
        for (int i = 0; i < r.connectors; i++) {
            int k = connectorIndex(r.connectorId[i]);
            if (k < 0) return reject(r, CommitRejection.NO_SUCH_OBJECT, r.connectorId[i]);
            int c = r.connectorCrtc[i] == 0 ? -1 : crtcIndex(r.connectorCrtc[i]);
            if (c == -2) return reject(r, CommitRejection.NO_SUCH_OBJECT, r.connectorCrtc[i]);
            touch(proposed.connectorCrtc[k]);
            touch(c);
            proposed.connectorCrtc[k] = c;
        }
        return true;
    }

    private boolean validate(AtomicRequest r, int flags) {
        boolean allowModeset = (flags & AtomicFlags.ALLOW_MODESET) != 0;
        for (int c = 0; c < crtcs.length; c++) {
            if (touched[c] && !allowModeset && (proposed.crtcActive[c] != pending.crtcActive[c]
                    || !java.util.Objects.equals(proposed.crtcMode[c], pending.crtcMode[c]))) {
                return reject(r, CommitRejection.MODESET_REQUIRED, crtcs[c].id());
            }
        }
        for (int k = 0; k < connectors.length; k++) {
            if (!allowModeset && proposed.connectorCrtc[k] != pending.connectorCrtc[k]) {
                return reject(r, CommitRejection.MODESET_REQUIRED, connectors[k].id());
            }
        }
        for (int k = 0; k < connectors.length; k++) {
            int c = proposed.connectorCrtc[k];
            if (c >= 0 && (connectors[k].possibleCrtcs() & (1 << c)) == 0) {
                return reject(r, CommitRejection.CRTC_NOT_POSSIBLE, connectors[k].id());
            }
        }
        for (int p = 0; p < planes.length; p++) {
            int c = proposed.planeCrtc[p];
            if (c >= 0 && (planes[p].possibleCrtcs() & (1 << c)) == 0) {
                return reject(r, CommitRejection.CRTC_NOT_POSSIBLE, planes[p].id());
            }
        }
        for (int i = 0; i < r.planes; i++) {
            int p = planeIndex(r.planeId[i]);
            int was = pending.planeCrtc[p], now = proposed.planeCrtc[p];
            if (was >= 0 && now >= 0 && was != now && pending.planeFb[p] != 0 && pending.crtcActive[was]
                    && proposed.crtcActive[was]) {
                return reject(r, CommitRejection.PLANE_IN_USE, planes[p].id());
            }
        }
        for (int p = 0; p < planes.length; p++) {
            if ((proposed.planeFb[p] != 0) != (proposed.planeCrtc[p] >= 0)) {
                return reject(r, CommitRejection.INCOMPLETE_PLANE, planes[p].id());
            }
        }
        for (int p = 0; p < planes.length; p++) {
            int c = proposed.planeCrtc[p];
            if (c >= 0 && touched[c] && !proposed.crtcActive[c]) return reject(r, CommitRejection.CRTC_INACTIVE, planes[p].id());
        }
        for (int c = 0; c < crtcs.length; c++) {
            if (!touched[c] || !proposed.crtcActive[c]) continue;
            ModeSpec mode = proposed.crtcMode[c];
            boolean driven = false;
            for (int k = 0; k < connectors.length; k++) {
                if (proposed.connectorCrtc[k] != c) continue;
                if (!connectors[k].connected()) return reject(r, CommitRejection.NO_CONNECTOR, connectors[k].id());
                driven = true;
            }
            if (!driven || mode == null) return reject(r, CommitRejection.NO_CONNECTOR, crtcs[c].id());
        }
        for (int p = 0; p < planes.length; p++) {
            int c = proposed.planeCrtc[p];
            if (c < 0 || !touched[c]) continue;
            Framebuffer fb = fb(proposed.planeFb[p]);
            Plane plane = planes[p];
            int id = plane.id();
            if (!plane.formats().supportsFormat(fb.fourcc)) return reject(r, CommitRejection.FORMAT_NOT_ON_PLANE, id);
            if (!plane.formats().supports(fb.fourcc, fb.modifier)) return reject(r, CommitRejection.MODIFIER_NOT_ON_PLANE, id);
            BufferIdentity bid = fb.buffer.identity;
            if (!scannable(bid) || (spec.needsContiguous() && !bid.domain().contiguous())) {
                return reject(r, CommitRejection.MEMORY_NOT_SCANNABLE, id);
            }
            int sx = proposed.srcX[p], sy = proposed.srcY[p], sw = proposed.srcW[p], sh = proposed.srcH[p];
            if (sx < 0 || sy < 0 || sw <= 0 || sh <= 0 || (long) sx + sw > fb.width || (long) sy + sh > fb.height) {
                return reject(r, CommitRejection.SOURCE_OUT_OF_FB, id);
            }
            int dw = proposed.dstW[p], dh = proposed.dstH[p];
            if (dw > 0 && dh > 0 && (sw != dw || sh != dh) && !plane.scaling()) {
                return reject(r, CommitRejection.SCALING_UNSUPPORTED, id);
            }
            if (dw <= 0 || dh <= 0 || sw > plane.maxWidth() || sh > plane.maxHeight()
                    || dw > plane.maxWidth() || dh > plane.maxHeight()) {
                return reject(r, CommitRejection.PLANE_SIZE_LIMIT, id);
            }
        }
        return true;
    }

    /** Copies everything that belongs to CRTC c (its planes, its connectors, itself) from src to dst. */
    private void copyCrtcState(KmsState dst, KmsState src, int c) {
        for (int p = 0; p < planes.length; p++) {
            if (src.planeCrtc[p] == c || dst.planeCrtc[p] == c) dst.copyPlane(src, p);
        }
        for (int k = 0; k < connectors.length; k++) {
            if (src.connectorCrtc[k] == c || dst.connectorCrtc[k] == c) dst.connectorCrtc[k] = src.connectorCrtc[k];
        }
        dst.crtcActive[c] = src.crtcActive[c];
        dst.crtcMode[c] = src.crtcMode[c];
    }

    // ---------------------------------------------------------------- vblank and events

    /**
     * When the pending state of CRTC c takes effect: the first vblank after the commit at which
     * every buffer it shows has its write fence signalled. NEVER if a fence never signals.
     */
    private long latchTimeNs(int c) {
        if (flipNever[c]) return Wakeup.NEVER;
        long tc = flipCommitNs[c];
        boolean wasActive = current.crtcActive[c], willBeActive = pending.crtcActive[c];
        if (!willBeActive) return tc;
        ModeSpec mode = pending.crtcMode[c];
        long period = mode.periodNs();
        long base = wasActive && mode.equals(current.crtcMode[c]) ? vblankBaseNs[c] : tc;
        long fenceNs = 0;
        for (int p = 0; p < planes.length; p++) {
            if (pending.planeCrtc[p] != c) continue;
            long f = fb(pending.planeFb[p]).buffer.fenceSignalAtNs();
            if (f == ImplicitFence.NEVER) return Wakeup.NEVER;
            fenceNs = Math.max(fenceNs, f);
        }
        long k = Math.floorDiv(tc - base, period) + 1;
        long t = base + k * period;
        if (fenceNs > t) t = base + Math.ceilDiv(fenceNs - base, period) * period;
        return t;
    }

    private void processUntil(long nowNs) {
        for (int c = 0; c < crtcs.length; c++) {
            if (!flipPending[c]) continue;
            long t = latchTimeNs(c);
            if (t <= nowNs) latch(c, t, flipWantsEvent[c]);
        }
    }

    /** Puts the pending state of CRTC c on screen at time t. */
    private void latch(int c, long t, boolean event) {
        long sequenceBefore = sequenceAt(c, t);
        boolean activeAfter = pending.crtcActive[c];
        boolean modeChange = !current.crtcActive[c] || !java.util.Objects.equals(current.crtcMode[c], pending.crtcMode[c]);
        if (!activeAfter || modeChange) sequenceBase[c] = sequenceBefore;
        if (activeAfter && modeChange) {
            // Vblanks of a newly lit CRTC count from the commit that lit it.
            vblankBaseNs[c] = current.crtcActive[c] || !flipPending[c] ? t : flipCommitNs[c];
        }
        copyCrtcState(current, pending, c);
        flipPending[c] = false;
        flipNever[c] = false;
        if (event) queued.add(crtcs[c].id(), sequenceAt(c, t), t, flipUserData[c]);
    }

    private long sequenceAt(int c, long t) {
        ModeSpec mode = current.crtcMode[c];
        if (!current.crtcActive[c] || mode == null) return sequenceBase[c];
        return sequenceBase[c] + Math.max(0, (t - vblankBaseNs[c]) / mode.periodNs());
    }

    private void rearm(long nowNs) {
        if (queued.count > 0 || gone) {
            wakeup.armAt(nowNs);
            return;
        }
        wakeup.armAt(nextDeadlineNs());
    }

    /** The next time a pending flip could take effect, {@link Long#MAX_VALUE} if none. */
    public synchronized long nextDeadlineNs() {
        long next = Wakeup.NEVER;
        for (int c = 0; c < crtcs.length; c++) if (flipPending[c]) next = Math.min(next, latchTimeNs(c));
        return next;
    }

    /** Whether CRTC c (by id) has a flip that has not taken effect yet. */
    public synchronized boolean flipPending(int crtcId) {
        processUntil(kernel.clock().nowNs());
        int c = crtcIndex(crtcId);
        return c >= 0 && flipPending[c];
    }

    @Override
    public OwnedFd eventFd() { return wakeup.fd(); }

    @Override
    public int dispatchEvents(PageFlipHandler handler) {
        EventQueue batch;
        synchronized (this) {
            long now = kernel.clock().nowNs();
            if (kernel.faults().inject(FaultKind.UNPLUG, info.name(), -1)) unplug();
            processUntil(now);
            wakeup.clear();
            batch = queued;
            queued = delivering;
            queued.count = 0;
            delivering = batch;
            rearm(now);
        }
        // Delivered outside the lock: a handler may commit the next frame at once.
        int n = batch.count;
        for (int i = 0; i < n; i++) handler.pageFlipped(batch.crtc[i], batch.sequence[i], batch.timeNs[i], batch.userData[i]);
        batch.count = 0;
        return n;
    }

    private static final class EventQueue {
        int[] crtc = new int[16];
        long[] sequence = new long[16];
        long[] timeNs = new long[16];
        long[] userData = new long[16];
        int count;

        void add(int crtcId, long seq, long time, long user) {
            if (count == crtc.length) {
                int n = count * 2;
                crtc = Arrays.copyOf(crtc, n);
                sequence = Arrays.copyOf(sequence, n);
                timeNs = Arrays.copyOf(timeNs, n);
                userData = Arrays.copyOf(userData, n);
            }
            crtc[count] = crtcId;
            sequence[count] = seq;
            timeNs[count] = time;
            userData[count] = user;
            count++;
        }
    }

    // ---------------------------------------------------------------- read-back

    /**
     * What CRTC crtcId sends to its monitor now: planes composed bottom to top (premultiplied
     * alpha over black), each framebuffer read through this device's view of its memory (its
     * layout, and for CPU-cached memory the device-visible copy unless the device snoops).
     * Null if the CRTC is off.
     */
    @Override
    public synchronized ScanoutImage readScanout(int crtcId) {
        processUntil(kernel.clock().nowNs());
        int c = crtcIndex(crtcId);
        if (c < 0 || gone || !current.crtcActive[c]) return null;
        ModeSpec mode = current.crtcMode[c];
        int w = mode.width(), h = mode.height();
        int[] out = new int[w * h];
        Arrays.fill(out, 0xff000000);
        for (int p : planesByZ) {
            if (current.planeCrtc[p] != c) continue;
            Framebuffer fb = fb(current.planeFb[p]);
            if (fb == null) continue;
            composePlane(out, w, h, p, fb);
        }
        return new ScanoutImage(w, h, out);
    }

    private void composePlane(int[] out, int w, int h, int p, Framebuffer fb) {
        BufferIdentity id = fb.buffer.identity;
        if (id.protectedMemory()) return; // Protected content reads back black, as on real hardware.
        MemorySegment mem = fb.buffer.file();
        long base = readsShadow(id) ? id.shadowOffset() : 0;
        boolean alpha = Fourcc.hasAlpha(fb.fourcc);
        int dx0 = current.dstX[p], dy0 = current.dstY[p], dw = current.dstW[p], dh = current.dstH[p];
        int sx0 = current.srcX[p], sy0 = current.srcY[p], sw = current.srcW[p], sh = current.srcH[p];
        for (int y = Math.max(0, dy0); y < Math.min(h, dy0 + dh); y++) {
            int sy = sy0 + (int) ((long) (y - dy0) * sh / dh);
            for (int x = Math.max(0, dx0); x < Math.min(w, dx0 + dw); x++) {
                int sx = sx0 + (int) ((long) (x - dx0) * sw / dw);
                int src = PixelAccess.read(mem, base, fb.offsets, fb.pitches, fb.fourcc, fb.layout, sx, sy);
                int i = y * w + x;
                out[i] = alpha ? blendPremultiplied(src, out[i]) : src | 0xff000000;
            }
        }
    }

    private static int blendPremultiplied(int src, int dst) {
        int a = src >>> 24;
        if (a == 0xff) return src;
        int inv = 255 - a;
        int r = Math.min(255, ((src >>> 16) & 0xff) + (((dst >>> 16) & 0xff) * inv + 127) / 255);
        int g = Math.min(255, ((src >>> 8) & 0xff) + (((dst >>> 8) & 0xff) * inv + 127) / 255);
        int b = Math.min(255, (src & 0xff) + ((dst & 0xff) * inv + 127) / 255);
        return 0xff000000 | (r << 16) | (g << 8) | b;
    }

    // ---------------------------------------------------------------- GPU jobs, fences, migration

    /**
     * A fake GPU job writing to the buffer: sets its implicit write fence to signal after
     * durationNs on the kernel clock (or never, by fault injection). Any process holding the
     * buffer sees the fence.
     */
    public synchronized long submitRenderJob(DmaBuf target, long durationNs) throws PosixException {
        return submitRenderJob(target, durationNs, durationNs);
    }

    /**
     * A job that takes durationNs at its normal clocks and fastestNs boosted: a deadline hint on
     * its fence (SYNC_IOC_SET_DEADLINE) before it completes makes it finish by the deadline when
     * fastestNs allows (the driver raising its clocks).
     */
    public synchronized long submitRenderJob(DmaBuf target, long durationNs, long fastestNs) throws PosixException {
        long signalAt = jobSignalAt(durationNs);
        // The fastest end counts from the same start as the normal one (signalAt - durationNs).
        kernel.setWriteFence(target, signalAt, signalAt == ImplicitFence.NEVER ? signalAt
                : signalAt - Math.max(1, durationNs) + Math.max(1, Math.min(fastestNs, durationNs)));
        return signalAt;
    }

    /** When a job submitted now for durationNs signals: NEVER if fault injection hangs it. */
    synchronized long jobSignalAt(long durationNs) {
        if (!spec.canRender()) throw new IllegalStateException(info.name() + " cannot render");
        return kernel.faults().inject(FaultKind.FENCE_NEVER_SIGNALS, info.name(), frame)
                ? ImplicitFence.NEVER : kernel.clock().nowNs() + Math.max(1, durationNs);
    }

    private Syncobjs syncobjs;

    /** The device's DRM syncobjs (handles are this process's, as on a DRM fd). */
    public synchronized Syncobjs syncobjs() {
        if (syncobjs == null) syncobjs = new Syncobjs(this, kernel);
        return syncobjs;
    }

    /**
     * Moves an exported buffer to another of this device's domains by copying it into a new
     * buffer (the caller owns it). Best effort: faults can make it fail for now or for good.
     */
    public synchronized MigrationResult migrate(DmaBuf buf, MemoryDomain target) throws PosixException {
        BufferIdentity id = buf.identity();
        if (gone || id == null || id.devT() != info.devT() || !allocates.contains(target)
                || (spec.needsContiguous() && !target.contiguous())) {
            return new MigrationResult(null, MigrationResult.Failure.NOT_POSSIBLE);
        }
        if (kernel.migrationFailedForGood(id.id())) return new MigrationResult(null, MigrationResult.Failure.PERMANENT);
        if (kernel.faults().inject(FaultKind.MIGRATION_PERMANENT, info.name(), frame)) {
            kernel.markMigrationFailedForGood(id.id());
            return new MigrationResult(null, MigrationResult.Failure.PERMANENT);
        }
        if (kernel.faults().inject(FaultKind.MIGRATION_TEMPORARY, info.name(), frame)) {
            return new MigrationResult(null, MigrationResult.Failure.TEMPORARY);
        }
        DmaBuf moved = create(buf.width(), buf.height(), buf.fourcc(), id.modifier(), id.layout(), target,
                id.protectedMemory());
        try (CpuMapping from = CpuMapping.map(buf); CpuMapping to = CpuMapping.map(moved)) {
            to.beginCpuAccess(CpuMapping.WRITE);
            MemorySegment.copy(from.view(), 0, to.view(), 0, Math.min(from.view().byteSize(), to.view().byteSize()));
            to.endCpuAccess(CpuMapping.WRITE);
        } catch (RuntimeException | PosixException e) {
            moved.close();
            throw e;
        }
        return new MigrationResult(moved, null);
    }

    // ---------------------------------------------------------------- unplug and teardown

    /**
     * Hot-unplug: KMS objects vanish, pending flips are dropped, every later operation refuses
     * with DEVICE_GONE. Buffers and their fds stay valid; handles and framebuffers can still be
     * released. The event fd becomes readable so a poller notices.
     */
    public synchronized void unplug() {
        if (gone) return;
        gone = true;
        Arrays.fill(flipPending, false);
        queued.count = 0;
        wakeup.armAt(kernel.clock().nowNs());
    }

    synchronized void close() {
        if (syncobjs != null) syncobjs.close();
        for (ImportedBuffer b : handles.values()) b.release();
        handles.clear();
        for (int i = 0; i < framebuffers.length; i++) {
            if (framebuffers[i] != null) framebuffers[i].buffer.release();
            framebuffers[i] = null;
        }
        wakeup.close();
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

    @Override
    public String toString() {
        return info.name() + " (" + info.driver() + (gone ? ", gone" : "") + ")";
    }
}
