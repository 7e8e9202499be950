package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.Fds;
import dev.ferry.posix.MessageSocket;
import dev.ferry.posix.UnixSockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Runs in a child JVM for {@link CrossProcessTest}: allocates two buffers (one in the iGPU's
 * system memory, tiled and painted; one in the dGPU's vram), sends their fds and descriptions
 * over a Unix socket, waits for the parent's acknowledgement, exits.
 */
public final class ChildAllocator {
    static final int W = 64, H = 48;
    /** Per buffer: width, height, fourcc, offset, stride, modifier (8 bytes). */
    static final int MESSAGE = 5 * 4 + 8;

    public static void main(String[] args) throws Exception {
        try (FakeKernel k = FakeKernel.open("hybrid-laptop");
             MessageSocket socket = new MessageSocket(UnixSockets.connect(args[0]));
             DmaBuf sys = k.device("card0").allocate(W, H, Fourcc.XRGB8888, new long[] {Modifiers.FAKE_TILED_4X4},
                     Usage.RENDERING | Usage.CPU);
             DmaBuf vram = k.device("card1").allocate(W, H, Fourcc.XRGB8888, new long[] {Modifiers.LINEAR},
                     Usage.RENDERING | Usage.CPU);
             Arena arena = Arena.ofConfined()) {
            try (CpuMapping m = sys.map()) {
                m.beginCpuAccess(CpuMapping.WRITE);
                m.writeImage(Patterns.image(W, H, Fourcc.XRGB8888));
                m.endCpuAccess(CpuMapping.WRITE);
            }
            MemorySegment msg = arena.allocate(MESSAGE);
            for (DmaBuf b : new DmaBuf[] {sys, vram}) {
                msg.set(ValueLayout.JAVA_INT_UNALIGNED, 0, b.width());
                msg.set(ValueLayout.JAVA_INT_UNALIGNED, 4, b.height());
                msg.set(ValueLayout.JAVA_INT_UNALIGNED, 8, b.fourcc());
                msg.set(ValueLayout.JAVA_INT_UNALIGNED, 12, b.offset(0));
                msg.set(ValueLayout.JAVA_INT_UNALIGNED, 16, b.stride(0));
                msg.set(ValueLayout.JAVA_LONG_UNALIGNED, 20, b.modifier());
                long sent;
                while ((sent = socket.send(msg, 0, MESSAGE, new int[] {b.fd(0).fd()}, 1)) < 0) {
                    Fds.poll(socket.fd().fd(), Fds.POLLOUT, 1000);
                }
                if (sent != MESSAGE) throw new IllegalStateException("short send " + sent);
            }
            // Wait for the parent to have imported before the buffers' last local owner goes away.
            Fds.poll(socket.fd().fd(), Fds.POLLIN, 20_000);
        }
    }
}
