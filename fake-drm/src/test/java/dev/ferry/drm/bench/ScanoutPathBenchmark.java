package dev.ferry.drm.bench;

import dev.ferry.drm.AddFbResult;
import dev.ferry.drm.AtomicFlags;
import dev.ferry.drm.AtomicRequest;
import dev.ferry.drm.BufferHandle;
import dev.ferry.drm.Connector;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.FakeDevice;
import dev.ferry.drm.FakeKernel;
import dev.ferry.drm.FaultPlan;
import dev.ferry.drm.ImportPurpose;
import dev.ferry.drm.ImportResult;
import dev.ferry.drm.Usage;
import dev.ferry.drm.VirtualClock;
import dev.ferry.drm.topology.Topologies;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * The direct-scanout attempt the compositor makes in its frame loop: allocate a 1080p buffer,
 * import it for scanout, AddFB2, and a TEST_ONLY commit putting it on the primary plane of a lit
 * CRTC; then release everything. The import+AddFB+TEST_ONLY part alone is what a compositor pays
 * for a client buffer it has not seen before; the TEST_ONLY alone is what it pays every frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ScanoutPathBenchmark {
    private static final int W = 1920, H = 1080;
    private static final long[] MODS = {Modifiers.FAKE_TILED_4X4, Modifiers.LINEAR};

    private FakeKernel kernel;
    private FakeDevice dev;
    private DmaBuf litBuffer;
    private DmaBuf clientBuffer;
    private int litFb;
    private int crtc;
    private int primary;
    private final AtomicRequest request = new AtomicRequest();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        kernel = FakeKernel.open(Topologies.load("laptop-igpu"), new VirtualClock(), FaultPlan.none());
        dev = kernel.device("card0");
        crtc = dev.crtcs().get(0).id();
        primary = dev.planes().get(0).id();
        Connector edp = dev.connectors().get(0);
        litBuffer = dev.allocate(W, H, Fourcc.XRGB8888, MODS, Usage.SCANOUT | Usage.RENDERING);
        clientBuffer = dev.allocate(W, H, Fourcc.XRGB8888, MODS, Usage.SCANOUT | Usage.RENDERING);
        try (BufferHandle h = dev.importDmaBuf(litBuffer, ImportPurpose.SCANOUT).handle()) {
            litFb = dev.addFramebuffer(h).fbId();
        }
        request.clear().setCrtc(crtc, true, edp.preferredMode()).setConnector(edp.id(), crtc)
                .setPlane(primary, crtc, litFb, W, H, 0, 0);
        if (!dev.commit(request, AtomicFlags.ALLOW_MODESET, 0)) throw new IllegalStateException("" + request.rejection());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dev.removeFramebuffer(litFb);
        litBuffer.close();
        clientBuffer.close();
        kernel.close();
    }

    private boolean importAddFbTest(DmaBuf buf) {
        ImportResult r = dev.importDmaBuf(buf, ImportPurpose.SCANOUT);
        if (!r.ok()) throw new IllegalStateException(r.toString());
        boolean ok;
        try (BufferHandle h = r.handle()) {
            AddFbResult fb = dev.addFramebuffer(h);
            request.clear().setPlane(primary, crtc, fb.fbId(), W, H, 0, 0);
            ok = dev.commit(request, AtomicFlags.TEST_ONLY, 0);
            dev.removeFramebuffer(fb.fbId());
        }
        return ok;
    }

    /** Allocate + import + AddFB + TEST_ONLY, and the teardown of all four. */
    @Benchmark
    public boolean allocateImportAddFbTestOnly() throws Exception {
        try (DmaBuf buf = dev.allocate(W, H, Fourcc.XRGB8888, MODS, Usage.SCANOUT | Usage.RENDERING)) {
            return importAddFbTest(buf);
        }
    }

    /** Import + AddFB + TEST_ONLY of a buffer that already exists (a client's new buffer). */
    @Benchmark
    public boolean importAddFbTestOnly() {
        return importAddFbTest(clientBuffer);
    }

    /** TEST_ONLY alone, with the framebuffer already made: the per-frame cost. */
    @Benchmark
    public boolean testOnlyCommit() {
        request.clear().setPlane(primary, crtc, litFb, W, H, 0, 0);
        return dev.commit(request, AtomicFlags.TEST_ONLY, 0);
    }
}
