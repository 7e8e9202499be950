package dev.ferry.drm;

import dev.ferry.drm.uapi.Fourcc;
import dev.ferry.drm.uapi.Modifiers;
import dev.ferry.drm.uapi.PixelFormats;
import dev.ferry.posix.OwnedFd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the kernel knows about a dma-buf, recovered from the fd alone: fake-drm writes it into
 * the memfd's name, which any process holding the fd can read from /proc/self/fd/N. The name is
 * {@code ferry-dmabuf:1;k=v;...} with keys in a fixed order:
 *
 * <pre>
 * id     buffer serial (pid and counter, hex)     exp  exporter card name
 * dev    exporter dev_t as major:minor             drv  exporter driver
 * dom    memory domain label                       coh  cached | uncached | wc
 * prot   1 if protected                            fmt  format name
 * mod    modifier given to users (hex)             lay  layout really used when mod is INVALID (hex; empty: same as mod)
 * w, h   size in pixels                            view bytes of the CPU-visible copy
 * shadow offset of the device-visible copy (0: none, the memory is coherent)
 * fence  offset of the fence page
 * pl     offset:stride per plane, comma separated
 * </pre>
 *
 * File layout: [CPU view][device-visible shadow, only for CPU-cached memory][one fence page].
 * The shadow is how a non-snooping device is modelled: it reads the shadow, which only an
 * end-of-CPU-access bracket brings up to date.
 *
 * <p>A {@link Udmabuf} is the exception: its fd is a client's memfd, whose name fake-drm cannot
 * choose, so its identity travels with the {@link DmaBuf} object made in the process whose kernel
 * created it. It is a window [{@code fileBase}, {@code fileBase + viewSize}) of that memfd, with
 * no shadow (nobody brackets a client's writes) and no fence page ({@code fenceOffset} is
 * {@link #NO_FENCE_PAGE}: only the CPU writes it, and those are done when it is handed over).
 */
public record BufferIdentity(long id, String exporter, long devT, String driver, MemoryDomain domain,
                             boolean protectedMemory, int fourcc, long modifier, long layout,
                             int width, int height, long viewSize, long shadowOffset, long fenceOffset,
                             long[] planeOffsets, int[] planeStrides, boolean udmabuf, long fileBase) {

    /** {@code fenceOffset} of a buffer without a fence page (a udmabuf). */
    public static final long NO_FENCE_PAGE = -1;

    static final String PREFIX = "ferry-dmabuf:1;";
    public static final int PAGE = 4096;

    /**
     * The bytes of whole pages a file of {@code bytes} occupies: shmem holds the page its end falls
     * in whole, so a device may use all of it (a udmabuf's last page may run past the file's end).
     */
    public static long wholePages(long bytes) { return (bytes + PAGE - 1) / PAGE * PAGE; }
    /** memfd_create refuses names longer than this. */
    static final int MAX_NAME = 249;

    public boolean hasShadow() { return shadowOffset != 0; }

    public boolean hasFencePage() { return fenceOffset != NO_FENCE_PAGE; }

    /** Bytes of the file from {@link #fileBase} that belong to the buffer. */
    public long fileSize() { return hasFencePage() ? fenceOffset + PAGE : viewSize; }

    public String coherency() { return domain.coherency(); }

    public int planeCount() { return planeStrides.length; }

    public String memfdName() {
        StringBuilder sb = new StringBuilder(200).append(PREFIX);
        sb.append("id=").append(Long.toHexString(id));
        sb.append(";exp=").append(exporter);
        sb.append(";dev=").append(devT >>> 8).append(':').append(devT & 0xff);
        sb.append(";drv=").append(driver);
        sb.append(";dom=").append(domain.label());
        sb.append(";coh=").append(coherency());
        sb.append(";prot=").append(protectedMemory ? 1 : 0);
        sb.append(";fmt=").append(Fourcc.name(fourcc));
        sb.append(";mod=").append(Long.toHexString(modifier));
        sb.append(";lay=");
        if (layout != modifier) sb.append(Long.toHexString(layout));
        sb.append(";w=").append(width).append(";h=").append(height);
        sb.append(";view=").append(viewSize);
        sb.append(";shadow=").append(shadowOffset);
        sb.append(";fence=").append(fenceOffset);
        sb.append(";pl=");
        for (int i = 0; i < planeStrides.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(planeOffsets[i]).append(':').append(planeStrides[i]);
        }
        if (sb.length() > MAX_NAME) throw new IllegalStateException("memfd name too long: " + sb);
        return sb.toString();
    }

    /** Parses a memfd name; null if it is not a fake dma-buf's. */
    public static BufferIdentity parse(String name) {
        if (name == null || !name.startsWith(PREFIX)) return null;
        String[] fields = name.substring(PREFIX.length()).split(";");
        if (fields.length != 16) return null;
        try {
            long id = Long.parseUnsignedLong(value(fields[0], "id"), 16);
            String exporter = value(fields[1], "exp");
            String[] dev = value(fields[2], "dev").split(":");
            long devT = (Long.parseLong(dev[0]) << 8) | Long.parseLong(dev[1]);
            String driver = value(fields[3], "drv");
            MemoryDomain domain = MemoryDomain.parse(value(fields[4], "dom"));
            value(fields[5], "coh");
            boolean prot = value(fields[6], "prot").equals("1");
            int fourcc = PixelFormats.parse(value(fields[7], "fmt"));
            long modifier = Long.parseUnsignedLong(value(fields[8], "mod"), 16);
            String lay = fields[9].equals("lay=") ? null : value(fields[9], "lay");
            long layout = lay == null ? modifier : Long.parseUnsignedLong(lay, 16);
            int w = Integer.parseInt(value(fields[10], "w"));
            int h = Integer.parseInt(value(fields[11], "h"));
            long view = Long.parseLong(value(fields[12], "view"));
            long shadow = Long.parseLong(value(fields[13], "shadow"));
            long fence = Long.parseLong(value(fields[14], "fence"));
            String[] planes = value(fields[15], "pl").split(",");
            long[] offsets = new long[planes.length];
            int[] strides = new int[planes.length];
            for (int i = 0; i < planes.length; i++) {
                int colon = planes[i].indexOf(':');
                offsets[i] = Long.parseLong(planes[i], 0, colon, 10);
                strides[i] = Integer.parseInt(planes[i], colon + 1, planes[i].length(), 10);
            }
            return new BufferIdentity(id, exporter, devT, driver, domain, prot, fourcc, modifier, layout,
                    w, h, view, shadow, fence, offsets, strides, false, 0);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String value(String field, String key) {
        if (!field.startsWith(key) || field.length() <= key.length() || field.charAt(key.length()) != '=') {
            throw new IllegalArgumentException("expected " + key);
        }
        return field.substring(key.length() + 1);
    }

    /** The memfd name behind an fd, as /proc shows it, or null if it is not a memfd. */
    public static String memfdNameOf(int fd) {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            if (!link.startsWith("/memfd:")) return null;
            String name = link.substring("/memfd:".length());
            return name.endsWith(" (deleted)") ? name.substring(0, name.length() - " (deleted)".length()) : name;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** The identity of a fake dma-buf fd, or null for any other fd. */
    public static BufferIdentity of(OwnedFd fd) {
        return parse(memfdNameOf(fd.fd()));
    }

    @Override
    public String toString() {
        return "dma-buf " + Long.toHexString(id) + " from " + exporter + " (" + driver + ") in " + domain.label()
                + " [" + coherency() + (protectedMemory ? ", protected" : "") + "] " + width + "x" + height + " "
                + Fourcc.name(fourcc) + " " + Modifiers.name(modifier)
                + (modifier != layout ? " (really " + Modifiers.name(layout) + ")" : "");
    }
}
