package dev.ferry.protocol.server;

import dev.ferry.protocol.Interface;
import dev.ferry.protocol.Message;
import dev.ferry.protocol.WireObject;
import dev.ferry.protocol.WireWriter;

/**
 * The server's end of one protocol object.
 *
 * <p>Lifecycle (the one rule for every interface): a resource is destroyed by its destructor
 * request (after the handler ran, if the handler did not already), by {@link #destroy()} from
 * compositor code, or with its client. Destruction removes it from the client's id table,
 * answers client-allocated ids with wl_display.delete_id, and tells an implementation that
 * implements {@link DestroyListener}. Events sent to a destroyed resource are dropped: a
 * destroyed resource is inert, never an error.
 */
public final class Resource implements WireObject {
    /** Implemented by a handler object that must learn when its resource goes away. */
    public interface DestroyListener {
        void destroyed(Resource resource);
    }

    private final Client client;
    private final int id;
    private final Interface iface;
    private final int version;
    private Object implementation;
    private boolean destroyed;

    Resource(Client client, int id, Interface iface, int version, Object implementation) {
        this.client = client;
        this.id = id;
        this.iface = iface;
        this.version = version;
        this.implementation = implementation;
    }

    @Override public int id() { return id; }
    @Override public Interface iface() { return iface; }
    @Override public int version() { return version; }

    public Client client() { return client; }

    public Object implementation() { return implementation; }

    /** The implementation as type, or null if it is something else (a checked cast). */
    public <T> T implementation(Class<T> type) {
        return type.isInstance(implementation) ? type.cast(implementation) : null;
    }

    public void setImplementation(Object implementation) {
        this.implementation = implementation;
    }

    public boolean destroyed() { return destroyed; }

    /** Starts an event on this resource, or null when it cannot be delivered (destroyed, client gone). */
    public WireWriter beginEvent(int opcode) {
        if (destroyed || client.disconnected()) return null;
        Message m = iface.events()[opcode];
        if (version < m.since()) {
            throw new IllegalStateException(iface.name() + "." + m.name() + " needs version " + m.since()
                    + ", resource has " + version);
        }
        return client.connection().writer().begin(this, opcode, m);
    }

    /** Sends a protocol error about this object and disconnects its client. */
    public void postError(int code, String message) {
        client.postError(this, code, message);
    }

    public void destroy() {
        if (destroyed) return;
        destroyed = true;
        client.forget(this);
        if (implementation instanceof DestroyListener l) l.destroyed(this);
    }

    @Override
    public String toString() {
        return iface.name() + "@" + Integer.toUnsignedString(id);
    }
}
