package dev.ferry.drm;

import dev.ferry.drm.topology.DeviceSpec;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

import java.util.List;
import java.util.Map;

/**
 * One device's subsystem objects built directly, the way FakeDevice wires them, so each
 * subsystem's test can call its class alone and vary exactly the input a rule reads. Buffers
 * come from the device's own allocator; the kernel is the "screen" topology's.
 */
final class DeviceParts implements AutoCloseable {
    final FakeKernel kernel = FakeKernel.open(TestTopologies.load("screen"), new VirtualClock(), FaultPlan.none());
    /** card0: driver "alpha", snoops CPU caches; card1: driver "beta", does not. */
    final FakeDevice card0 = kernel.device("card0");
    final FakeDevice card1 = kernel.device("card1");

    static FormatTable table(int fourcc, long... modifiers) {
        List<Long> mods = new java.util.ArrayList<>();
        for (long m : modifiers) mods.add(m);
        return FormatTable.of(Map.of(fourcc, mods));
    }

    static boolean[] domains(MemoryDomain... ds) {
        boolean[] out = new boolean[MemoryDomain.values().length];
        for (MemoryDomain d : ds) out[d.ordinal()] = true;
        return out;
    }

    static boolean[] domains(List<String> labels) {
        return domains(labels.stream().map(MemoryDomain::parse).toArray(MemoryDomain[]::new));
    }

    /** The import rules of dev as its topology entry gives them. */
    ImportRules rules(FakeDevice dev) {
        DeviceSpec s = dev.spec();
        return rules(dev, domains(s.reaches()), domains(s.scanoutFrom()), dev.sampleFormats(), dev.scanoutFormats());
    }

    ImportRules rules(FakeDevice dev, boolean[] reaches, boolean[] scanoutFrom, FormatTable sample, FormatTable scanout) {
        return new ImportRules(kernel, dev.spec(), dev.info(), reaches, scanoutFrom, sample, scanout);
    }

    /** The device's side of buf as an import would make it (its own fd duplicates, one reference). */
    static ImportedBuffer imported(DmaBuf buf, long layout) throws PosixException {
        OwnedFd[] fds = new OwnedFd[buf.planeCount()];
        for (int p = 0; p < fds.length; p++) fds[p] = buf.fd(p).dup();
        return new ImportedBuffer(1, ImportPurpose.SCANOUT, buf.identity(), buf, layout, fds);
    }

    static Crtc[] crtcs(FakeDevice dev) { return dev.crtcs().toArray(new Crtc[0]); }

    static Connector[] connectors(FakeDevice dev) { return dev.connectors().toArray(new Connector[0]); }

    static Plane[] planes(FakeDevice dev) { return dev.planes().toArray(new Plane[0]); }

    static CrtcTimeline[] timelines(int n) {
        CrtcTimeline[] t = new CrtcTimeline[n];
        for (int i = 0; i < n; i++) t[i] = new CrtcTimeline();
        return t;
    }

    @Override
    public void close() {
        kernel.close();
    }
}
