package dev.ferry.drm;

import dev.ferry.drm.topology.ConnectorSpec;
import dev.ferry.drm.topology.DeviceSpec;
import dev.ferry.drm.topology.FormatSet;
import dev.ferry.drm.topology.ModeSpec;
import dev.ferry.drm.topology.PlaneSpec;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One simulated DRM device: its allocator (GBM-like), the import rules its driver and the
 * exporters apply, its KMS objects and atomic state, vblanks on the kernel clock, and a read-back
 * of what each CRTC shows. Everything the kernel would refuse is refused here with a named reason.
 */
public final class FakeDevice implements DrmDevice, BufferAllocator {

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
    private final ImportRules importRules;
    private final DeviceAllocator allocator;
    private final ScanoutReadback readback;
    private final AtomicCheck atomicCheck;

    private final Crtc[] crtcs;
    private final Connector[] connectors;
    private final Plane[] planes;
    /** Plane indices in ascending zpos, the order read-back composes them in. */
    private final int[] planesByZ;
    private final List<Crtc> crtcList;
    /** Replaced (never changed in place) when a connector is unplugged or re-plugged, so a caller's list stays as it was. */
    private volatile List<Connector> connectorList;
    private final List<Plane> planeList;

    private final Map<Integer, ImportedBuffer> handles = new HashMap<>();
    private int nextHandle = 1;
    private final FramebufferTable framebuffers;

    private final KmsState current;
    private final KmsState pending;
    private final KmsState proposed;
    /** Per CRTC: its flip in flight, its vblank clock, whether the commit being checked touches it. */
    private final CrtcTimeline[] timelines;

    private final PageFlipEvents events = new PageFlipEvents();
    private final FlipLatch flips;

    private final Wakeup wakeup;
    private long frame;
    private long testCommits;
    private volatile boolean gone;
    /** What a monitor plugged into a port the topology lists as empty offers: 1920x1080 at 60 Hz. */
    static final ModeSpec PLUGGED_IN_MONITOR = new ModeSpec(1920, 1080, 60000);

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
        for (int i = 0; i < crtcCount; i++) crtcs[i] = new Crtc(AtomicCheck.CRTC_ID_BASE + i, i);
        List<ConnectorSpec> cs = spec.canDisplay() ? spec.connectors() : List.of();
        connectors = new Connector[cs.size()];
        for (int i = 0; i < cs.size(); i++) {
            ConnectorSpec c = cs.get(i);
            connectors[i] = new Connector(AtomicCheck.CONNECTOR_ID_BASE + i, c.name(), c.connected(), c.modes(), mask(c.crtcs(), crtcCount));
        }
        List<PlaneSpec> ps = spec.canDisplay() ? spec.planes() : List.of();
        planes = new Plane[ps.size()];
        FormatTable union = FormatTable.EMPTY;
        for (int i = 0; i < ps.size(); i++) {
            PlaneSpec p = ps.get(i);
            FormatTable t = FormatSet.table(p.formats());
            planes[i] = new Plane(AtomicCheck.PLANE_ID_BASE + i, PlaneType.valueOf(p.type().toUpperCase(java.util.Locale.ROOT)),
                    mask(p.crtcs(), crtcCount), t, p.maxWidth(), p.maxHeight(), p.scaling(), p.zpos());
            union = union.union(t);
        }
        scanoutTable = union;
        allocator = new DeviceAllocator(spec, info, allocates, scanoutFrom, renderTable, sampleTable, scanoutTable, implicitLayout);
        importRules = new ImportRules(kernel, spec, info, reaches, scanoutFrom, sampleTable, scanoutTable);
        planesByZ = java.util.stream.IntStream.range(0, planes.length).boxed()
                .sorted((a, b) -> Integer.compare(planes[a].zpos(), planes[b].zpos()))
                .mapToInt(Integer::intValue).toArray();
        framebuffers = new FramebufferTable(scanoutTable, importRules);
        readback = new ScanoutReadback(planesByZ, spec.snoopsCpuCaches());
        crtcList = List.of(crtcs);
        connectorList = List.of(connectors);
        planeList = List.of(planes);

