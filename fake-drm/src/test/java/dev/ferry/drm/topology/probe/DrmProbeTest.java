package dev.ferry.drm.topology.probe;

import dev.ferry.drm.topology.ConnectorSpec;
import dev.ferry.drm.topology.DeviceSpec;
import dev.ferry.drm.topology.ModeSpec;
import dev.ferry.drm.topology.PlaneSpec;
import dev.ferry.drm.topology.dump.DrmInfoDump;
import dev.ferry.drm.topology.dump.DumpFormatException;
import dev.ferry.drm.topology.dump.DumpImporter;
import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.posix.Errno;
import dev.ferry.posix.PosixException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe against recorded ioctl answers: a small i915-like card (one eDP connector with two
 * modes, one encoder, two CRTCs, a primary plane with an IN_FORMATS blob laid out as the kernel
 * lays out struct drm_format_modifier_blob, and a cursor plane), answered the way the kernel
 * answers: counts on the first call, arrays through the caller's pointers on the second.
 */
class DrmProbeTest {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final long X_TILED = 0x0100000000000001L;
    private static final int[] BLOB_FORMATS = {Fourcc.XRGB8888, Fourcc.ARGB8888, Fourcc.NV12};

    /** IN_FORMATS as the kernel builds it: header, u32 formats, then 8-aligned drm_format_modifier entries. */
    static MemorySegment inFormatsBlob(Arena arena) {
        int formatsOffset = 24;
        int modifiersOffset = (formatsOffset + BLOB_FORMATS.length * 4 + 7) & ~7;
        MemorySegment b = arena.allocate(modifiersOffset + 2 * 24, 8);
        b.set(U32, 0, 1);
        b.set(U32, 4, 0);
        b.set(U32, 8, BLOB_FORMATS.length);
        b.set(U32, 12, formatsOffset);
        b.set(U32, 16, 2);
        b.set(U32, 20, modifiersOffset);
        for (int i = 0; i < BLOB_FORMATS.length; i++) b.set(U32, formatsOffset + 4L * i, BLOB_FORMATS[i]);
        // X_TILED: XRGB8888 and ARGB8888; LINEAR: all three.
        b.set(U64, modifiersOffset, 0b011L);
        b.set(U32, modifiersOffset + 8, 0);
        b.set(U64, modifiersOffset + 16, X_TILED);
        b.set(U64, modifiersOffset + 24, 0b111L);
        b.set(U32, modifiersOffset + 32, 0);
        b.set(U64, modifiersOffset + 40, Modifiers.LINEAR);
        return b;
    }

    /** The recorded device. */
    static final class RecordedCard implements DrmChannel {
        final Arena arena = Arena.ofShared();
        final MemorySegment blob = inFormatsBlob(arena);
        /** GET_CAP answers by capability; one not here is EINVAL, as from a kernel that does not know it. */
        final Map<Long, Long> caps = new java.util.HashMap<>(Map.of(DrmUapi.Cap.DRM_CAP_DUMB_BUFFER, 1L,
                DrmUapi.Cap.DRM_CAP_PRIME, 3L, DrmUapi.Cap.DRM_CAP_ADDFB2_MODIFIERS, 1L,
                DrmUapi.Cap.DRM_CAP_CURSOR_WIDTH, 64L, DrmUapi.Cap.DRM_CAP_CURSOR_HEIGHT, 128L));
        int calls;

        private static MemorySegment at(long address, long size) {
            return MemorySegment.ofAddress(address).reinterpret(size);
        }

        private static void ids(MemorySegment arg, int ptrOffset, int countOffset, int... ids) {
            int room = arg.get(U32, countOffset);
            long ptr = arg.get(U64, ptrOffset);
            if (ptr != 0) for (int i = 0; i < Math.min(room, ids.length); i++) at(ptr, 4L * ids.length).setAtIndex(ValueLayout.JAVA_INT, i, ids[i]);
            arg.set(U32, countOffset, ids.length);
        }

        private static void mode(MemorySegment m, int w, int h, int htotal, int vtotal, int clock, boolean preferred) {
            m.set(U32, 0, clock);
            m.set(ValueLayout.JAVA_SHORT_UNALIGNED, 4, (short) w);
            m.set(ValueLayout.JAVA_SHORT_UNALIGNED, 10, (short) htotal);
            m.set(ValueLayout.JAVA_SHORT_UNALIGNED, 14, (short) h);
            m.set(ValueLayout.JAVA_SHORT_UNALIGNED, 20, (short) vtotal);
            m.set(U32, 32, preferred ? (1 << 3) | (1 << 6) : 1 << 6);
        }

