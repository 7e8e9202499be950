package dev.ferry.protocol.server;

import dev.ferry.protocol.Interface;

/** Something advertised through wl_registry: a name, an interface, its version, a binder. */
public final class Global {
    /** Creates the resource for a client's bind. */
    @FunctionalInterface
    public interface Binder {
        void bind(Client client, int version, int id);
    }

    private final int name;
    private final Interface iface;
    private final int version;
    private final Binder binder;
    private boolean removed;

    Global(int name, Interface iface, int version, Binder binder) {
        this.name = name;
        this.iface = iface;
        this.version = version;
        this.binder = binder;
    }

    public int name() { return name; }
    public Interface iface() { return iface; }
    public int version() { return version; }
    Binder binder() { return binder; }
    public boolean removed() { return removed; }
    void markRemoved() { removed = true; }
}
