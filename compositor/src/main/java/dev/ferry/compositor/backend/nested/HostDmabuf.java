package dev.ferry.compositor.backend.nested;

import dev.ferry.client.DmabufFeedback;
import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.dmabuf.PreferredTranche;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.ZwpLinuxDmabufV1;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The host's zwp_linux_dmabuf_v1 as plain nested Ferry sees it: the host's default feedback
 * (main device, tranches) read once at start, the format/modifier pairs the host takes, and the
 * tranches Ferry offers its own clients first, so that a client allocates what the host takes
 * unchanged. Version 4 at least: older hosts send no feedback, and without the host's main
 * device Ferry cannot tell which of its devices the host's buffers are on.
 */
final class HostDmabuf implements AutoCloseable {
    static final int MIN_VERSION = 4;

    private final Proxy dmabuf;
    private final DmabufFeedback feedback;
    private final Set<DmabufFeedback.FormatModifier> taken = new HashSet<>();

    private HostDmabuf(Proxy dmabuf, DmabufFeedback feedback) {
        this.dmabuf = dmabuf;
        this.feedback = feedback;
        for (DmabufFeedback.Tranche t : feedback.current().tranches()) taken.addAll(t.formats());
    }

    /**
     * Binds the host's linux-dmabuf and waits for its default feedback; null when the host has
     * none of version 4 or later, or its feedback is unusable (why: logged by the caller).
     */
    static HostDmabuf bind(WaylandClient host) throws java.io.IOException {
        var global = host.global(ZwpLinuxDmabufV1.INTERFACE.name());
        if (global == null || global.version() < MIN_VERSION) return null;
        Proxy dmabuf = host.bind(ZwpLinuxDmabufV1.INTERFACE, MIN_VERSION);
        DmabufFeedback feedback = DmabufFeedback.forDefault(dmabuf, null);
        host.roundtrip();
        if (feedback.current() == null || feedback.error() != null) {
            feedback.close();
            ZwpLinuxDmabufV1.destroy(dmabuf);
            return null;
        }
        return new HostDmabuf(dmabuf, feedback);
    }

    Proxy proxy() { return dmabuf; }

    /** The host's main device (dev_t): Ferry's own main device must be the same one. */
    long mainDevT() { return feedback.current().mainDevT(); }

    /** Whether some tranche of the host's feedback offers this pair. */
    boolean takes(int fourcc, long modifier) {
        return taken.contains(new DmabufFeedback.FormatModifier(fourcc, modifier));
    }

    /** The host's tranches in its order of preference, for Ferry's own feedback. */
    List<PreferredTranche> tranches() {
        List<PreferredTranche> out = new ArrayList<>();
        for (DmabufFeedback.Tranche t : feedback.current().tranches()) {
            int[] f = new int[t.formats().size()];
            long[] m = new long[f.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = t.formats().get(i).fourcc();
                m[i] = t.formats().get(i).modifier();
            }
            out.add(new PreferredTranche(t.targetDevT(), t.flags(), f, m));
        }
        return out;
    }

    @Override
    public String toString() {
        return "host linux-dmabuf v" + dmabuf.version() + ", main device " + (mainDevT() >>> 8) + ":" + (mainDevT() & 0xff)
                + ", " + feedback.current().tranches().size() + " tranche(s), " + taken.size() + " pairs";
    }

    /** Destroys the host objects (when the host is still there). */
    void close(boolean hostAlive) {
        if (!hostAlive) return;
        feedback.close();
        ZwpLinuxDmabufV1.destroy(dmabuf);
    }

    @Override
    public void close() {
        close(true);
    }
}
