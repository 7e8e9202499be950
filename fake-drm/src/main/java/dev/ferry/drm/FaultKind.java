package dev.ferry.drm;

/** What fault injection can break. */
public enum FaultKind {
    /** A real (not TEST_ONLY) atomic commit fails. */
    COMMIT,
    /** An import is refused with {@link ImportRejection#INJECTED_FAULT}. */
    IMPORT,
    /** An allocation fails. */
    ALLOCATION,
    /** A render job's write fence never signals. */
    FENCE_NEVER_SIGNALS,
    /** The device is unplugged: its KMS objects vanish, fds stay valid. */
    UNPLUG,
    /** A page flip is accepted but never completes. */
    FLIP_NEVER_COMPLETES,
    /** A migration fails this time; a later try may work. */
    MIGRATION_TEMPORARY,
    /** A migration fails, and every later migration of the same buffer fails too. */
    MIGRATION_PERMANENT,
    /**
     * A TEST_ONLY commit is refused, as drivers refuse for limits no KMS property shows
     * (bandwidth, watermarks, scaler units); frames count the device's test commits. Last, so
     * the seeded streams of the kinds before it stay as they were.
     */
    TEST_COMMIT,
    /**
     * An unplugged device comes back (its KMS objects return, every CRTC off). Asked while the
     * device is gone, at each hotplug poll ({@link FakeKernel#pollHotplug}). This and the two
     * after it come last for the same reason as TEST_COMMIT.
     */
    REPLUG,
    /** A connector's monitor is unplugged (the cable pulled): targets a connector by name, asked at each hotplug poll. */
    DISCONNECT,
    /** A monitor is plugged into a connector (the cable pushed back in): targets a connector by name. */
    RECONNECT,
    /**
     * A CPU mapping (mmap) of a dma-buf is refused, as an exporter without mmap, or one whose vram
     * lies past a small BAR, refuses it: targets the buffer's exporter, asked at each
     * {@link FakeKernel#mapForCpu}. Last, for the same reason as TEST_COMMIT.
     */
    CPU_MAP
}
