package dev.ferry.protocol;

/**
 * An object on one side of a connection: a server-side resource or a client-side proxy.
 * Both carry an id, an interface and the version agreed for it.
 */
public interface WireObject {
    int id();

    Interface iface();

    int version();
}