        @Override
        public void ioctl(long request, MemorySegment arg) throws PosixException {
            calls++;
            if (request == DrmUapi.Version.IOCTL) {
                byte[] name = "i915".getBytes(StandardCharsets.US_ASCII);
                long room = arg.get(U64, DrmUapi.Version.NAME_LEN), ptr = arg.get(U64, DrmUapi.Version.NAME);
                if (ptr != 0) MemorySegment.copy(MemorySegment.ofArray(name), 0, at(ptr, room), 0, Math.min(room, name.length));
                arg.set(U64, DrmUapi.Version.NAME_LEN, name.length);
                arg.set(U32, DrmUapi.Version.MAJOR, 1);
            } else if (request == DrmUapi.Cap.GET_CAP) {
                Long v = caps.get(arg.get(U64, DrmUapi.Cap.CAPABILITY));
                if (v == null) throw new PosixException("GET_CAP", Errno.EINVAL);
                arg.set(U64, DrmUapi.Cap.VALUE, v);
            } else if (request == DrmUapi.Cap.SET_CLIENT_CAP) {
                if (arg.get(U64, 0) != DrmUapi.Cap.DRM_CLIENT_CAP_UNIVERSAL_PLANES) throw new PosixException("SET_CLIENT_CAP", Errno.EINVAL);
            } else if (request == DrmUapi.CardRes.IOCTL) {
                ids(arg, DrmUapi.CardRes.CRTC_ID_PTR, DrmUapi.CardRes.COUNT_CRTCS, 51, 52);
                ids(arg, DrmUapi.CardRes.CONNECTOR_ID_PTR, DrmUapi.CardRes.COUNT_CONNECTORS, 201);
                ids(arg, DrmUapi.CardRes.ENCODER_ID_PTR, DrmUapi.CardRes.COUNT_ENCODERS, 101);
                arg.set(U32, DrmUapi.CardRes.MAX_WIDTH, 8192);
                arg.set(U32, DrmUapi.CardRes.MAX_HEIGHT, 8192);
            } else if (request == DrmUapi.GetEncoder.IOCTL) {
                arg.set(U32, DrmUapi.GetEncoder.POSSIBLE_CRTCS, 0b11);
            } else if (request == DrmUapi.GetConnector.IOCTL) {
                int room = arg.get(U32, DrmUapi.GetConnector.COUNT_MODES);
                long modes = arg.get(U64, DrmUapi.GetConnector.MODES_PTR);
                if (modes != 0 && room >= 2) {
                    MemorySegment m = at(modes, 2L * DrmUapi.ModeInfo.SIZE);
                    mode(m.asSlice(0, 68), 1280, 720, 1650, 750, 74250, false);
                    mode(m.asSlice(68, 68), 1920, 1080, 2200, 1125, 148500, true);
                }
                arg.set(U32, DrmUapi.GetConnector.COUNT_MODES, 2);
                ids(arg, DrmUapi.GetConnector.ENCODERS_PTR, DrmUapi.GetConnector.COUNT_ENCODERS, 101);
                arg.set(U32, DrmUapi.GetConnector.CONNECTOR_TYPE, 14);
                arg.set(U32, DrmUapi.GetConnector.CONNECTION, 1);
            } else if (request == DrmUapi.PlaneRes.IOCTL) {
                ids(arg, DrmUapi.PlaneRes.PLANE_ID_PTR, DrmUapi.PlaneRes.COUNT_PLANES, 31, 32);
            } else if (request == DrmUapi.GetPlane.IOCTL) {
                boolean primary = arg.get(U32, DrmUapi.GetPlane.PLANE_ID) == 31;
                arg.set(U32, DrmUapi.GetPlane.POSSIBLE_CRTCS, 0b01);
                if (primary) ids(arg, DrmUapi.GetPlane.FORMAT_TYPE_PTR, DrmUapi.GetPlane.COUNT_FORMAT_TYPES, BLOB_FORMATS);
                else ids(arg, DrmUapi.GetPlane.FORMAT_TYPE_PTR, DrmUapi.GetPlane.COUNT_FORMAT_TYPES, Fourcc.ARGB8888);
            } else if (request == DrmUapi.ObjGetProperties.IOCTL) {
                boolean primary = arg.get(U32, DrmUapi.ObjGetProperties.OBJ_ID) == 31;
                assertEquals(DrmUapi.ObjGetProperties.OBJECT_PLANE, arg.get(U32, DrmUapi.ObjGetProperties.OBJ_TYPE));
                int[] props = primary ? new int[] {1, 2, 3} : new int[] {1};
                long[] values = primary ? new long[] {1, 0, 77} : new long[] {2};
                long vptr = arg.get(U64, DrmUapi.ObjGetProperties.PROP_VALUES_PTR);
                if (vptr != 0) for (int i = 0; i < values.length; i++) at(vptr, 8L * values.length).setAtIndex(ValueLayout.JAVA_LONG, i, values[i]);
                ids(arg, DrmUapi.ObjGetProperties.PROPS_PTR, DrmUapi.ObjGetProperties.COUNT_PROPS, props);
            } else if (request == DrmUapi.GetProperty.IOCTL) {
                String name = switch (arg.get(U32, DrmUapi.GetProperty.PROP_ID)) {
                    case 1 -> "type";
                    case 2 -> "zpos";
                    default -> "IN_FORMATS";
                };
                byte[] b = name.getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(MemorySegment.ofArray(b), 0, arg, DrmUapi.GetProperty.NAME, b.length);
            } else if (request == DrmUapi.GetBlob.IOCTL) {
                assertEquals(77, arg.get(U32, DrmUapi.GetBlob.BLOB_ID));
                long ptr = arg.get(U64, DrmUapi.GetBlob.DATA);
                if (ptr != 0) MemorySegment.copy(blob, 0, at(ptr, blob.byteSize()), 0, Math.min(arg.get(U32, DrmUapi.GetBlob.LENGTH), blob.byteSize()));
                arg.set(U32, DrmUapi.GetBlob.LENGTH, (int) blob.byteSize());
            } else {
                throw new PosixException(String.format("ioctl 0x%08x", request), Errno.EINVAL);
            }
        }
    }

