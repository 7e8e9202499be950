package dev.ferry.kms;

/**
 * Why a surface did not take a cheaper path in a frame. The split that matters for dma-buf
 * feedback (as Weston draws it): reasons a reallocation by the client could fix — a different
 * format, modifier or memory — earn the surface a scanout tranche; structural reasons (the
 * surface is not fullscreen, is occluded, translucent, transformed) take it away.
 */
public enum FallbackReason {
    // ---- the scene and the plane: the client cannot fix these by allocating differently ----
    NOT_FULLSCREEN(Category.STRUCTURAL, "does not cover the output or a plane's area exactly"),
    OCCLUDED(Category.STRUCTURAL, "other surfaces cover part of it"),
    TRANSLUCENT(Category.STRUCTURAL, "has alpha and no opaque region covering it"),
    TRANSFORMED(Category.STRUCTURAL, "buffer transform the plane cannot apply"),
    SCALED(Category.STRUCTURAL, "viewport crop or scale the plane cannot apply"),
    SHM_BUFFER(Category.STRUCTURAL, "wl_shm buffer that udmabuf cannot wrap as a dma-buf (write-sealed, not a memfd, too large)"),
    SHM_UNSEALED(Category.REALLOCATION, "wl_shm pool not sealed against shrinking: udmabuf cannot wrap it (the pages could vanish under the display)"),
    SHM_PAGES_PAST_POOL(Category.REALLOCATION, "a page holding the wl_shm buffer starts past the end of its pool file: udmabuf wraps whole pages of the file only"),
    TOO_BIG(Category.STRUCTURAL, "larger than the plane allows"),
    NO_FREE_PLANE(Category.HARDWARE, "every plane that could show it is taken"),
    SCANOUT_DISABLED(Category.STRUCTURAL, "direct scanout is switched off"),
    CURSOR_OR_SUBSURFACE(Category.STRUCTURAL, "part of a surface tree that needs composing"),
    /** Planes are for surfaces that keep changing: a static one stays composed rather than flip between the two. */
    NOT_UPDATING(Category.STRUCTURAL, "updates too rarely for a plane to pay (below the overlay rate threshold)"),
    // ---- nested: handing the client's buffer to the host compositor (host-passthrough) ----
    /** A host subsurface is not clipped by its parent: one reaching past the window would show outside it. */
    PAST_OUTPUT_EDGE(Category.STRUCTURAL, "reaches past the output's edge, where a host subsurface would show outside the window"),
    HOST_CANNOT_TAKE_BUFFER(Category.STRUCTURAL, "a kind of buffer Ferry cannot hand to the host compositor (single-pixel, or dma-buf to a host without linux-dmabuf)"),
    HOST_LACKS_FORMAT(Category.REALLOCATION, "the host compositor does not take this buffer's format (a dma-buf: format and modifier)"),
    /** The host's linux-dmabuf create is asynchronous: the frames until it answers are composed. */
    HOST_BUFFER_PENDING(Category.TIMING, "the host compositor has not yet answered the import of this dma-buf"),
    /** The host's params.failed: remembered for the buffer, never retried. */
    HOST_REFUSED_BUFFER(Category.REALLOCATION, "the host compositor refused this dma-buf on import (linux-dmabuf failed)"),
    HOST_SUBSURFACE_LIMIT(Category.HARDWARE, "every host subsurface Ferry uses on this output is taken"),
    // ---- KMS refused this buffer: a different allocation could pass ----
    FORMAT_NOT_ON_PLANE(Category.REALLOCATION, "format not supported by any free plane"),
    MODIFIER_NOT_ON_PLANE(Category.REALLOCATION, "modifier not supported by the plane with that format"),
    IMPLICIT_MODIFIER(Category.REALLOCATION, "implicit (INVALID) modifier: the layout is unknown to KMS"),
    IMPORT_FAILED(Category.REALLOCATION, "the display device rejected the buffer on import"),
    PITCH_NOT_ALIGNED(Category.REALLOCATION, "the pitch is not a multiple of what the display engine needs"),
    ADDFB_FAILED(Category.REALLOCATION, "ADDFB2 rejected the buffer"),
    TEST_COMMIT_REJECTED(Category.REALLOCATION, "the TEST_ONLY atomic commit failed"),
    MEMORY_NOT_SCANNABLE(Category.REALLOCATION, "the display cannot scan out of the buffer's memory"),
    REJECTED_BEFORE(Category.REALLOCATION, "KMS rejected this buffer before; not retried"),
    FLIP_FAILED(Category.FAULT, "a flip with this buffer failed; composed until the client attaches a new one"),
    // ---- composition misses ----
    RENDERER_IMPORT_FAILED(Category.REALLOCATION, "the render device cannot import the buffer"),
    NO_RENDER_DEVICE(Category.HARDWARE, "no render device can reach this output"),
    CPU_UNREADABLE(Category.HARDWARE, "neither the GPU nor the CPU can read the buffer"),
    /**
     * This buffer could be GPU-composed, but another one on the same output could not, so the
     * whole frame went through the system-RAM copy. Not this client's to fix, and not its
     * cheapest path either.
     */
    FRAME_SHARED_WITH_CPU_COPY(Category.STRUCTURAL, "another buffer on the output forced the whole frame through a system-RAM copy"),
    /**
     * The GPU of the output's own device (which could compose it locally, with no copy) cannot
     * read this buffer; allocated where that GPU reaches, it could.
     */
    OUTPUT_GPU_UNREACHABLE(Category.REALLOCATION, "the GPU of the output's device cannot read the buffer, so no single GPU composes the output"),
    // ---- timing ----
    FENCE_PENDING(Category.TIMING, "the buffer's fence had not signalled; the previous buffer is shown"),
    FENCE_TIMEOUT(Category.FAULT, "the buffer's fence did not signal before the deadline"),
    RENDERER_LOST(Category.FAULT, "the GPU renderer lost its device (a GPU reset); the output composes on the CPU from then on");