        current = new KmsState(planes.length, crtcCount, connectors.length);
        pending = new KmsState(planes.length, crtcCount, connectors.length);
        proposed = new KmsState(planes.length, crtcCount, connectors.length);
        timelines = new CrtcTimeline[crtcCount];
        for (int i = 0; i < crtcCount; i++) timelines[i] = new CrtcTimeline();
        atomicCheck = new AtomicCheck(crtcs, connectors, planes, timelines, pending, proposed, framebuffers, importRules,
                spec.needsContiguous());
        flips = new FlipLatch(crtcs, planes.length, connectors.length, timelines, current, pending, framebuffers, events);
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
        return allocator.allocate(width, height, fourcc, modifiers, usage, placement);
    }

    /** A dumb buffer: LINEAR, CPU-mappable, scanout-capable (DRM_IOCTL_MODE_CREATE_DUMB). */
    @Override
    public DmaBuf createDumb(int width, int height, int fourcc) throws AllocationException {
        if (!spec.dumbBuffers()) throw new AllocationException(AllocationFailure.NO_DISPLAY, "no dumb buffers on " + info.name());
        return allocate(width, height, fourcc, new long[] {Modifiers.LINEAR}, Usage.SCANOUT | Usage.LINEAR | Usage.CPU);
    }

    // ---------------------------------------------------------------- import

    @Override
    public synchronized ImportResult importDmaBuf(DmaBuf buf, ImportPurpose purpose) {
        if (gone) return ImportResult.rejected(ImportRejection.DEVICE_GONE, info.name() + " is gone");
        if (kernel.faults().inject(FaultKind.IMPORT, info.name(), frame)) {
            return ImportResult.rejected(ImportRejection.INJECTED_FAULT, info.name() + " frame " + frame);
        }
        ImportResult refused = importRules.check(buf, purpose);
        if (refused != null) return refused;
        BufferIdentity id = buf.identity();
        long layout = importRules.layoutFor(buf.modifier(), id);
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

    @Override
    public synchronized void releaseHandle(BufferHandle handle) {
        if (handle.device() != this) throw new IllegalArgumentException(handle + " is not this device's");
        ImportedBuffer b = handles.remove(handle.id());
        if (b != null) b.release();
    }

    /** Open handles plus framebuffers: for leak checks. */
    public synchronized int liveObjects() {
        int n = handles.size();
        n += framebuffers.count();
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
        return framebuffers.add(b, width, height, fourcc, modifier, offsets, pitches);
    }

    private Framebuffer fb(int id) {
        return framebuffers.get(id);
    }

    @Override
    public synchronized void removeFramebuffer(int fbId) {
        Framebuffer fb = fb(fbId);
        if (fb == null) return;
        for (int p = 0; p < planes.length; p++) {
            if (current.planeFb[p] == fbId) current.disablePlane(p);
            if (pending.planeFb[p] == fbId) pending.disablePlane(p);
        }
        framebuffers.remove(fbId);
    }

    // ---------------------------------------------------------------- atomic commits

    /** TEST_ONLY commits asked of this device so far (what a planner that retests every frame would drive up). */
    public synchronized long testCommits() { return testCommits; }

    @Override
    public synchronized boolean commit(AtomicRequest req, int flags, long userData) {
        long now = kernel.clock().nowNs();
        flips.processUntil(now);
        boolean testOnly = (flags & AtomicFlags.TEST_ONLY) != 0;
        if (!testOnly) {
            // A gone device's refusals are not frames: its count stands until it is back, so a
            // re-plug scripted by frame (replug@card1:frame=N) matches at the polls meanwhile.
            if (gone) return AtomicCheck.reject(req, CommitRejection.DEVICE_GONE, 0);
            long thisFrame = frame++;
            if (kernel.faults().inject(FaultKind.UNPLUG, info.name(), thisFrame)) {
                unplug();
                return AtomicCheck.reject(req, CommitRejection.DEVICE_GONE, 0);
            }
            if (kernel.faults().inject(FaultKind.COMMIT, info.name(), thisFrame)) {
                return AtomicCheck.reject(req, CommitRejection.INJECTED_FAULT, 0);
            }
        } else {
            long thisTest = testCommits++;
            if (gone) return AtomicCheck.reject(req, CommitRejection.DEVICE_GONE, 0);
            if (kernel.faults().inject(FaultKind.TEST_COMMIT, info.name(), thisTest)) {
                return AtomicCheck.reject(req, CommitRejection.INJECTED_FAULT, 0);
            }
        }
        proposed.copyFrom(pending);
        for (CrtcTimeline t : timelines) t.touched = false;
        if (!atomicCheck.apply(req)) return false;
        if (!testOnly) {
            for (int c = 0; c < crtcs.length; c++) {
                if (timelines[c].touched && timelines[c].flipPending) return AtomicCheck.reject(req, CommitRejection.BUSY, crtcs[c].id());
            }
        }
        if (!atomicCheck.validate(req, flags)) return false;
        req.accept();
        if (testOnly) return true;

        boolean deferred = (flags & (AtomicFlags.NONBLOCK | AtomicFlags.PAGE_FLIP_EVENT)) != 0;
        for (int c = 0; c < crtcs.length; c++) {
            if (!timelines[c].touched) continue;
            flips.copyCrtcState(pending, proposed, c);
            if (deferred) {
                flips.schedule(c, now, (flags & AtomicFlags.PAGE_FLIP_EVENT) != 0, userData,
                        kernel.faults().inject(FaultKind.FLIP_NEVER_COMPLETES, info.name(), frame - 1));
            } else {
                // A blocking commit: the fake does not sleep, the state is on screen when it returns.
                flips.latch(c, now, false);
            }
        }
        flips.processUntil(now);
        rearm(now);
        return true;
    }

    // ---------------------------------------------------------------- vblank and events

    private void rearm(long nowNs) {
        if (events.waiting() > 0 || gone) {
            wakeup.armAt(nowNs);
            return;
        }
        wakeup.armAt(nextDeadlineNs());
    }

    /** The next time a pending flip could take effect, {@link Long#MAX_VALUE} if none. */
    public synchronized long nextDeadlineNs() {
        return flips.nextDeadlineNs();
    }

    /** Whether CRTC c (by id) has a flip that has not taken effect yet. */
    public synchronized boolean flipPending(int crtcId) {
        flips.processUntil(kernel.clock().nowNs());
        int c = atomicCheck.crtcIndex(crtcId);
        return c >= 0 && flips.flipPending(c);
    }

    @Override
    public OwnedFd eventFd() { return wakeup.fd(); }

    @Override
    public int dispatchEvents(PageFlipHandler handler) {
        PageFlipEvents.Batch batch;
        synchronized (this) {
            long now = kernel.clock().nowNs();
            if (!gone && kernel.faults().inject(FaultKind.UNPLUG, info.name(), -1)) unplug();
            flips.processUntil(now);
            wakeup.clear();
            batch = events.take();
            rearm(now);
        }
        // Delivered outside the lock: a handler may commit the next frame at once.
        return batch.deliver(handler);
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
        flips.processUntil(kernel.clock().nowNs());
        int c = atomicCheck.crtcIndex(crtcId);
        if (c < 0 || gone || !current.crtcActive[c]) return null;
        return readback.compose(current, c, this::fb);
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
        DmaBuf moved = allocator.create(buf.width(), buf.height(), buf.fourcc(), id.modifier(), id.layout(), target,
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
        flips.dropAll();
        events.clear();
        wakeup.armAt(kernel.clock().nowNs());
    }

    /**
     * Re-plug after {@link #unplug}: the KMS objects come back with every CRTC off and no plane
     * on, as a freshly probed device; operations work again. Handles, framebuffers and buffers
     * from before the unplug are left as they were (a real kernel would hand out a new fd; a
     * compositor drops its old objects when the device goes, and builds new ones on its return).
     */
    public synchronized void replug() {
        if (!gone) return;
        current.reset();
        pending.reset();
        proposed.reset();
        flips.dropAll();
        events.clear();
        gone = false;
        wakeup.armAt(kernel.clock().nowNs());
    }

    /**
     * A monitor unplugged from (connected false) or plugged into (true) the named connector: its
     * connected state and nothing else changes, as in a kernel, which leaves the CRTC on until
     * the compositor turns it off. A monitor plugged into a port the topology lists empty offers
     * 1920x1080 at 60 Hz. False if the device is gone, has no such connector, or it already is so.
     */
    public synchronized boolean setConnected(String connector, boolean connected) {
        if (gone) return false;
        for (int i = 0; i < connectors.length; i++) {
            Connector c = connectors[i];
            if (!c.name().equals(connector) || c.connected() == connected) continue;
            // An empty port (no modes in the topology) gets a common monitor's one mode.
            List<ModeSpec> modes = connected && c.modes().isEmpty() ? List.of(PLUGGED_IN_MONITOR) : c.modes();
            connectors[i] = new Connector(c.id(), c.name(), connected, modes, c.possibleCrtcs());
            connectorList = List.of(connectors);
            wakeup.armAt(kernel.clock().nowNs());
            return true;
        }
        return false;
    }

    /**
     * A hotplug poll (what udev would have told): applies the re-plug, disconnect and reconnect
     * faults due now. Returns whether anything changed.
     */
    synchronized boolean pollHotplug() {
        boolean changed = false;
        // An unplug asked for while nothing commits (`ferry ctl fault unplug` on an idle output)
        // is taken here; frame -1, as in dispatchEvents: frame windows match commits only.
        if (!gone && kernel.faults().inject(FaultKind.UNPLUG, info.name(), -1)) {
            unplug();
            return true;
        }
        if (gone) {
            if (kernel.faults().inject(FaultKind.REPLUG, info.name(), frame)) {
                replug();
                changed = true;
            }
            return changed;
        }
        for (Connector c : connectors) {
            FaultKind kind = c.connected() ? FaultKind.DISCONNECT : FaultKind.RECONNECT;
            if (kernel.faults().inject(kind, c.name(), frame)) changed |= setConnected(c.name(), !c.connected());
        }
        return changed;
    }

    synchronized void close() {
        if (syncobjs != null) syncobjs.close();
        for (ImportedBuffer b : handles.values()) b.release();
        handles.clear();
        framebuffers.clear();
        wakeup.close();
    }

    @Override
    public String toString() {
        return info.name() + " (" + info.driver() + (gone ? ", gone" : "") + ")";
    }
}