    @Test
    void ioctlNumbersAreTheKernels() {
        assertEquals(0xC0406400L, DrmUapi.Version.IOCTL, "DRM_IOCTL_VERSION");
        assertEquals(0xC010640CL, DrmUapi.Cap.GET_CAP, "DRM_IOCTL_GET_CAP");
        assertEquals(0x4010640DL, DrmUapi.Cap.SET_CLIENT_CAP, "DRM_IOCTL_SET_CLIENT_CAP");
        assertEquals(0xC04064A0L, DrmUapi.CardRes.IOCTL, "DRM_IOCTL_MODE_GETRESOURCES");
        assertEquals(0xC01464A6L, DrmUapi.GetEncoder.IOCTL, "DRM_IOCTL_MODE_GETENCODER");
        assertEquals(0xC05064A7L, DrmUapi.GetConnector.IOCTL, "DRM_IOCTL_MODE_GETCONNECTOR");
        assertEquals(0xC04064AAL, DrmUapi.GetProperty.IOCTL, "DRM_IOCTL_MODE_GETPROPERTY");
        assertEquals(0xC01064ACL, DrmUapi.GetBlob.IOCTL, "DRM_IOCTL_MODE_GETPROPBLOB");
        assertEquals(0xC01064B5L, DrmUapi.PlaneRes.IOCTL, "DRM_IOCTL_MODE_GETPLANERESOURCES");
        assertEquals(0xC02064B6L, DrmUapi.GetPlane.IOCTL, "DRM_IOCTL_MODE_GETPLANE");
        assertEquals(0xC02064B9L, DrmUapi.ObjGetProperties.IOCTL, "DRM_IOCTL_MODE_OBJ_GETPROPERTIES");
    }

    @Test
    void theInFormatsBlobReadsAsTheKernelLaysItOut() {
        try (Arena arena = Arena.ofConfined()) {
            Map<Long, List<Integer>> table = InFormatsBlob.parse(inFormatsBlob(arena));
            assertEquals(List.of(X_TILED, Modifiers.LINEAR), List.copyOf(table.keySet()));
            assertEquals(List.of(Fourcc.XRGB8888, Fourcc.ARGB8888), table.get(X_TILED));
            assertEquals(List.of(Fourcc.XRGB8888, Fourcc.ARGB8888, Fourcc.NV12), table.get(Modifiers.LINEAR));
        }
    }

