package dev.ferry.compositor.dmabuf;

import dev.ferry.compositor.buffer.DmaBufBuffer;
import dev.ferry.compositor.core.Surface;
import dev.ferry.drm.BufferIdentity;
import dev.ferry.drm.CpuMapping;
import dev.ferry.drm.DeviceSet;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.DrmDevice;
import dev.ferry.drm.FormatTable;
import dev.ferry.drm.ImportPurpose;
import dev.ferry.drm.ImportRejection;
import dev.ferry.drm.ImportResult;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WlDisplay;
import dev.ferry.protocol.interfaces.ZwpLinuxBufferParamsV1;
import dev.ferry.protocol.interfaces.ZwpLinuxDmabufFeedbackV1;
import dev.ferry.protocol.interfaces.ZwpLinuxDmabufV1;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Global;
import dev.ferry.protocol.server.Resource;
import dev.ferry.renderer.DmaBufFormats;

import java.util.ArrayList;
import java.util.List;

/**
 * zwp_linux_dmabuf_v1 version 5: the global, the format table, default and per-surface
 * feedback, buffer params and the fence waits of the buffers it makes.
 *
 * <p>Format table: the pairs the main device samples (its {@code sampleFormats()}) that some
 * path can then read — the renderer's own dma-buf import, or the CPU path (see
 * {@link ReadPaths}) — so every advertised pair has a fallback. Versions 1–3 get the same set
 * as format (and from 3, modifier) events at bind; 4 and up get feedback instead.
 *
 * <p>Import test ({@link #importTest}): a buffer is accepted when the main device imports it for
 * sampling and the renderer or CPU can read its layout, or, failing the device, when the CPU path
 * can map and read it (the system-RAM copy). Otherwise {@code failed} (create) or
 * {@code invalid_wl_buffer} (create_immed). Once a wl_buffer exists nothing later is a protocol
 * error: import failures at scanout or composition time are fallback reasons.
 */
public final class LinuxDmabufGlobal implements ZwpLinuxDmabufV1.Requests, AutoCloseable {
    public static final int VERSION = 5;

    /** Tunables: feedback hysteresis and fence deadline, on the monotonic clock. */
    public record Config(long feedbackHysteresisNs, long fenceDeadlineNs) {
        public static Config defaults() {
            return new Config(FeedbackController.DEFAULT_HYSTERESIS_NS, FenceWaiter.DEFAULT_DEADLINE_NS);
        }
    }

    /** The outcome of the import test; {@code why} names the failure. */
    public record ImportVerdict(boolean ok, boolean sampling, boolean cpu, long readLayout, String why) {}

    private final Display display;
    /** The kernel's devices: the CPU path maps client buffers through it, and fence waits ask it. */
    private final DeviceSet devices;
    private final DrmDevice main;
    private final DmaBufFormats rendererFormats;
    private final FormatTableFile table;
    private final FenceWaiter fences;
    private final FeedbackController feedback;
    private final EventLoop.Timer feedbackTimer;
    private long feedbackTimerAt;
    private Runnable feedbackTimerAction;
    private final Global global;

    /**
     * Builds the table and advertises the global.
     *
     * @param mainDevice      the primary render device (the backend's
     *                        {@link dev.ferry.compositor.backend.Backend#renderDeviceChoice()})
     * @param rendererFormats what the renderer imports as dma-bufs (null or not importable: the
     *                        CPU path is the only reader besides the device)
     */
    public LinuxDmabufGlobal(Display display, DeviceSet kernel, DrmDevice mainDevice, DmaBufFormats rendererFormats,
                             Config config) throws PosixException {
        this(display, kernel, mainDevice, rendererFormats, List.of(), config);
    }

