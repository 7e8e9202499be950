package dev.ferry.protocol.server;

/**
 * What one client may hold at once. A client that asks for more is told
 * wl_display.error(no_memory), as libwayland answers a failed allocation, and disconnected;
 * no other client notices. The defaults are far above what real clients hold (a GTK or
 * GStreamer client: a few hundred objects, a handful of rectangles and callbacks) and low enough
 * that a few clients at their limits fit the launcher's heap (README, "Per-client limits").
 *
 * @param objects live protocol objects (a wl_surface with its state costs about 1.1 KiB of heap)
 * @param regionRects rectangles held by all of the client's wl_region objects together
 * @param frameCallbacks wl_surface.frame callbacks not yet answered
 * @param shmCopyBytes bytes of compositor-side copies made for the client's unsealed wl_shm pools
 * @param outputBytes events queued for a client that does not read
 */
public record ClientLimits(int objects, int regionRects, int frameCallbacks, long shmCopyBytes, long outputBytes) {
    public static final ClientLimits DEFAULTS = new ClientLimits(32_768, 16_384, 4_096, 256L << 20, 4L << 20);

    /** The kinds counted by {@link Client#charge}; objects and output are counted where they live. */
    public enum Kind {
        REGION_RECTS("region rectangles"),
        FRAME_CALLBACKS("pending frame callbacks"),
        SHM_COPY_BYTES("bytes of shm pool copies");

        private final String what;

        Kind(String what) {
            this.what = what;
        }

        public String what() { return what; }
    }

    public ClientLimits {
        if (objects < 16 || objects > dev.ferry.protocol.ObjectSpace.MAX_IDS) {
            throw new IllegalArgumentException("objects limit must be 16.." + dev.ferry.protocol.ObjectSpace.MAX_IDS + ", not " + objects);
        }
        if (regionRects < 1) throw new IllegalArgumentException("region-rects limit must be at least 1");
        if (frameCallbacks < 1) throw new IllegalArgumentException("frame-callbacks limit must be at least 1");
        if (shmCopyBytes < 0) throw new IllegalArgumentException("shm-copy-bytes limit must not be negative");
        if (outputBytes < (1L << 20)) throw new IllegalArgumentException("output-bytes limit must be at least 1 MiB");
    }

    public long of(Kind kind) {
        return switch (kind) {
            case REGION_RECTS -> regionRects;
            case FRAME_CALLBACKS -> frameCallbacks;
            case SHM_COPY_BYTES -> shmCopyBytes;
        };
    }

    public ClientLimits withObjects(int n) { return new ClientLimits(n, regionRects, frameCallbacks, shmCopyBytes, outputBytes); }
    public ClientLimits withRegionRects(int n) { return new ClientLimits(objects, n, frameCallbacks, shmCopyBytes, outputBytes); }
    public ClientLimits withFrameCallbacks(int n) { return new ClientLimits(objects, regionRects, n, shmCopyBytes, outputBytes); }
    public ClientLimits withShmCopyBytes(long n) { return new ClientLimits(objects, regionRects, frameCallbacks, n, outputBytes); }
    public ClientLimits withOutputBytes(long n) { return new ClientLimits(objects, regionRects, frameCallbacks, shmCopyBytes, n); }

    /**
     * Applies "name=value" settings (objects, region-rects, frame-callbacks, shm-copy-bytes,
     * output-bytes; byte counts may end in K, M or G) to these limits.
     */
    public ClientLimits with(java.util.Map<String, String> settings) {
        ClientLimits l = this;
        for (var e : settings.entrySet()) {
            String v = e.getValue().trim();
            l = switch (e.getKey().trim()) {
                case "objects" -> l.withObjects(Math.toIntExact(count(e.getKey(), v)));
                case "region-rects" -> l.withRegionRects(Math.toIntExact(count(e.getKey(), v)));
                case "frame-callbacks" -> l.withFrameCallbacks(Math.toIntExact(count(e.getKey(), v)));
                case "shm-copy-bytes" -> l.withShmCopyBytes(bytes(e.getKey(), v));
                case "output-bytes" -> l.withOutputBytes(bytes(e.getKey(), v));
                default -> throw new IllegalArgumentException("unknown client limit '" + e.getKey()
                        + "' (objects, region-rects, frame-callbacks, shm-copy-bytes, output-bytes)");
            };
        }
        return l;
    }

    private static long count(String name, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("client limit " + name + ": '" + v + "' is not a number");
        }
    }

    private static long bytes(String name, String v) {
        long unit = 1;
        char last = v.isEmpty() ? ' ' : Character.toUpperCase(v.charAt(v.length() - 1));
        switch (last) {
            case 'K' -> unit = 1L << 10;
            case 'M' -> unit = 1L << 20;
            case 'G' -> unit = 1L << 30;
            default -> { }
        }
        return Math.multiplyExact(count(name, unit == 1 ? v : v.substring(0, v.length() - 1)), unit);
    }
}