    /**
     * Who could make the cheaper path work: what a user reads first when asking "why not on the
     * fast path, and what would fix it?".
     */
    public enum Category {
        /** The client could fix it by allocating differently (format, modifier, memory, device). */
        REALLOCATION("fixable by reallocation"),
        /** The scene itself: what the client or user would change (fullscreen, no rotation, ...). */
        STRUCTURAL("structural"),
        /** The hardware cannot do it: no plane, no p2p, no render device. */
        HARDWARE("hardware"),
        /** Something failed (a flip, a fence that never signalled, an injected fault). */
        FAULT("fault"),
        /** Not yet: the buffer was not ready in time for this frame. */
        TIMING("timing");

        private final String label;

        Category(String label) { this.label = label; }

        public String label() { return label; }
    }

    private final Category category;
    private final String description;

    FallbackReason(Category category, String description) {
        this.category = category;
        this.description = description;
    }

    public Category category() { return category; }

    /**
     * True when a differently allocated buffer could take the cheaper path: such reasons earn a
     * surface a scanout tranche in its dma-buf feedback; every other category takes it away.
     * A failed flip counts too: the client's next buffer is tried again.
     */
    public boolean fixableByReallocation() { return category == Category.REALLOCATION || this == FLIP_FAILED; }

    public String description() { return description; }

    /**
     * How a refusal remembered for a buffer reads in the frames after it: a refused test commit or
     * flip is "not retried"; a refusal whose cause the buffer carries (its pitch, format, import)
     * keeps naming that cause, the one thing the client could change.
     */
    public FallbackReason remembered() {
        return this == TEST_COMMIT_REJECTED || this == FLIP_FAILED ? REJECTED_BEFORE : this;
    }

    /** The name used in statistics: lower case with dashes. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