    /**
     * With tranches that the default feedback offers before the main device's own (the nested
     * backend's host tranches; see {@link dev.ferry.compositor.backend.Backend#preferredTranches()}).
     */
    public LinuxDmabufGlobal(Display display, DeviceSet kernel, DrmDevice mainDevice, DmaBufFormats rendererFormats,
                             List<PreferredTranche> preferred, Config config) throws PosixException {
        this.display = display;
        this.devices = kernel;
        this.main = mainDevice;
        this.rendererFormats = rendererFormats;
        FakeTileLayouts.registerAll();
        this.table = buildTable(mainDevice, rendererFormats);
        EventLoop loop = display.loop();
        this.fences = new FenceWaiter(loop, kernel, config.fenceDeadlineNs());
        this.feedbackTimer = loop.timer(() -> {
            feedbackTimerAt = 0;
            Runnable r = feedbackTimerAction;
            if (r != null) r.run();
        });
        this.feedback = new FeedbackController(table, mainDevice.info().devT(), preferred, loop::nowNs,
                config.feedbackHysteresisNs(), (deadlineNs, action) -> {
                    feedbackTimerAction = action;
                    if (feedbackTimerAt == 0 || deadlineNs < feedbackTimerAt) {
                        feedbackTimerAt = deadlineNs;
                        feedbackTimer.armAt(deadlineNs);
                    }
                });
        this.global = display.addGlobal(ZwpLinuxDmabufV1.INTERFACE, VERSION, this::bind);
    }

    private static FormatTableFile buildTable(DrmDevice main, DmaBufFormats rendererFormats) throws PosixException {
        FormatTable sample = main.sampleFormats();
        long implicit = ReadPaths.implicitLayout(main);
        List<int[]> fs = new ArrayList<>();
        List<Long> ms = new ArrayList<>();
        for (int f : sample.formats()) {
            for (long m : sample.modifiers(f)) {
                long layout = m == dev.ferry.drm.uapi.Modifiers.INVALID ? implicit : m;
                if (ReadPaths.rendererImports(rendererFormats, f, m) || ReadPaths.cpuReadsLayout(f, layout)) {
                    fs.add(new int[] {f});
                    ms.add(m);
                }
            }
        }
        int[] formats = new int[fs.size()];
        long[] mods = new long[ms.size()];
        for (int i = 0; i < formats.length; i++) {
            formats[i] = fs.get(i)[0];
            mods[i] = ms.get(i);
        }
        return FormatTableFile.create(formats, mods);
    }

    public FormatTableFile table() { return table; }

    public DrmDevice mainDevice() { return main; }

    /** Per-surface feedback: add it to the backend's path observers. */
    public FeedbackController feedback() { return feedback; }

    /** Fence waits and their counts (FENCE_TIMEOUT statistics). */
    public FenceWaiter fences() { return fences; }

    private dev.ferry.compositor.stats.FaultLog faults;

    /** Where an injected import fault on a client's buffer is named (import-failed); null: nowhere. */
    public void recordImportFaultsIn(dev.ferry.compositor.stats.FaultLog f) { faults = f; }

