/**
 * fake-drm's public API: a simulated DRM/KMS and dma-buf kernel that follows the real rules.
 *
 * <h2>Entry points</h2>
 * <ul>
 * <li>{@link dev.ferry.drm.FakeKernel#open(String)}: the devices of a topology preset or file
 *     ({@link dev.ferry.drm.topology.Topologies}), on a {@link dev.ferry.drm.KernelClock} (the real
 *     monotonic clock, or a {@link dev.ferry.drm.VirtualClock} in tests), with a
 *     {@link dev.ferry.drm.FaultPlan}.
 * <li>{@link dev.ferry.drm.DrmDevice} (drm-api, like every type the compositor may see; these
 *     packages span both modules): what the KMS backend programs against (import, ADDFB2,
 *     atomic commit, page-flip events on a pollable fd). {@link dev.ferry.drm.FakeDevice} implements
 *     it (its allocator and CRTC read-back through drm-api too) and adds what only a simulation can: fake GPU
 *     jobs with implicit fences, migration, unplug.
 * <li>{@link dev.ferry.drm.Syncobjs} ({@code FakeDevice.syncobjs()}): binary and timeline DRM syncobjs
 *     with the kernel's operations, shared across processes through their fds, eventfd
 *     notification, fake GPU jobs on points, and deadline hints that hurry a job down to its
 *     fastest time ({@link dev.ferry.drm.SyncobjRejection} names each refusal).
 * <li>{@link dev.ferry.drm.DmaBuf}: a buffer as userspace describes it (per-plane fd, offset,
 *     stride, one modifier); {@link dev.ferry.drm.CpuMapping} maps it with begin/end brackets.
 * </ul>
 *
 * <h2>Ownership, written once</h2>
 * <ul>
 * <li>A {@code DmaBuf} owns one fd per plane and closes them; {@code dup()} hands a copy on.
 *     Importing never takes the caller's fds: the device keeps its own duplicates.
 * <li>A {@link dev.ferry.drm.BufferHandle} is owned by whoever imported it and closed once. A
 *     framebuffer holds its own reference to the memory, so the handle may be closed right after
 *     ADDFB2; {@code removeFramebuffer} drops that reference (and turns off a plane still showing it).
 * <li>{@link dev.ferry.drm.SyncFile}s are owned by the caller; a device's event fd by the device.
 * <li>After unplug a device refuses everything with a DEVICE_GONE reason but still accepts
 *     releases, and every buffer fd stays valid.
 * </ul>
 *
 * <h2>The rules it enforces</h2>
 * Import: {@link dev.ferry.drm.ImportRejection} (in the order checked). Commits:
 * {@link dev.ferry.drm.CommitRejection}. ADDFB2: {@link dev.ferry.drm.AddFbRejection}. Allocation:
 * {@link dev.ferry.drm.AllocationFailure}. Coherency: CPU-cached memory (system, cma) has a
 * device-visible copy that only an end-of-CPU-access bracket updates; devices that do not snoop read
 * that copy, so unbracketed writes show stale pixels. Flips take effect at the first vblank after
 * the commit at which every shown buffer's implicit write fence has signalled.
 */
package dev.ferry.drm;
