package dev.ferry.compositor.dmabuf;

import dev.ferry.compositor.buffer.DmaBufBuffer;
import dev.ferry.drm.BufferIdentity;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.drm.uapi.PixelFormats;
import dev.ferry.posix.Memfd;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WlBuffer;
import dev.ferry.protocol.interfaces.ZwpLinuxBufferParamsV1;
import dev.ferry.protocol.server.Resource;

import static dev.ferry.protocol.interfaces.ZwpLinuxBufferParamsV1.*;

/**
 * One zwp_linux_buffer_params_v1: collects planes, validates the whole description at the
 * protocol edge (each failure its own error code, sizes in 64 bits), then asks the devices
 * whether the buffer can really be read before a wl_buffer exists.
 *
 * <p>Choices where the protocol leaves room, following Weston and wlroots: planes that disagree
 * on the modifier are {@code invalid_format} at {@code add} (a modifier is part of the format
 * description, and a buffer has one layout); flag bits outside the enum are
 * {@code invalid_format} too (no better code exists); the known flags (y_invert, interlaced,
 * bottom_first) are legal but Ferry's renderers cannot honour them, so such a buffer fails the
 * import test rather than being shown wrongly. Offsets and strides above 2^31-1 are
 * {@code out_of_bounds}: no fd Ferry can read is that large, and fake-drm keeps them as ints.
 *
 * <p>fds: every received fd is owned by this object until a DmaBuf adopts them; any error, a
 * second {@code add} to the same plane, {@code add} after use, or destruction closes them.
 */
final class BufferParams implements ZwpLinuxBufferParamsV1.Requests, Resource.DestroyListener {
    static final int MAX_PLANES = 4;
    private static final int KNOWN_FLAGS = FLAGS_Y_INVERT | FLAGS_INTERLACED | FLAGS_BOTTOM_FIRST;

    private final LinuxDmabufGlobal global;
    private final OwnedFd[] fds = new OwnedFd[MAX_PLANES];
    private final int[] offsets = new int[MAX_PLANES];
    private final int[] strides = new int[MAX_PLANES];
    private long modifier;
    private boolean used;

