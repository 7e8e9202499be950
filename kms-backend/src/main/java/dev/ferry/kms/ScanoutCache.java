package dev.ferry.kms;

import dev.ferry.drm.AddFbResult;
import dev.ferry.drm.BufferHandle;
import dev.ferry.drm.BufferIdentity;
import dev.ferry.drm.DmaBuf;
import dev.ferry.drm.DrmDevice;
import dev.ferry.drm.ImportPurpose;
import dev.ferry.drm.ImportRejection;
import dev.ferry.drm.ImportResult;

import java.util.HashMap;
import java.util.Map;

/**
 * Client buffers as framebuffers of one display device (one per output): imported and added
 * once, reused every frame they are shown, and a buffer the device refused is remembered with
 * its reason and not tried again (as Weston does), until the client destroys it. A framebuffer
 * that passed a TEST_ONLY commit on the output's pipe is remembered too: the pipe's only
 * variable is the framebuffer, so the answer cannot change, and a client cycling through its
 * three or four buffers costs one atomic commit per frame instead of two. Should a flip of it
 * fail anyway, the flip's own failure path rejects it.
 */
public final class ScanoutCache implements AutoCloseable {
    /** A framebuffer id, or why there is none. */
    public record Entry(int fbId, FallbackReason reason, String detail, boolean tested) {
        public boolean ok() { return fbId != 0; }
    }

    private final DrmDevice device;
    private final Map<Long, Entry> entries = new HashMap<>();

    public ScanoutCache(DrmDevice device) {
        this.device = device;
    }

    /** Told of an import the device refused by fault, not by its rules (the buffer is composited instead). */
    @FunctionalInterface
    public interface ImportFaults {
        void refused(DmaBuf buf, String detail);
    }

    private ImportFaults importFaults = (buf, detail) -> { };

    public void onImportFault(ImportFaults listener) {
        importFaults = listener;
    }

    public DrmDevice device() { return device; }

    /** The framebuffer for buf on this device, importing it on first sight. */
    public Entry framebuffer(DmaBuf buf) {
        BufferIdentity id = buf.identity();
        if (id == null) return new Entry(0, FallbackReason.IMPORT_FAILED, "not a fake-drm dma-buf", false);
        Entry e = entries.get(id.id());
        if (e != null) return e;
        ImportResult imported = device.importDmaBuf(buf, ImportPurpose.SCANOUT);
        if (!imported.ok()) {
            FallbackReason r = switch (imported.rejection()) {
                case NOT_SCANOUT_MEMORY, MEMORY_UNREACHABLE, CPU_WRITES_UNBRACKETED -> FallbackReason.MEMORY_NOT_SCANNABLE;
                case STRIDE -> FallbackReason.PITCH_NOT_ALIGNED;
                default -> FallbackReason.IMPORT_FAILED;
            };
            e = new Entry(0, r, imported.rejection() + ": " + imported.detail(), false);
            if (imported.rejection() == dev.ferry.drm.ImportRejection.INJECTED_FAULT) importFaults.refused(buf, imported.detail());
        } else {
            try (BufferHandle h = imported.handle()) {
                AddFbResult fb = device.addFramebuffer(h);
                e = fb.ok() ? new Entry(fb.fbId(), null, null, false)
                        : new Entry(0, FallbackReason.ADDFB_FAILED, fb.rejection() + ": " + fb.detail(), false);
            }
        }
        entries.put(id.id(), e);
        return e;
    }

    /** Remembers that this buffer's framebuffer passed a TEST_ONLY commit on the output's pipe. */
    public void tested(DmaBuf buf) {
        BufferIdentity id = buf.identity();
        Entry e = id == null ? null : entries.get(id.id());
        if (e != null && e.ok() && !e.tested()) entries.put(id.id(), new Entry(e.fbId(), null, null, true));
    }

    /** Remembers that KMS refused this buffer's framebuffer (a test commit or a flip failed). */
    public void reject(DmaBuf buf, FallbackReason reason, String detail) {
        BufferIdentity id = buf.identity();
        if (id == null) return;
        Entry old = entries.put(id.id(), new Entry(0, reason, detail, false));
        if (old != null && old.ok()) device.removeFramebuffer(old.fbId());
    }

    /** The client destroyed the buffer: drop its framebuffer (a plane showing it turns off). */
    public void forget(DmaBuf buf) {
        BufferIdentity id = buf.identity();
        if (id == null) return;
        Entry old = entries.remove(id.id());
        if (old != null && old.ok()) device.removeFramebuffer(old.fbId());
    }

    public int size() { return entries.size(); }

    @Override
    public void close() {
        for (Entry e : entries.values()) if (e.ok()) device.removeFramebuffer(e.fbId());
        entries.clear();
    }
}
