package dev.ferry.protocol;

/**
 * The ids one side of a connection knows. Ids below {@link #SERVER_ID_START} are allocated by
 * the client, the rest by the server. A new id must be free, and a client may not skip ahead:
 * its next new id is either a freed one or exactly one past the highest it has used
 * (libwayland enforces the same, which bounds the table by what the client really created).
 *
 * <p>Ids are unsigned 32-bit: 0x80000000 and above are negative as a Java int, so every range
 * test here compares unsigned and an id the client never made is simply unknown, never an index
 * out of bounds.
 */
public final class ObjectSpace<T extends WireObject> {
    public static final int SERVER_ID_START = 0xff000000;
    /** The most client ids a table can hold at all (libwayland's limit); {@link #limit} lowers it. */
    public static final int MAX_IDS = 1 << 20;

    /**
     * Client ids in pages of {@link #PAGE} entries, made as the ids reach them: a client that
     * walks its ids up (a never-reader's 175 000 syncs before it is cut off) grows the table a
     * page at a time. As one doubling array it reached megabytes, and each doubling was one
     * allocation and copy inside one request: a 1-2 MiB array was a new 32 MiB page for ZGC,
     * 10 ms on the event loop while every other client waited (BENCHMARKS.md, issue 15,
     * eleventh session).
     */
    private static final int PAGE_BITS = 10;
    private static final int PAGE = 1 << PAGE_BITS;
    private static final int IN_PAGE = PAGE - 1;
    private Object[][] clientPages = new Object[4][];
    private int clientCount = 1;
    private Object[] serverIds = new Object[16];
    private int serverCount = 0;
    private int live;
    private int limit = MAX_IDS;

    /** At most this many live objects (of both ranges); a new client id beyond it is refused. */
    public void limit(int maxObjects) {
        if (maxObjects < 1 || maxObjects > MAX_IDS) throw new IllegalArgumentException("object limit " + maxObjects);
        limit = maxObjects;
    }

    /** True when one more object would exceed the limit. */
    public boolean full() {
        return live >= limit;
    }

    @SuppressWarnings("unchecked")
    public T get(int id) {
        if (id == 0) return null;
        if (Integer.compareUnsigned(id, SERVER_ID_START) < 0) {
            return Integer.compareUnsigned(id, clientCount) < 0 ? (T) client(id) : null;
        }
        int i = id - SERVER_ID_START;
        return i < serverCount ? (T) serverIds[i] : null;
    }

    /** Why a new id from the peer cannot be used, or null if it can. */
    public String checkNewClientId(int id) {
        if (id == 0) return "new id 0";
        if (Integer.compareUnsigned(id, SERVER_ID_START) >= 0) return "new id " + Integer.toUnsignedString(id) + " is in the server's range";
        if (Integer.compareUnsigned(id, MAX_IDS) >= 0) return "new id " + Integer.toUnsignedString(id) + " beyond the object limit";
        if (id > clientCount) return "new id " + id + " skips ahead (next is " + clientCount + ")";
        if (id < clientCount && client(id) != null) return "new id " + id + " is already in use";
        return null;
    }

    /** Inserts an object at its id (validated with {@link #checkNewClientId} or server-allocated). */
    public void put(T object) {
        int id = object.id();
        if (Integer.compareUnsigned(id, SERVER_ID_START) < 0) {
            if (Integer.compareUnsigned(id, MAX_IDS) >= 0) throw new IllegalArgumentException("id " + Integer.toUnsignedString(id) + " beyond the object limit");
            Object[] page = clientPage(id);
            if (page[id & IN_PAGE] != null) throw new IllegalStateException("id " + id + " in use");
            page[id & IN_PAGE] = object;
            if (id >= clientCount) clientCount = id + 1;
        } else {
            int i = id - SERVER_ID_START;
            if (i >= serverIds.length) serverIds = java.util.Arrays.copyOf(serverIds, Math.max(serverIds.length * 2, i + 1));
            serverIds[i] = object;
            if (i >= serverCount) serverCount = i + 1;
        }
        live++;
    }

    /** The lowest free id in the server's range. */
    public int nextServerId() {
        for (int i = 0; i < serverCount; i++) if (serverIds[i] == null) return SERVER_ID_START + i;
        return SERVER_ID_START + serverCount;
    }

    /** The lowest free id in the client's range (for the client side of a connection). */
    public int nextClientId() {
        for (int i = 1; i < clientCount; i++) if (client(i) == null) return i;
        return clientCount;
    }

    public void remove(int id) {
        if (Integer.compareUnsigned(id, SERVER_ID_START) < 0) {
            if (Integer.compareUnsigned(id, clientCount) < 0 && client(id) != null) { clientPages[id >>> PAGE_BITS][id & IN_PAGE] = null; live--; }
        } else {
            int i = id - SERVER_ID_START;
            if (i < serverCount && serverIds[i] != null) { serverIds[i] = null; live--; }
        }
    }

    public int size() {
        return live;
    }

    /** Every live object, client ids first, highest id first (children before parents, mostly). */
    @SuppressWarnings("unchecked")
    public java.util.List<T> snapshot() {
        java.util.List<T> all = new java.util.ArrayList<>(live);
        for (int i = serverCount - 1; i >= 0; i--) if (serverIds[i] != null) all.add((T) serverIds[i]);
        for (int i = clientCount - 1; i >= 1; i--) {
            Object o = client(i);
            if (o != null) all.add((T) o);
        }
        return all;
    }

    /** The client object at id (0 < id < MAX_IDS), or null: its page may not exist yet. */
    private Object client(int id) {
        int p = id >>> PAGE_BITS;
        Object[] page = p < clientPages.length ? clientPages[p] : null;
        return page == null ? null : page[id & IN_PAGE];
    }

    /** The page that holds id, made (and the page table grown, by at most 8 KiB) where it is not yet. */
    private Object[] clientPage(int id) {
        int p = id >>> PAGE_BITS;
        if (p >= clientPages.length) clientPages = java.util.Arrays.copyOf(clientPages, Math.max(clientPages.length * 2, p + 1));
        Object[] page = clientPages[p];
        if (page == null) clientPages[p] = page = new Object[PAGE];
        return page;
    }
}
