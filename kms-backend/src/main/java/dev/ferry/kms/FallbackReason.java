package dev.ferry.kms;

/**
 * Why a surface did not take a cheaper path in a frame. The split that matters for dma-buf
 * feedback (as Weston draws it): reasons a reallocation by the client could fix — a different
 * format, modifier or memory — earn the surface a scanout tranche; structural reasons (the
 * surface is not fullscreen, is occluded, translucent, transformed) take it away.
 */
public enum FallbackReason {
    // ---- structural: the client cannot fix these by allocating differently ----
    NOT_FULLSCREEN(false, "does not cover the output or a plane's area exactly"),
    OCCLUDED(false, "other surfaces cover part of it"),
    TRANSLUCENT(false, "has alpha and no opaque region covering it"),
    TRANSFORMED(false, "buffer transform the plane cannot apply"),
    SCALED(false, "viewport crop or scale the plane cannot apply"),
    SHM_BUFFER(false, "wl_shm buffer: KMS cannot scan out client shared memory"),
    TOO_BIG(false, "larger than the plane allows"),
    NO_FREE_PLANE(false, "every plane that could show it is taken"),
    SCANOUT_DISABLED(false, "direct scanout is switched off"),
    CURSOR_OR_SUBSURFACE(false, "part of a surface tree that needs composing"),
    // ---- fixable by reallocation ----
    FORMAT_NOT_ON_PLANE(true, "format not supported by any free plane"),
    MODIFIER_NOT_ON_PLANE(true, "modifier not supported by the plane with that format"),
    IMPLICIT_MODIFIER(true, "implicit (INVALID) modifier: the layout is unknown to KMS"),
    IMPORT_FAILED(true, "the display device rejected the buffer on import"),
    ADDFB_FAILED(true, "ADDFB2 rejected the buffer"),
    TEST_COMMIT_REJECTED(true, "the TEST_ONLY atomic commit failed"),
    MEMORY_NOT_SCANNABLE(true, "the display cannot scan out of the buffer's memory"),
    REJECTED_BEFORE(true, "KMS rejected this buffer before; not retried"),
    FLIP_FAILED(true, "a flip with this buffer failed; composed until the client attaches a new one"),
    // ---- composition misses ----
    RENDERER_IMPORT_FAILED(true, "the render device cannot import the buffer"),
    NO_RENDER_DEVICE(false, "no render device can reach this output"),
    CPU_UNREADABLE(false, "neither the GPU nor the CPU can read the buffer"),
    /**
     * This buffer could be GPU-composed, but another one on the same output could not, so the
     * whole frame went through the system-RAM copy. Not this client's to fix, and not its
     * cheapest path either.
     */
    FRAME_SHARED_WITH_CPU_COPY(false, "another buffer on the output forced the whole frame through a system-RAM copy"),
    /**
     * The GPU of the output's own device (which could compose it locally, with no copy) cannot
     * read this buffer; allocated where that GPU reaches, it could.
     */
    OUTPUT_GPU_UNREACHABLE(true, "the GPU of the output's device cannot read the buffer, so no single GPU composes the output"),
    // ---- timing ----
    FENCE_PENDING(false, "the buffer's fence had not signalled; the previous buffer is shown"),
    FENCE_TIMEOUT(false, "the buffer's fence did not signal before the deadline");

    private final boolean fixableByReallocation;
    private final String description;

    FallbackReason(boolean fixableByReallocation, String description) {
        this.fixableByReallocation = fixableByReallocation;
        this.description = description;
    }

    /** True when a differently allocated buffer could take the cheaper path. */
    public boolean fixableByReallocation() { return fixableByReallocation; }

    public String description() { return description; }

    /** The name used in statistics: lower case with dashes. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