    private void bind(dev.ferry.protocol.server.Client client, int version, int id) {
        Resource r = client.createResource(id, ZwpLinuxDmabufV1.INTERFACE, version, this);
        if (version >= 4) return;
        int last = 0;
        boolean first = true;
        for (int i = 0; i < table.size(); i++) {
            int f = table.format(i);
            if (first || f != last) ZwpLinuxDmabufV1.sendFormat(r, f);
            first = false;
            last = f;
            if (version >= ZwpLinuxDmabufV1.EVENT_MODIFIER_SINCE) {
                long m = table.modifier(i);
                ZwpLinuxDmabufV1.sendModifier(r, f, (int) (m >>> 32), (int) m);
            }
        }
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void createParams(Resource self, int paramsId) {
        self.client().createResource(paramsId, ZwpLinuxBufferParamsV1.INTERFACE, self.version(), new BufferParams(this));
    }

    @Override
    public void getDefaultFeedback(Resource self, int id) {
        Resource r = self.client().createResource(id, ZwpLinuxDmabufFeedbackV1.INTERFACE, self.version(), INERT_FEEDBACK);
        feedback.defaultFeedback().sendTo(r, table, true);
    }

    @Override
    public void getSurfaceFeedback(Resource self, int id, Resource surfaceResource) {
        Surface surface = surfaceResource == null ? null : surfaceResource.implementation(Surface.class);
        if (surface == null) {
            throw new ProtocolException(self.client().displayResource().id(), WlDisplay.ERROR_INVALID_OBJECT,
                    surfaceResource + " is not a wl_surface");
        }
        SurfaceFeedbackResource impl = new SurfaceFeedbackResource(surface);
        Resource r = self.client().createResource(id, ZwpLinuxDmabufFeedbackV1.INTERFACE, self.version(), impl);
        feedback.addSurfaceFeedback(surface, r);
    }

    private static final ZwpLinuxDmabufFeedbackV1.Requests INERT_FEEDBACK = self -> {};

    private final class SurfaceFeedbackResource implements ZwpLinuxDmabufFeedbackV1.Requests, Resource.DestroyListener {
        final Surface surface;

        SurfaceFeedbackResource(Surface surface) {
            this.surface = surface;
        }

        @Override
        public void destroy(Resource self) {}

        @Override
        public void destroyed(Resource r) {
            feedback.removeSurfaceFeedback(surface, r);
        }
    }

    /** Can some path read this buffer? Closes nothing: the caller keeps the buffer either way. */
    ImportVerdict importTest(DmaBuf buf, int flags) {
        if (flags != 0) return new ImportVerdict(false, false, false, 0, "buffer flags 0x" + Integer.toHexString(flags)
                + " (y-invert, interlaced) are not supported by Ferry's renderers");
        BufferIdentity id = buf.identity();
        long layout = ReadPaths.readLayout(buf.modifier(), id, main);
        boolean sampling = false;
        String deviceWhy = null;
        ImportResult r = main.importDmaBuf(buf, ImportPurpose.SAMPLING);
        if (r.ok()) {
            r.handle().close();
            sampling = true;
        } else {
            deviceWhy = main.info().name() + " rejected it: " + r.rejection() + " (" + r.detail() + ")";
        }
        CpuRead cpuRead = cpuRead(buf, id, layout);
        boolean cpu = cpuRead.why() == null;
        boolean gpu = sampling && ReadPaths.rendererImports(rendererFormats, buf.fourcc(), buf.modifier());
        boolean deviceFault = !r.ok() && r.rejection() == ImportRejection.INJECTED_FAULT;
        if (faults != null && (deviceFault || cpuRead.kernelRefused())) {
            // A refusal the buffer's own description did not make: a fault, named with what it cost.
            String what = deviceFault ? "import refused (" + r.detail() + ")" : "CPU mapping refused (" + cpuRead.why() + ")";
            faults.record(dev.ferry.compositor.stats.FaultLog.Kind.IMPORT_FAILED, main.info().name(), dev.ferry.posix.MonotonicClock.nowNs(),
                    "a client buffer's " + what + ": " + (cpu ? "the CPU reads it instead" : gpu ? "the renderer reads it"
                            : "the client was told its buffer cannot be used"), 0);
        }
        if (gpu || cpu) return new ImportVerdict(true, sampling, cpu, layout, null);
        return new ImportVerdict(false, sampling, false, layout, (deviceWhy != null ? deviceWhy : "the renderer cannot import it")
                + "; the CPU cannot read it either (" + cpuRead.why() + ")");
    }

    /** Whether the CPU path can read a buffer: why not (null: it can), and whether the kernel refused the mapping. */
    private record CpuRead(String why, boolean kernelRefused) {}

    private CpuRead cpuRead(DmaBuf buf, BufferIdentity id, long layout) {
        if (!ReadPaths.cpuMayMap(id)) return new CpuRead(id == null ? "not a fake dma-buf" : "protected memory", false);
        if (!ReadPaths.cpuReadsLayout(buf.fourcc(), layout)) {
            return new CpuRead("no CPU reader for " + dev.ferry.drm.uapi.Modifiers.name(layout), false);
        }
        if (!BufferParams.sealedAgainstShrinking(buf)) return new CpuRead("not sealed against shrinking", false);
        if (!BufferParams.samePlanesBuffer(buf, id)) return new CpuRead("planes of different buffers", false);
        try (CpuMapping m = devices.mapForCpu(buf)) {
            return new CpuRead(m.view().byteSize() > 0 ? null : "an empty mapping", false);
        } catch (PosixException | RuntimeException e) {
            return new CpuRead(e.getMessage(), true);
        }
    }

    DmaBufBuffer newBuffer(Resource r, DmaBuf buf, ImportVerdict v) {
        return new DmaBufBuffer(r, buf, v.readLayout(), v.sampling(), v.cpu(), fences);
    }

    /** Withdraws the global and frees the table, timers and fence waits. */
    @Override
    public void close() {
        display.removeGlobal(global);
        fences.close();
        feedbackTimer.close();
        table.close();
    }
}
