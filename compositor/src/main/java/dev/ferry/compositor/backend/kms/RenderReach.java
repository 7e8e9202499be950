package dev.ferry.compositor.backend.kms;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.drm.BufferIdentity;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.DrmDevice;
import dev.ferry.drm.ImportPurpose;
import dev.ferry.drm.ImportResult;

import java.util.HashMap;
import java.util.Map;

/**
 * Whether the render device can sample a client buffer (fake-drm's import rules decide: another
 * device's vram without p2p, protected memory, a format it cannot sample) and whether the CPU
 * can read it. Answers are cached per buffer: they do not change while the buffer lives.
 */
final class RenderReach {
    private final DrmDevice renderDevice;
    private final Map<Long, Boolean> gpu = new HashMap<>();

    RenderReach(DrmDevice renderDevice) {
        this.renderDevice = renderDevice;
    }

    DrmDevice renderDevice() { return renderDevice; }

    boolean gpuCanRead(ClientBuffer b) {
        DmaBuf buf = b.dmaBuf();
        if (buf == null) return renderDevice != null; // shm: uploaded from client memory
        if (renderDevice == null) return false;
        BufferIdentity id = buf.identity();
        if (id == null) return false;
        return gpu.computeIfAbsent(id.id(), k -> {
            ImportResult r = renderDevice.importDmaBuf(buf, ImportPurpose.SAMPLING);
            if (r.ok()) r.handle().close();
            return r.ok();
        });
    }

    boolean cpuCanRead(ClientBuffer b) {
        return b.pixels() != null;
    }

    void forget(ClientBuffer b) {
        DmaBuf buf = b.dmaBuf();
        if (buf != null && buf.identity() != null) gpu.remove(buf.identity().id());
    }
}