    BufferParams(LinuxDmabufGlobal global) {
        this.global = global;
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void add(Resource self, OwnedFd fd, int planeIdx, int offset, int stride, int modifierHi, int modifierLo) {
        long mod = ((long) modifierHi << 32) | Integer.toUnsignedLong(modifierLo);
        if (used) {
            fd.close();
            throw new ProtocolException(self.id(), ERROR_ALREADY_USED, "params already used to create a wl_buffer");
        }
        if (Integer.compareUnsigned(planeIdx, MAX_PLANES) >= 0) {
            fd.close();
            throw new ProtocolException(self.id(), ERROR_PLANE_IDX,
                    "plane index " + Integer.toUnsignedString(planeIdx) + " out of range (max " + (MAX_PLANES - 1) + ")");
        }
        if (fds[planeIdx] != null) {
            fd.close();
            throw new ProtocolException(self.id(), ERROR_PLANE_SET, "plane " + planeIdx + " already set");
        }
        boolean anySet = false;
        for (OwnedFd f : fds) anySet |= f != null;
        if (anySet && mod != modifier) {
            fd.close();
            throw new ProtocolException(self.id(), ERROR_INVALID_FORMAT, "plane " + planeIdx + " has modifier "
                    + Modifiers.name(mod) + ", other planes " + Modifiers.name(modifier) + ": all planes share one modifier");
        }
        modifier = mod;
        fds[planeIdx] = fd;
        offsets[planeIdx] = offset;
        strides[planeIdx] = stride;
    }

    @Override
    public void create(Resource self, int width, int height, int format, int flags) {
        DmaBuf buf = validate(self, width, height, format, flags);
        LinuxDmabufGlobal.ImportVerdict v = global.importTest(buf, flags);
        if (!v.ok()) {
            buf.close();
            ZwpLinuxBufferParamsV1.sendFailed(self);
            return;
        }
        Resource r = self.client().createServerResource(WlBuffer.INTERFACE, 1, null);
        r.setImplementation(global.newBuffer(r, buf, v));
        ZwpLinuxBufferParamsV1.sendCreated(self, r);
    }

    @Override
    public void createImmed(Resource self, int bufferId, int width, int height, int format, int flags) {
        DmaBuf buf = validate(self, width, height, format, flags);
        LinuxDmabufGlobal.ImportVerdict v = global.importTest(buf, flags);
        if (!v.ok()) {
            buf.close();
            throw new ProtocolException(self.id(), ERROR_INVALID_WL_BUFFER, "cannot use this dma-buf: " + v.why());
        }
        Resource r = self.client().createResource(bufferId, WlBuffer.INTERFACE, 1, null);
        r.setImplementation(global.newBuffer(r, buf, v));
    }

    /** Checks the whole description; returns a DmaBuf owning the fds, or throws (fds closed). */
    private DmaBuf validate(Resource self, int width, int height, int format, int flags) {
        if (used) throw new ProtocolException(self.id(), ERROR_ALREADY_USED, "params already used to create a wl_buffer");
        used = true;
        try {
            return check(self, width, height, format, flags);
        } catch (RuntimeException e) {
            closeFds();
            throw e;
        }
    }

    private DmaBuf check(Resource self, int width, int height, int format, int flags) {
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new ProtocolException(self.id(), ERROR_INVALID_FORMAT, "unknown flags 0x" + Integer.toHexString(flags));
        }
        int planes = 0;
        while (planes < MAX_PLANES && fds[planes] != null) planes++;
        for (int p = planes; p < MAX_PLANES; p++) {
            if (fds[p] != null) throw new ProtocolException(self.id(), ERROR_INCOMPLETE, "plane " + planes + " missing");
        }
        if (planes == 0) throw new ProtocolException(self.id(), ERROR_INCOMPLETE, "no planes");
        boolean known = PixelFormats.isSupported(format);
        if (known && planes != PixelFormats.planeCount(format)) {
            throw new ProtocolException(self.id(), ERROR_INCOMPLETE, Fourcc.name(format) + " needs "
                    + PixelFormats.planeCount(format) + " planes, got " + planes);
        }
        if (width <= 0 || height <= 0) {
            throw new ProtocolException(self.id(), ERROR_INVALID_DIMENSIONS, "invalid size " + width + "x" + height);
        }
        if (self.version() >= 4 && !global.table().contains(format, modifier)) {
            throw new ProtocolException(self.id(), ERROR_INVALID_FORMAT, "format " + Fourcc.name(format) + " with modifier "
                    + Modifiers.name(modifier) + " was never advertised");
        }
        for (int p = 0; p < planes; p++) {
            long offset = Integer.toUnsignedLong(offsets[p]);
            long stride = Integer.toUnsignedLong(strides[p]);
            if (offset > Integer.MAX_VALUE || stride > Integer.MAX_VALUE) {
                throw new ProtocolException(self.id(), ERROR_OUT_OF_BOUNDS, "plane " + p + " offset " + offset
                        + " or stride " + stride + " overflows");
            }
            long size;
            try {
                size = Memfd.size(fds[p]);
            } catch (PosixException e) {
                continue; // not a file with a size: the import test judges it
            }
            long rows = known ? PixelFormats.planeHeight(format, p, height) : height;
            long end = offset + stride * rows; // < 2^31 + 2^31 * 2^31: no overflow in 64 bits
            if (offset >= size || end > size) {
                throw new ProtocolException(self.id(), ERROR_OUT_OF_BOUNDS, "plane " + p + " ends at " + end
                        + " (offset " + offset + ", stride " + stride + ", " + rows + " rows) past the dma-buf's " + size + " bytes");
            }
        }
        OwnedFd[] taken = new OwnedFd[planes];
        int[] offs = new int[planes];
        int[] strs = new int[planes];
        for (int p = 0; p < planes; p++) {
            taken[p] = fds[p];
            offs[p] = offsets[p];
            strs[p] = strides[p];
        }
        DmaBuf buf = DmaBuf.adopt(width, height, format, modifier, taken, offs, strs);
        java.util.Arrays.fill(fds, null);
        return buf;
    }

    private void closeFds() {
        for (int p = 0; p < MAX_PLANES; p++) {
            if (fds[p] != null) {
                fds[p].close();
                fds[p] = null;
            }
        }
    }

    @Override
    public void destroyed(Resource resource) {
        closeFds();
    }

    static boolean sealedAgainstShrinking(DmaBuf buf) {
        for (int p = 0; p < buf.planeCount(); p++) {
            if ((Memfd.seals(buf.fd(p)) & Memfd.F_SEAL_SHRINK) == 0) return false;
        }
        return true;
    }

    static boolean samePlanesBuffer(DmaBuf buf, BufferIdentity id) {
        for (int p = 1; p < buf.planeCount(); p++) {
            BufferIdentity other = BufferIdentity.of(buf.fd(p));
            if (other == null || other.id() != id.id()) return false;
        }
        return true;
    }
}
