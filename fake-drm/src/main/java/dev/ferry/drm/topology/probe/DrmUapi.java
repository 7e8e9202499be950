package dev.ferry.drm.topology.probe;

/**
 * The kernel's DRM uapi as the probe needs it (include/uapi/drm/drm.h and drm_mode.h, LP64):
 * ioctl numbers and each struct's field offsets, every offset following from the previous
 * field. All structs are read and written little-endian, native order, as the kernel does.
 */
final class DrmUapi {
    private DrmUapi() {}

    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;
    private static final int DRM_IOCTL_BASE = 'd';

    private static long iowr(int nr, int size) {
        return ((long) (IOC_READ | IOC_WRITE) << 30) | ((long) size << 16) | (DRM_IOCTL_BASE << 8) | nr;
    }

    private static long iow(int nr, int size) {
        return ((long) IOC_WRITE << 30) | ((long) size << 16) | (DRM_IOCTL_BASE << 8) | nr;
    }

    /** struct drm_version: three ints, padding, then (size_t len, char *ptr) for name, date, desc. */
    static final class Version {
        static final int MAJOR = 0, MINOR = 4, PATCH = 8;
        static final int NAME_LEN = 16, NAME = 24, DATE_LEN = 32, DATE = 40, DESC_LEN = 48, DESC = 56;
        static final int SIZE = 64;
        static final long IOCTL = iowr(0x00, SIZE);
    }

    /** struct drm_get_cap and drm_set_client_cap: u64 capability, u64 value. */
    static final class Cap {
        static final int CAPABILITY = 0, VALUE = 8, SIZE = 16;
        static final long GET_CAP = iowr(0x0c, SIZE);
        static final long SET_CLIENT_CAP = iow(0x0d, SIZE);
        static final long DRM_CAP_DUMB_BUFFER = 0x1;
        static final long DRM_CAP_PRIME = 0x5;
        static final long DRM_CAP_CURSOR_WIDTH = 0x8;
        static final long DRM_CAP_CURSOR_HEIGHT = 0x9;
        static final long DRM_CAP_ADDFB2_MODIFIERS = 0x10;
        static final long DRM_CLIENT_CAP_UNIVERSAL_PLANES = 2;
    }

    /** struct drm_mode_card_res. */
    static final class CardRes {
        static final int FB_ID_PTR = 0, CRTC_ID_PTR = 8, CONNECTOR_ID_PTR = 16, ENCODER_ID_PTR = 24;
        static final int COUNT_FBS = 32, COUNT_CRTCS = 36, COUNT_CONNECTORS = 40, COUNT_ENCODERS = 44;
        static final int MIN_WIDTH = 48, MAX_WIDTH = 52, MIN_HEIGHT = 56, MAX_HEIGHT = 60;
        static final int SIZE = 64;
        static final long IOCTL = iowr(0xA0, SIZE);
    }

    /** struct drm_mode_get_encoder. */
    static final class GetEncoder {
        static final int ENCODER_ID = 0, ENCODER_TYPE = 4, CRTC_ID = 8, POSSIBLE_CRTCS = 12, POSSIBLE_CLONES = 16;
        static final int SIZE = 20;
        static final long IOCTL = iowr(0xA6, SIZE);
    }

    /** struct drm_mode_get_connector. */
    static final class GetConnector {
        static final int ENCODERS_PTR = 0, MODES_PTR = 8, PROPS_PTR = 16, PROP_VALUES_PTR = 24;
        static final int COUNT_MODES = 32, COUNT_PROPS = 36, COUNT_ENCODERS = 40, ENCODER_ID = 44;
        static final int CONNECTOR_ID = 48, CONNECTOR_TYPE = 52, CONNECTOR_TYPE_ID = 56, CONNECTION = 60;
        static final int MM_WIDTH = 64, MM_HEIGHT = 68, SUBPIXEL = 72, PAD = 76;
        static final int SIZE = 80;
        static final long IOCTL = iowr(0xA7, SIZE);
        static final int CONNECTED = 1;
    }

    /** struct drm_mode_modeinfo. */
    static final class ModeInfo {
        static final int CLOCK = 0, HDISPLAY = 4, HSYNC_START = 6, HSYNC_END = 8, HTOTAL = 10, HSKEW = 12;
        static final int VDISPLAY = 14, VSYNC_START = 16, VSYNC_END = 18, VTOTAL = 20, VSCAN = 22;
        static final int VREFRESH = 24, FLAGS = 28, TYPE = 32, NAME = 36;
        static final int SIZE = 68;
        static final int TYPE_PREFERRED = 1 << 3;
    }

    /** struct drm_mode_get_plane_res: u64 plane_id_ptr, u32 count_planes (padded to 16). */
    static final class PlaneRes {
        static final int PLANE_ID_PTR = 0, COUNT_PLANES = 8, SIZE = 16;
        static final long IOCTL = iowr(0xB5, SIZE);
    }

    /** struct drm_mode_get_plane. */
    static final class GetPlane {
        static final int PLANE_ID = 0, CRTC_ID = 4, FB_ID = 8, POSSIBLE_CRTCS = 12, GAMMA_SIZE = 16;
        static final int COUNT_FORMAT_TYPES = 20, FORMAT_TYPE_PTR = 24;
        static final int SIZE = 32;
        static final long IOCTL = iowr(0xB6, SIZE);
    }

    /** struct drm_mode_obj_get_properties. */
    static final class ObjGetProperties {
        static final int PROPS_PTR = 0, PROP_VALUES_PTR = 8, COUNT_PROPS = 16, OBJ_ID = 20, OBJ_TYPE = 24;
        static final int SIZE = 32;
        static final long IOCTL = iowr(0xB9, SIZE);
        static final int OBJECT_PLANE = 0xeeeeeeee;
    }

    /** struct drm_mode_get_property. */
    static final class GetProperty {
        static final int VALUES_PTR = 0, ENUM_BLOB_PTR = 8, PROP_ID = 16, FLAGS = 20, NAME = 24;
        static final int COUNT_VALUES = 56, COUNT_ENUM_BLOBS = 60;
        static final int SIZE = 64;
        static final int NAME_LEN = 32;
        static final long IOCTL = iowr(0xAA, SIZE);
    }

    /** struct drm_mode_get_blob: u32 blob_id, u32 length, u64 data. */
    static final class GetBlob {
        static final int BLOB_ID = 0, LENGTH = 4, DATA = 8, SIZE = 16;
        static final long IOCTL = iowr(0xAC, SIZE);
    }

    /**
     * struct drm_format_modifier_blob (IN_FORMATS): a header of six u32 (version, flags,
     * count_formats, formats_offset, count_modifiers, modifiers_offset), a u32 fourcc array at
     * formats_offset, and at modifiers_offset an array of struct drm_format_modifier
     * {u64 formats (bitmask over 64 fourccs from index offset), u32 offset, u32 pad, u64 modifier}.
     */
    static final class FormatModifierBlob {
        static final int VERSION = 0, FLAGS = 4, COUNT_FORMATS = 8, FORMATS_OFFSET = 12;
        static final int COUNT_MODIFIERS = 16, MODIFIERS_OFFSET = 20, HEADER_SIZE = 24;
        static final int MOD_FORMATS = 0, MOD_OFFSET = 8, MOD_PAD = 12, MOD_MODIFIER = 16, MOD_SIZE = 24;
    }
}