    @Test
    void aBlobThatLiesAboutItsSizeIsRefusedByName() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = inFormatsBlob(arena);
            b.set(U32, 16, 9);
            DumpFormatException e = assertThrows(DumpFormatException.class, () -> InFormatsBlob.parse(b));
            assertTrue(e.getMessage().startsWith("IN_FORMATS blob: 9 modifiers at 40 run past 88"), e.getMessage());
        }
    }

    @Test
    void aRecordedCardProbesIntoATopology() throws Exception {
        RecordedCard card = new RecordedCard();
        DrmInfoDump.Node node = DrmProbe.node("/dev/dri/card0", card);
        assertEquals("i915", node.driver());
        assertEquals(2, node.crtcs());
        DrmInfoDump.Connector edp = node.connectors().get(0);
        assertEquals("eDP", edp.type());
        assertEquals(List.of(new ModeSpec(1920, 1080, 60000), new ModeSpec(1280, 720, 60000)), edp.modes());
        DeviceSpec d = DumpImporter.toTopology(new DrmInfoDump(List.of(node), List.of()), "probed").topology().devices().get(0);
        assertEquals("card0", d.name());
        assertEquals(List.of("eDP-1"), d.connectors().stream().map(ConnectorSpec::name).toList());
        assertEquals(List.of(0, 1), d.connectors().get(0).crtcs());
        assertEquals(8192, d.maxWidth());
        assertEquals(List.of("primary", "cursor"), d.planes().stream().map(PlaneSpec::type).toList());
        PlaneSpec primary = d.planes().get(0);
        assertEquals(0, primary.zpos());
        assertEquals(List.of("FAKE_TILED_4X4", "LINEAR"), primary.formats().stream().map(f -> f.modifiers().get(0)).toList());
        assertEquals(List.of("XRGB8888", "ARGB8888", "NV12"), primary.formats().get(1).formats());
        assertEquals(List.of("ARGB8888"), d.planes().get(1).formats().get(0).formats(), "no IN_FORMATS: the legacy list, LINEAR");
        assertEquals(new DrmInfoDump.Caps(true, 3, true, 64, 128), node.caps());
        PlaneSpec cursor = d.planes().get(1);
        assertEquals(List.of(64, 128), List.of(cursor.maxWidth(), cursor.maxHeight()), "DRM_CAP_CURSOR_WIDTH/HEIGHT");
        assertEquals(List.of(8192, 8192), List.of(primary.maxWidth(), primary.maxHeight()));
        assertTrue(d.dumbBuffers(), "DRM_CAP_DUMB_BUFFER 1");
        card.arena.close();
    }

    @Test
    void capabilitiesTheDriverLacksShapeTheTopology() throws Exception {
        RecordedCard card = new RecordedCard();
        card.caps.put(DrmUapi.Cap.DRM_CAP_ADDFB2_MODIFIERS, 0L);
        card.caps.put(DrmUapi.Cap.DRM_CAP_DUMB_BUFFER, 0L);
        card.caps.put(DrmUapi.Cap.DRM_CAP_PRIME, 2L);
        card.caps.remove(DrmUapi.Cap.DRM_CAP_CURSOR_WIDTH);
        card.caps.remove(DrmUapi.Cap.DRM_CAP_CURSOR_HEIGHT);
        DrmInfoDump.Node node = DrmProbe.node("/dev/dri/card0", card);
        assertEquals(new DrmInfoDump.Caps(false, 2, false, null, null), node.caps(), "EINVAL: not known");
        DumpImporter.Imported imported = DumpImporter.toTopology(new DrmInfoDump(List.of(node), List.of()), "probed");
        DeviceSpec d = imported.topology().devices().get(0);
        PlaneSpec primary = d.planes().get(0);
        assertEquals(List.of("LINEAR"), primary.formats().stream().flatMap(f -> f.modifiers().stream()).toList(),
                "no modifiers in ADDFB2: IN_FORMATS' tiled entry cannot be scanned out");
        assertEquals(List.of("XRGB8888", "ARGB8888", "NV12"), primary.formats().get(0).formats());
        assertTrue(imported.assumptions().contains("card0 plane 0: LINEAR only (the driver takes no modifiers in ADDFB2)"),
                imported.assumptions().toString());
        PlaneSpec cursor = d.planes().get(1);
        assertEquals(List.of(256, 256), List.of(cursor.maxWidth(), cursor.maxHeight()), "unknown cursor size: the default");
        assertTrue(imported.assumptions().contains("card0: planes do not scale; cursor planes up to 256x256 (not in a dump)"));
        assertFalse(d.dumbBuffers(), "DRM_CAP_DUMB_BUFFER 0");
        assertTrue(imported.assumptions().stream().anyMatch(a -> a.startsWith("card0: imports dma-bufs all the same")),
                imported.assumptions().toString());
        card.arena.close();
    }

    @Test
    void withoutCardNodesThereIsNothingToProbe() throws Exception {
        assertEquals(List.of(), DrmProbe.cardNodes(Path.of("/nonexistent/dri")));
    }
}
