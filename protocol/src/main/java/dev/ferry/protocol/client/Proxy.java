package dev.ferry.protocol.client;

import dev.ferry.protocol.Interface;
import dev.ferry.protocol.Message;
import dev.ferry.protocol.WireObject;
import dev.ferry.protocol.WireWriter;

/** The client's end of one protocol object. Events go to its listener, if any. */
public final class Proxy implements WireObject {
    private final ClientDisplay display;
    private final int id;
    private final Interface iface;
    private final int version;
    private Object listener;
    private Object userData;
    private boolean destroyed;

    Proxy(ClientDisplay display, int id, Interface iface, int version) {
        this.display = display;
        this.id = id;
        this.iface = iface;
        this.version = version;
    }

    @Override public int id() { return id; }
    @Override public Interface iface() { return iface; }
    @Override public int version() { return version; }

    public ClientDisplay display() { return display; }

    public Object listener() { return listener; }

    /** Sets the listener; it must implement the generated Listener of this proxy's interface. */
    public Proxy listen(Object listener) {
        this.listener = listener;
        return this;
    }

    public Object userData() { return userData; }

    public Proxy userData(Object data) {
        this.userData = data;
        return this;
    }

    public boolean isDestroyed() { return destroyed; }

    /** Starts a request; null when the proxy is already destroyed or the connection is dead. */
    public WireWriter beginRequest(int opcode) {
        if (destroyed || display.failed()) return null;
        Message m = iface.requests()[opcode];
        if (version < m.since()) {
            throw new IllegalStateException(iface.name() + "." + m.name() + " needs version " + m.since() + ", proxy has " + version);
        }
        return display.connection().writer().begin(this, opcode, m);
    }

    /** Called after a destructor request: the id stays reserved until the server's delete_id. */
    public void destroyed() {
        destroyed = true;
        listener = null;
    }

    @Override
    public String toString() {
        return iface.name() + "@" + Integer.toUnsignedString(id);
    }
}
