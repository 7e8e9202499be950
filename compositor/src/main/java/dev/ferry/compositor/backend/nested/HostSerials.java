package dev.ferry.compositor.backend.nested;

/**
 * Which host serial each of Ferry's own serials stands for. A host input event (enter, button,
 * key ...) forwarded to Ferry's seat makes Ferry send its clients events with Ferry's serials;
 * a client then quotes one of those in a request that must reach the host (set_selection, a
 * grab), and the host knows only its own serial. So each forwarded host event records the range
 * of Ferry serials its forwarding used, and a quoted Ferry serial maps back to the host event
 * that caused it.
 *
 * <p>The last {@link #CAPACITY} host events are kept, in a ring of primitive arrays (nothing
 * allocated per event); serials are compared as the protocol's wrapping 32-bit counters.
 */
final class HostSerials {
    static final int CAPACITY = 64;
    /** No host serial is known for a Ferry serial. */
    static final int UNKNOWN = -1;

    private final int[] firstFerry = new int[CAPACITY];
    private final int[] lastFerry = new int[CAPACITY];
    private final int[] host = new int[CAPACITY];
    private int next;
    private int count;
    private int lastHost;
    private boolean anyHost;

    /**
     * A host event with hostSerial was forwarded, and Ferry's serials after ferryBefore up to
     * ferryAfter (its seat's last serial before and after) were sent because of it; none when
     * the two are equal.
     */
    void forwarded(int hostSerial, int ferryBefore, int ferryAfter) {
        lastHost = hostSerial;
        anyHost = true;
        if (ferryAfter == ferryBefore) return;
        firstFerry[next] = ferryBefore + 1;
        lastFerry[next] = ferryAfter;
        host[next] = hostSerial;
        next = (next + 1) % CAPACITY;
        if (count < CAPACITY) count++;
    }

    /** The host serial of the host event that made Ferry send ferrySerial, or {@link #UNKNOWN}. */
    int hostSerialOf(int ferrySerial) {
        for (int k = 0; k < count; k++) {
            int i = Math.floorMod(next - 1 - k, CAPACITY);
            if (ferrySerial - firstFerry[i] >= 0 && lastFerry[i] - ferrySerial >= 0) return host[i];
        }
        return UNKNOWN;
    }

    /**
     * The host serial to quote for a request carrying ferrySerial: the mapped one, or, for a
     * serial Ferry made on its own (focus given to a new window, an inner enter from host motion
     * over another client), the latest host input event's, which is what a host checking that a
     * request follows user input accepts; {@link #UNKNOWN} before any host input.
     */
    int hostSerialFor(int ferrySerial) {
        int mapped = hostSerialOf(ferrySerial);
        if (mapped != UNKNOWN) return mapped;
        return anyHost ? lastHost : UNKNOWN;
    }
}
