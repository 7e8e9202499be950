package dev.ferry.drm;

import dev.ferry.drm.topology.DeviceSpec;
import dev.ferry.drm.topology.Topologies;
import dev.ferry.drm.topology.Topology;
import dev.ferry.posix.PosixException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The simulated kernel of one process: the devices of a topology, the clock their vblanks and
 * fences run on, and the faults to inject. A client process and the compositor each open their
 * own kernel over the same topology; what they share is what a real kernel shares, the buffers,
 * through their fds.
 */
public final class FakeKernel implements DeviceSet, AutoCloseable {
    private final Topology topology;
    private final KernelClock clock;
    private final FaultInjector faults;
    private final List<FakeDevice> devices = new ArrayList<>();
    private final Set<Long> migrationFailedForGood = new HashSet<>();
    private final Udmabuf udmabuf = new Udmabuf();

    private FakeKernel(Topology topology, KernelClock clock, FaultPlan plan) {
        this.topology = topology;
        this.clock = clock;
        this.faults = new FaultInjector(plan, clock);
        this.syncobjNotifier = new SyncobjNotifier(clock);
        for (DeviceSpec spec : topology.devices()) devices.add(new FakeDevice(this, spec));
    }

    public static FakeKernel open(Topology topology, KernelClock clock, FaultPlan faults) {
        return new FakeKernel(topology, clock, faults);
    }

    /** On the real clock, no faults: what a live client uses. */
    public static FakeKernel open(Topology topology) {
        return open(topology, KernelClock.monotonic(), FaultPlan.none());
    }

    /** A preset or topology file by name (see {@link Topologies#load}). */
    public static FakeKernel open(String presetOrPath) {
        return open(Topologies.load(presetOrPath));
    }

    public Topology topology() { return topology; }

    public KernelClock clock() { return clock; }

    public FaultInjector faults() { return faults; }

    @Override
    public List<FakeDevice> devices() { return List.copyOf(devices); }

    @Override
    public FakeDevice device(String name) {
        for (FakeDevice d : devices) if (d.info().name().equals(name)) return d;
        throw new IllegalArgumentException("no device " + name + " in " + topology.name());
    }

    /** The device with this dev_t, or null (a buffer from a device this topology lacks). */
    @Override
    public FakeDevice deviceByDevT(long devT) {
        for (FakeDevice d : devices) if (d.info().devT() == devT) return d;
        return null;
    }

    @Override
    public Udmabuf udmabuf() { return udmabuf; }

    /** The first device with a display engine and a connected connector, for a default output. */
    public FakeDevice firstDisplay() {
        for (FakeDevice d : devices) {
            if (d.info().canDisplay() && d.connectors().stream().anyMatch(Connector::connected)) return d;
        }
        return null;
    }

    /**
     * mmap of a dma-buf's fd, which the kernel hands to the buffer's exporter: refused when a
     * {@link FaultKind#CPU_MAP} fault on the exporter fires (a buffer of a device this topology
     * lacks is mapped as it is).
     */
    @Override
    public CpuMapping mapForCpu(DmaBuf buf) throws PosixException {
        BufferIdentity id = buf.identity();
        FakeDevice exporter = id == null ? null : deviceByDevT(id.devT());
        if (exporter != null && faults.inject(FaultKind.CPU_MAP, exporter.info().name(), exporter.frame())) {
            throw new PosixException("mmap of a dma-buf exported by " + exporter.info().name() + " (injected cpu-map fault)", EINVAL);
        }
        return buf.map();
    }

    private static final int EINVAL = 22;

    /** Sets a buffer's implicit write fence to signal at signalAtNs (ImplicitFence.NEVER: never). */
    public void setWriteFence(DmaBuf buf, long signalAtNs) throws PosixException {
        requireFake(buf);
        buf.setFenceSignalAtNs(signalAtNs);
    }

    /** When the buffer's last write completes (ImplicitFence.NO_FENCE if idle, NEVER if never). */
    public long writeFenceSignalAtNs(DmaBuf buf) throws PosixException {
        requireFake(buf);
        return buf.fenceSignalAtNs();
    }

    @Override
    public boolean writeFenceSignalled(DmaBuf buf) throws PosixException {
        return ImplicitFence.signalled(writeFenceSignalAtNs(buf), clock.nowNs());
    }

    /**
     * DMA_BUF_IOCTL_EXPORT_SYNC_FILE: a pollable fd for the buffer's current write fence
     * (a snapshot: later jobs do not change it). The caller owns it.
     */
    @Override
    public SyncFile exportSyncFile(DmaBuf buf) throws PosixException {
        long seqno = buf.fenceSeqno();
        long signalAt = writeFenceSignalAtNs(buf);
        return new FakeSyncFile(clock, signalAt, deadline -> countBoost(signalAt, buf.boostFence(seqno, deadline, signalAt)));
    }

    /** Sets a buffer's write fence to signal at signalAtNs, or as early as earliestNs if a deadline hint asks. */
    public void setWriteFence(DmaBuf buf, long signalAtNs, long earliestNs) throws PosixException {
        requireFake(buf);
        buf.setFence(signalAtNs, earliestNs);
    }

    private final java.util.concurrent.atomic.AtomicLong deadlineBoosts = new java.util.concurrent.atomic.AtomicLong();

    /** Counts a deadline hint from this process that made a job finish earlier; returns the new time. */
    long countBoost(long beforeNs, long afterNs) {
        if (afterNs < beforeNs) boostCounted();
        return afterNs;
    }

    void boostCounted() {
        deadlineBoosts.incrementAndGet();
    }

    private final SyncobjNotifier syncobjNotifier;

    SyncobjNotifier syncobjNotifier() { return syncobjNotifier; }

    /** Deadline hints set from this process (through sync files or syncobj points) that hurried a job. */
    public long deadlineBoosts() { return deadlineBoosts.get(); }

    @Override
    public SyncFile timerAt(long deadlineNs) {
        return new FakeSyncFile(clock, deadlineNs);
    }

    /** A sync file that signals at a given time: for tests and explicit-sync clients. */
    public SyncFile syncFileAt(long signalAtNs) {
        return new FakeSyncFile(clock, signalAtNs);
    }

    synchronized boolean migrationFailedForGood(long bufferId) {
        return migrationFailedForGood.contains(bufferId);
    }

    synchronized void markMigrationFailedForGood(long bufferId) {
        migrationFailedForGood.add(bufferId);
    }

    private static BufferIdentity requireFake(DmaBuf buf) {
        BufferIdentity id = buf.identity();
        if (id == null) throw new IllegalArgumentException("not a fake-drm dma-buf: " + buf);
        return id;
    }

    /** Applies the hotplug faults due now (re-plugs, connectors unplugged or plugged in); true if any changed. */
    @Override
    public boolean pollHotplug() {
        boolean changed = false;
        for (FakeDevice d : devices) changed |= d.pollHotplug();
        return changed;
    }

    /** Releases every device's handles, framebuffers and event fd. */
    @Override
    public void close() {
        for (FakeDevice d : devices) d.close();
        syncobjNotifier.close();
    }
}
