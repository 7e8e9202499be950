package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The import rules alone: each refusal by its condition, beside a twin that differs only there and passes. */
@ExtendWith(NoFdLeaks.class)
class ImportRulesTest {
    private static final int W = 32, H = 32;
    private DeviceParts parts;

    @BeforeEach
    void open() {
        parts = new DeviceParts();
    }

    @AfterEach
    void close() {
        parts.close();
    }

    private DmaBuf buffer(int fourcc, long modifier) throws AllocationException {
        return parts.card0.allocate(W, H, fourcc, new long[] {modifier}, Usage.SCANOUT | Usage.CPU, MemoryDomain.SYSTEM);
    }

    private static ImportRejection rejection(ImportResult r) {
        return r == null ? null : r.rejection();
    }

    @Test
    void memoryTheDeviceDoesNotReachIsRefused() throws Exception {
        FormatTable xrgb = DeviceParts.table(Fourcc.XRGB8888, Modifiers.LINEAR);
        boolean[] all = DeviceParts.domains(MemoryDomain.SYSTEM, MemoryDomain.SYSTEM_UNCACHED);
        ImportRules reaching = parts.rules(parts.card0, all, all, xrgb, xrgb);
        ImportRules notReaching = parts.rules(parts.card0, DeviceParts.domains(MemoryDomain.SYSTEM_UNCACHED), all, xrgb, xrgb);
        try (DmaBuf b = buffer(Fourcc.XRGB8888, Modifiers.LINEAR)) {
            assertNull(reaching.check(b, ImportPurpose.SAMPLING));
            assertEquals(ImportRejection.MEMORY_UNREACHABLE, rejection(notReaching.check(b, ImportPurpose.SAMPLING)));
        }
    }

    @Test
    void scanoutNeedsADomainTheDisplayEngineScansOutOf() throws Exception {
        FormatTable xrgb = DeviceParts.table(Fourcc.XRGB8888, Modifiers.LINEAR);
        boolean[] all = DeviceParts.domains(MemoryDomain.SYSTEM, MemoryDomain.SYSTEM_UNCACHED);
        ImportRules scans = parts.rules(parts.card0, all, all, xrgb, xrgb);
        ImportRules scansUncachedOnly = parts.rules(parts.card0, all, DeviceParts.domains(MemoryDomain.SYSTEM_UNCACHED), xrgb, xrgb);
        try (DmaBuf b = buffer(Fourcc.XRGB8888, Modifiers.LINEAR)) {
            assertNull(scans.check(b, ImportPurpose.SCANOUT));
            assertEquals(ImportRejection.NOT_SCANOUT_MEMORY, rejection(scansUncachedOnly.check(b, ImportPurpose.SCANOUT)));
            assertNull(scansUncachedOnly.check(b, ImportPurpose.SAMPLING), "sampling does not ask where it scans out");
        }
    }

    @Test
    void formatThenModifierAgainstThePurposesTable() throws Exception {
        boolean[] all = DeviceParts.domains(MemoryDomain.SYSTEM, MemoryDomain.SYSTEM_UNCACHED);
        ImportRules rules = parts.rules(parts.card0, all, all, DeviceParts.table(Fourcc.XRGB8888, Modifiers.LINEAR), FormatTable.EMPTY);
        try (DmaBuf linear = buffer(Fourcc.XRGB8888, Modifiers.LINEAR);
             DmaBuf tiled = buffer(Fourcc.XRGB8888, Modifiers.FAKE_TILED_4X4);
             DmaBuf argb = buffer(Fourcc.ARGB8888, Modifiers.LINEAR)) {
            assertNull(rules.check(linear, ImportPurpose.SAMPLING));
            assertEquals(ImportRejection.MODIFIER, rejection(rules.check(tiled, ImportPurpose.SAMPLING)));
            assertEquals(ImportRejection.FORMAT, rejection(rules.check(argb, ImportPurpose.SAMPLING)));
            assertEquals(ImportRejection.FORMAT, rejection(rules.check(linear, ImportPurpose.SCANOUT)), "the scanout table is empty");
        }
    }

    @Test
    void theLayoutCheckNamesStrideSizeAndBounds() {
        ImportRules rules = parts.rules(parts.card0);
        int stride = W * 4; // card0 aligns pitches to 16
        long size = (long) stride * H;
        assertNull(rules.checkLayout(W, H, Fourcc.XRGB8888, Modifiers.LINEAR, 1, new int[] {0}, new int[] {stride}, size));
        assertEquals(LayoutProblem.Kind.STRIDE, rules.checkLayout(W, H, Fourcc.XRGB8888, Modifiers.LINEAR, 1,
                new int[] {0}, new int[] {stride + 8}, size * 2).kind());
        assertEquals(LayoutProblem.Kind.OUT_OF_BOUNDS, rules.checkLayout(W, H, Fourcc.XRGB8888, Modifiers.LINEAR, 1,
                new int[] {1}, new int[] {stride}, size).kind());
        assertEquals(LayoutProblem.Kind.BAD_PLANES, rules.checkLayout(W, H, Fourcc.NV12, Modifiers.LINEAR, 1,
                new int[] {0}, new int[] {stride}, size).kind());
        int max = parts.card0.spec().maxWidth();
        assertNull(rules.checkLayout(max, 1, Fourcc.XRGB8888, Modifiers.LINEAR, 1, new int[] {0}, new int[] {max * 4}, max * 4L));
        assertEquals(LayoutProblem.Kind.SIZE, rules.checkLayout(max + 1, 1, Fourcc.XRGB8888, Modifiers.LINEAR, 1,
                new int[] {0}, new int[] {(max + 1) * 4 + 12}, (max + 2) * 4L).kind());
    }

    @Test
    void anImplicitModifierMeansTheDriversLayoutToItsOwnDriverOnly() throws Exception {
        try (DmaBuf implicit = parts.card0.allocate(W, H, Fourcc.XRGB8888, null, Usage.RENDERING)) {
            long chosen = implicit.identity().layout();
            assertEquals(Modifiers.FAKE_TILED_16X16_COLUMN, chosen);
            assertEquals(chosen, parts.rules(parts.card0).layoutFor(Modifiers.INVALID, implicit.identity()), "same driver: alpha");
            assertEquals(Modifiers.LINEAR, parts.rules(parts.card1).layoutFor(Modifiers.INVALID, implicit.identity()),
                    "another driver (beta) assumes LINEAR");
            assertEquals(Modifiers.FAKE_TILED_4X4, parts.rules(parts.card1).layoutFor(Modifiers.FAKE_TILED_4X4, implicit.identity()));
        }
    }
}
