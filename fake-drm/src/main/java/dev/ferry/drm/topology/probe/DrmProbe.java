package dev.ferry.drm.topology.probe;

import dev.ferry.drm.topology.ModeSpec;
import dev.ferry.drm.topology.dump.DrmInfoDump;
import dev.ferry.posix.Fds;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.PosixException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a machine's DRM devices into the same model a drm_info dump gives, through the
 * read-only KMS ioctls any user may make without DRM master: VERSION, GET_CAP (dumb buffers,
 * PRIME, ADDFB2 modifiers, cursor size),
 * SET_CLIENT_CAP(UNIVERSAL_PLANES, so primary and cursor planes are listed), MODE_GETRESOURCES,
 * MODE_GETCONNECTOR, MODE_GETENCODER, MODE_GETPLANERESOURCES, MODE_GETPLANE,
 * MODE_OBJ_GETPROPERTIES, MODE_GETPROPERTY and MODE_GETPROPBLOB (IN_FORMATS). Counts are asked
 * first and the arrays second, as libdrm does; nothing is changed on the device.
 */
public final class DrmProbe {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private DrmProbe() {}

    /** The card nodes under dir ("/dev/dri"), in name order; empty if there are none. */
    public static List<Path> cardNodes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("card\\d+")).sorted().toList();
        }
    }

    /** Every card node of the machine, opened read-only in turn. */
    public static DrmInfoDump probe(List<Path> nodes) throws PosixException {
        List<DrmInfoDump.Node> out = new ArrayList<>();
        for (Path node : nodes) {
            try (OwnedFd fd = Fds.open(node.toString(), Fds.O_RDONLY, 0)) {
                out.add(node(node.toString(), DrmChannel.of(fd)));
            }
        }
        return new DrmInfoDump(out, List.of());
    }

    /** One node through a channel. */
    public static DrmInfoDump.Node node(String path, DrmChannel ch) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            String driver = driverName(ch, arena);
            DrmInfoDump.Caps caps = caps(ch, arena);
            MemorySegment cap = arena.allocate(DrmUapi.Cap.SIZE);
            cap.set(U64, DrmUapi.Cap.CAPABILITY, DrmUapi.Cap.DRM_CLIENT_CAP_UNIVERSAL_PLANES);
            cap.set(U64, DrmUapi.Cap.VALUE, 1);
            ch.ioctl(DrmUapi.Cap.SET_CLIENT_CAP, cap);

            MemorySegment res = arena.allocate(DrmUapi.CardRes.SIZE);
            ch.ioctl(DrmUapi.CardRes.IOCTL, res);
            int crtcs = res.get(U32, DrmUapi.CardRes.COUNT_CRTCS);
            int nConnectors = res.get(U32, DrmUapi.CardRes.COUNT_CONNECTORS);
            int nEncoders = res.get(U32, DrmUapi.CardRes.COUNT_ENCODERS);
            int maxW = res.get(U32, DrmUapi.CardRes.MAX_WIDTH), maxH = res.get(U32, DrmUapi.CardRes.MAX_HEIGHT);
            MemorySegment crtcIds = ids(arena, crtcs), connectorIds = ids(arena, nConnectors), encoderIds = ids(arena, nEncoders);
            res.fill((byte) 0);
            res.set(U64, DrmUapi.CardRes.CRTC_ID_PTR, crtcIds.address());
            res.set(U64, DrmUapi.CardRes.CONNECTOR_ID_PTR, connectorIds.address());
            res.set(U64, DrmUapi.CardRes.ENCODER_ID_PTR, encoderIds.address());
            res.set(U32, DrmUapi.CardRes.COUNT_CRTCS, crtcs);
            res.set(U32, DrmUapi.CardRes.COUNT_CONNECTORS, nConnectors);
            res.set(U32, DrmUapi.CardRes.COUNT_ENCODERS, nEncoders);
            ch.ioctl(DrmUapi.CardRes.IOCTL, res);

            List<Integer> encoderIdList = new ArrayList<>();
            List<Integer> encoderMasks = new ArrayList<>();
            for (int i = 0; i < nEncoders; i++) {
                MemorySegment e = arena.allocate(DrmUapi.GetEncoder.SIZE);
                e.set(U32, DrmUapi.GetEncoder.ENCODER_ID, encoderIds.getAtIndex(ValueLayout.JAVA_INT, i));
                ch.ioctl(DrmUapi.GetEncoder.IOCTL, e);
                encoderIdList.add(e.get(U32, DrmUapi.GetEncoder.ENCODER_ID));
                encoderMasks.add(e.get(U32, DrmUapi.GetEncoder.POSSIBLE_CRTCS));
            }
            List<DrmInfoDump.Connector> connectors = new ArrayList<>();
            for (int i = 0; i < nConnectors; i++) {
                connectors.add(connector(ch, arena, connectorIds.getAtIndex(ValueLayout.JAVA_INT, i), encoderIdList));
            }
            List<DrmInfoDump.Plane> planes = planes(ch, arena);
            return new DrmInfoDump.Node(path, driver, maxW, maxH, connectors, encoderMasks, crtcs, planes, caps);
        }
    }

    /** The capabilities the topology can express: dumb buffers, PRIME, modifiers in ADDFB2, cursor size. */
    private static DrmInfoDump.Caps caps(DrmChannel ch, Arena arena) {
        Long dumb = cap(ch, arena, DrmUapi.Cap.DRM_CAP_DUMB_BUFFER);
        Long prime = cap(ch, arena, DrmUapi.Cap.DRM_CAP_PRIME);
        Long modifiers = cap(ch, arena, DrmUapi.Cap.DRM_CAP_ADDFB2_MODIFIERS);
        Long cursorW = cap(ch, arena, DrmUapi.Cap.DRM_CAP_CURSOR_WIDTH);
        Long cursorH = cap(ch, arena, DrmUapi.Cap.DRM_CAP_CURSOR_HEIGHT);
        return new DrmInfoDump.Caps(dumb == null ? null : dumb != 0, prime == null ? null : prime.intValue(),
                modifiers == null ? null : modifiers != 0,
                cursorW == null ? null : cursorW.intValue(), cursorH == null ? null : cursorH.intValue());
    }

    /** One DRM_IOCTL_GET_CAP answer; null if the kernel does not know the capability (EINVAL). */
    private static Long cap(DrmChannel ch, Arena arena, long capability) {
        MemorySegment c = arena.allocate(DrmUapi.Cap.SIZE);
        c.set(U64, DrmUapi.Cap.CAPABILITY, capability);
        try {
            ch.ioctl(DrmUapi.Cap.GET_CAP, c);
        } catch (PosixException e) {
            return null;
        }
        return c.get(U64, DrmUapi.Cap.VALUE);
    }

    private static String driverName(DrmChannel ch, Arena arena) throws PosixException {
        MemorySegment v = arena.allocate(DrmUapi.Version.SIZE);
        ch.ioctl(DrmUapi.Version.IOCTL, v);
        long len = v.get(U64, DrmUapi.Version.NAME_LEN);
        MemorySegment name = arena.allocate(Math.max(1, len));
        v.set(U64, DrmUapi.Version.NAME, name.address());
        v.set(U64, DrmUapi.Version.DATE_LEN, 0);
        v.set(U64, DrmUapi.Version.DESC_LEN, 0);
        ch.ioctl(DrmUapi.Version.IOCTL, v);
        return new String(name.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    private static DrmInfoDump.Connector connector(DrmChannel ch, Arena arena, int id, List<Integer> encoderIds)
            throws PosixException {
        MemorySegment c = arena.allocate(DrmUapi.GetConnector.SIZE);
        c.set(U32, DrmUapi.GetConnector.CONNECTOR_ID, id);
        ch.ioctl(DrmUapi.GetConnector.IOCTL, c);
        int nModes = c.get(U32, DrmUapi.GetConnector.COUNT_MODES);
        int nEncoders = c.get(U32, DrmUapi.GetConnector.COUNT_ENCODERS);
        MemorySegment modes = arena.allocate((long) Math.max(1, nModes) * DrmUapi.ModeInfo.SIZE, 8);
        MemorySegment encs = ids(arena, nEncoders);
        c.fill((byte) 0);
        c.set(U32, DrmUapi.GetConnector.CONNECTOR_ID, id);
        c.set(U64, DrmUapi.GetConnector.MODES_PTR, modes.address());
        c.set(U32, DrmUapi.GetConnector.COUNT_MODES, nModes);
        c.set(U64, DrmUapi.GetConnector.ENCODERS_PTR, encs.address());
        c.set(U32, DrmUapi.GetConnector.COUNT_ENCODERS, nEncoders);
        ch.ioctl(DrmUapi.GetConnector.IOCTL, c);
        nModes = Math.min(nModes, c.get(U32, DrmUapi.GetConnector.COUNT_MODES));
        List<ModeSpec> modeList = new ArrayList<>();
        for (int m = 0; m < nModes; m++) {
            MemorySegment mi = modes.asSlice((long) m * DrmUapi.ModeInfo.SIZE, DrmUapi.ModeInfo.SIZE);
            ModeSpec mode = mode(mi);
            if ((mi.get(U32, DrmUapi.ModeInfo.TYPE) & DrmUapi.ModeInfo.TYPE_PREFERRED) != 0) modeList.add(0, mode);
            else modeList.add(mode);
        }
        List<Integer> encoderIndices = new ArrayList<>();
        for (int e = 0; e < nEncoders; e++) {
            int idx = encoderIds.indexOf(encs.getAtIndex(ValueLayout.JAVA_INT, e));
            if (idx >= 0) encoderIndices.add(idx);
        }
        String type = DrmInfoDump.connectorTypeName(c.get(U32, DrmUapi.GetConnector.CONNECTOR_TYPE));
        boolean connected = c.get(U32, DrmUapi.GetConnector.CONNECTION) == DrmUapi.GetConnector.CONNECTED;
        return new DrmInfoDump.Connector(type, connected, modeList, encoderIndices);
    }

    /** A drm_mode_modeinfo as a mode (a kernel mode without totals is taken as 60 Hz). */
    static ModeSpec mode(MemorySegment mi) {
        long clock = Integer.toUnsignedLong(mi.get(U32, DrmUapi.ModeInfo.CLOCK));
        int w = Short.toUnsignedInt(mi.get(U16, DrmUapi.ModeInfo.HDISPLAY));
        int h = Short.toUnsignedInt(mi.get(U16, DrmUapi.ModeInfo.VDISPLAY));
        int htotal = Short.toUnsignedInt(mi.get(U16, DrmUapi.ModeInfo.HTOTAL));
        int vtotal = Short.toUnsignedInt(mi.get(U16, DrmUapi.ModeInfo.VTOTAL));
        int vscan = Short.toUnsignedInt(mi.get(U16, DrmUapi.ModeInfo.VSCAN));
        int flags = mi.get(U32, DrmUapi.ModeInfo.FLAGS);
        int refresh = htotal == 0 || vtotal == 0 ? 60000 : DrmInfoDump.refreshMhz(clock, htotal, vtotal, vscan, flags);
        return new ModeSpec(w, h, refresh);
    }

    private static List<DrmInfoDump.Plane> planes(DrmChannel ch, Arena arena) throws PosixException {
        MemorySegment res = arena.allocate(DrmUapi.PlaneRes.SIZE);
        ch.ioctl(DrmUapi.PlaneRes.IOCTL, res);
        int n = res.get(U32, DrmUapi.PlaneRes.COUNT_PLANES);
        MemorySegment planeIds = ids(arena, n);
        res.set(U64, DrmUapi.PlaneRes.PLANE_ID_PTR, planeIds.address());
        ch.ioctl(DrmUapi.PlaneRes.IOCTL, res);
        List<DrmInfoDump.Plane> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(plane(ch, arena, planeIds.getAtIndex(ValueLayout.JAVA_INT, i)));
        return out;
    }

    private static DrmInfoDump.Plane plane(DrmChannel ch, Arena arena, int id) throws PosixException {
        MemorySegment p = arena.allocate(DrmUapi.GetPlane.SIZE);
        p.set(U32, DrmUapi.GetPlane.PLANE_ID, id);
        ch.ioctl(DrmUapi.GetPlane.IOCTL, p);
        int nFormats = p.get(U32, DrmUapi.GetPlane.COUNT_FORMAT_TYPES);
        MemorySegment formats = ids(arena, nFormats);
        p.set(U64, DrmUapi.GetPlane.FORMAT_TYPE_PTR, formats.address());
        ch.ioctl(DrmUapi.GetPlane.IOCTL, p);
        int mask = p.get(U32, DrmUapi.GetPlane.POSSIBLE_CRTCS);
        List<Integer> formatList = new ArrayList<>();
        for (int f = 0; f < nFormats; f++) formatList.add(formats.getAtIndex(ValueLayout.JAVA_INT, f));

        String type = null;
        Integer zpos = null;
        Map<Long, List<Integer>> inFormats = new LinkedHashMap<>();
        for (Map.Entry<String, Long> prop : properties(ch, arena, id).entrySet()) {
            long value = prop.getValue();
            switch (prop.getKey()) {
                case "type" -> type = switch ((int) value) {
                    case 0 -> "overlay";
                    case 1 -> "primary";
                    case 2 -> "cursor";
                    default -> null;
                };
                case "zpos" -> zpos = (int) value;
                case "IN_FORMATS" -> inFormats = InFormatsBlob.parse(blob(ch, arena, (int) value));
                default -> { }
            }
        }
        if (type == null) type = "overlay";
        return new DrmInfoDump.Plane(mask, type, zpos, inFormats, formatList);
    }

    /** A plane's properties by name, with their current values. */
    private static Map<String, Long> properties(DrmChannel ch, Arena arena, int planeId) throws PosixException {
        MemorySegment q = arena.allocate(DrmUapi.ObjGetProperties.SIZE);
        q.set(U32, DrmUapi.ObjGetProperties.OBJ_ID, planeId);
        q.set(U32, DrmUapi.ObjGetProperties.OBJ_TYPE, DrmUapi.ObjGetProperties.OBJECT_PLANE);
        ch.ioctl(DrmUapi.ObjGetProperties.IOCTL, q);
        int n = q.get(U32, DrmUapi.ObjGetProperties.COUNT_PROPS);
        MemorySegment propIds = ids(arena, n);
        MemorySegment values = arena.allocate((long) Math.max(1, n) * 8, 8);
        q.set(U64, DrmUapi.ObjGetProperties.PROPS_PTR, propIds.address());
        q.set(U64, DrmUapi.ObjGetProperties.PROP_VALUES_PTR, values.address());
        ch.ioctl(DrmUapi.ObjGetProperties.IOCTL, q);
        n = Math.min(n, q.get(U32, DrmUapi.ObjGetProperties.COUNT_PROPS));
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            MemorySegment g = arena.allocate(DrmUapi.GetProperty.SIZE);
            g.set(U32, DrmUapi.GetProperty.PROP_ID, propIds.getAtIndex(ValueLayout.JAVA_INT, i));
            ch.ioctl(DrmUapi.GetProperty.IOCTL, g);
            byte[] raw = g.asSlice(DrmUapi.GetProperty.NAME, DrmUapi.GetProperty.NAME_LEN).toArray(ValueLayout.JAVA_BYTE);
            int len = 0;
            while (len < raw.length && raw[len] != 0) len++;
            out.put(new String(raw, 0, len, StandardCharsets.US_ASCII), values.getAtIndex(ValueLayout.JAVA_LONG, i));
        }
        return out;
    }

    private static MemorySegment blob(DrmChannel ch, Arena arena, int blobId) throws PosixException {
        MemorySegment b = arena.allocate(DrmUapi.GetBlob.SIZE);
        b.set(U32, DrmUapi.GetBlob.BLOB_ID, blobId);
        ch.ioctl(DrmUapi.GetBlob.IOCTL, b);
        int length = b.get(U32, DrmUapi.GetBlob.LENGTH);
        MemorySegment data = arena.allocate(Math.max(1, length), 8);
        b.set(U64, DrmUapi.GetBlob.DATA, data.address());
        ch.ioctl(DrmUapi.GetBlob.IOCTL, b);
        return data.asSlice(0, Math.min(length, Integer.toUnsignedLong(b.get(U32, DrmUapi.GetBlob.LENGTH))));
    }

    private static MemorySegment ids(Arena arena, int count) {
        return arena.allocate((long) Math.max(1, count) * 4, 4);
    }
}
