package dev.ferry.compositor.shm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WlShm;
import dev.ferry.protocol.interfaces.WlShmPool;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

/** The wl_shm global: advertises the formats the renderer samples and creates pools. */
public final class ShmGlobal implements WlShm.Requests {
    public static final int VERSION = 2;

    /** wl_shm format codes (0 and 1 are ARGB/XRGB8888, the rest are fourccs). */
    private final int[] formats;

    public ShmGlobal(Display display, int[] fourccs) {
        this.formats = new int[fourccs.length];
        for (int i = 0; i < fourccs.length; i++) formats[i] = Fourcc.toWlShm(fourccs[i]);
        display.addGlobal(WlShm.INTERFACE, VERSION, (client, version, id) -> {
            Resource r = client.createResource(id, WlShm.INTERFACE, version, this);
            for (int f : formats) WlShm.sendFormat(r, f);
        });
    }

    boolean supports(int wlShmFormat) {
        for (int f : formats) if (f == wlShmFormat) return true;
        return false;
    }

    static int bytesPerPixel(int wlShmFormat) {
        return Fourcc.bytesPerPixel(Fourcc.fromWlShm(wlShmFormat));
    }

    @Override
    public void createPool(Resource self, int id, OwnedFd fd, int size) {
        // The fd is ours from here: the pool takes it, or it is closed on the way out.
        if (size <= 0) {
            fd.close();
            throw new ProtocolException(self.id(), WlShm.ERROR_INVALID_STRIDE, "invalid pool size " + size);
        }
        ShmPool pool;
        try {
            pool = new ShmPool(this, fd, size);
        } catch (PosixException e) {
            fd.close();
            throw new ProtocolException(self.id(), WlShm.ERROR_INVALID_FD, "cannot use the pool's fd: " + e.getMessage());
        }
        self.client().createResource(id, WlShmPool.INTERFACE, self.version(), pool);
    }

    @Override
    public void release(Resource self) {
        // Destructor: the resource goes; pools and buffers made through it stay.
    }
}
