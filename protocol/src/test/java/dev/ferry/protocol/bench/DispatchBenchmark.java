package dev.ferry.protocol.bench;

import dev.ferry.posix.MessageSocket;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.UnixSockets;
import dev.ferry.protocol.Bytes;
import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.interfaces.WlCallback;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.loop.EventLoop;
import dev.ferry.protocol.server.Client;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The server's request path as it runs for real: bytes written by a raw client socket, read by
 * the event loop (epoll, recvmsg into the Connection), validated, decoded by the generated
 * dispatcher and handed to a no-op wl_surface handler. And the event path: wl_callback.done
 * encoded into a client's output and flushed. Run with {@code -prof gc}: gc.alloc.rate.norm
 * must be ~0 B/op.
 *
 * <pre>bench/jmh protocol DispatchBenchmark -f 1 -wi 3 -i 5 -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DispatchBenchmark {
    private static final int SURFACE = 3;
    private static final int BUFFER = 4;
    private static final int FRAMES_PER_BATCH = 64;

    /** Counts what arrived so the work cannot be optimised away and can be checked. */
    static final class NoOpSurface implements WlSurface.Requests {
        long attaches;
        long damage;
        long commits;

        @Override public void destroy(Resource self) { }
        @Override public void attach(Resource self, Resource buffer, int x, int y) { attaches += x + 1; }
        @Override public void damage(Resource self, int x, int y, int width, int height) { damage += width; }
        @Override public void frame(Resource self, int callback) { }
        @Override public void setOpaqueRegion(Resource self, Resource region) { }
        @Override public void setInputRegion(Resource self, Resource region) { }
        @Override public void commit(Resource self) { commits++; }
        @Override public void setBufferTransform(Resource self, int transform) { }
        @Override public void setBufferScale(Resource self, int scale) { }
        @Override public void damageBuffer(Resource self, int x, int y, int width, int height) { damage += width; }
        @Override public void offset(Resource self, int x, int y) { }
    }

    private Arena arena;
    private EventLoop loop;
    private Display display;
    private Client client;
    private MessageSocket peer;
    private final NoOpSurface surface = new NoOpSurface();
    private Resource callback;
    private MemorySegment frame;
    private MemorySegment batch;
    private MemorySegment drain;
    private int serial;
    private final int[] noFds = new int[0];

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        arena = Arena.ofShared();
        loop = new EventLoop();
        display = new Display(loop);
        OwnedFd[] pair = UnixSockets.pair();
        UnixSockets.setSendBuffer(pair[1], 1 << 20);
        client = display.addClient(pair[0]);
        peer = new MessageSocket(pair[1]);
        client.createResource(SURFACE, WlSurface.INTERFACE, 6, surface);
        client.createResource(BUFFER, WlBuffer.INTERFACE, 1, null);
        callback = client.createServerResource(WlCallback.INTERFACE, 1, null);

        byte[] oneFrame = Bytes.concat(
                Bytes.message(SURFACE, WlSurface.REQUEST_ATTACH).word(BUFFER).word(0).word(0).build(),
                Bytes.message(SURFACE, WlSurface.REQUEST_DAMAGE_BUFFER).word(0).word(0).word(256).word(256).build(),
                Bytes.message(SURFACE, WlSurface.REQUEST_COMMIT).build());
        frame = segment(oneFrame);
        byte[][] frames = new byte[FRAMES_PER_BATCH][];
        java.util.Arrays.fill(frames, oneFrame);
        batch = segment(Bytes.concat(frames));
        drain = arena.allocate(1 << 20);

        // Sanity: the path really dispatches.
        oneFrame();
        if (surface.commits != 1 || client.disconnected()) throw new IllegalStateException("frame not dispatched");
    }

    private MemorySegment segment(byte[] b) {
        MemorySegment s = arena.allocate(b.length, 8);
        MemorySegment.copy(b, 0, s, JAVA_BYTE, 0, b.length);
        return s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (client.disconnected()) throw new IllegalStateException("client was dropped: " + client.disconnectReason());
        peer.close();
        display.close();
        loop.close();
        arena.close();
    }

    /** One frame's requests (attach, damage_buffer, commit) written, read, validated, dispatched. */
    @Benchmark
    public long oneFrame() throws Exception {
        peer.send(frame, 0, frame.byteSize(), noFds, 0);
        loop.dispatch(0);
        return surface.commits;
    }

    /** 64 frames (192 messages) per read: the per-message cost of decode and dispatch. */
    @Benchmark
    @OperationsPerInvocation(3 * FRAMES_PER_BATCH)
    public long perMessageInBatches() throws Exception {
        peer.send(batch, 0, batch.byteSize(), noFds, 0);
        loop.dispatch(0);
        return surface.commits;
    }

    /** wl_callback.done encoded into the output buffer; flushed and drained every 4096 events. */
    @Benchmark
    public int callbackDoneEncode() throws Exception {
        WlCallback.sendDone(callback, ++serial);
        if ((serial & 4095) == 0) {
            display.flushClients();
            while (peer.receive(drain, 0, drain.byteSize(), fd -> { }) > 0) { }
        }
        return serial;
    }
}
