package dev.ferry.protocol;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Wayland interface: its name, highest version Ferry speaks, the signatures of its requests
 * and events (index = opcode), and the generated dispatchers for either side. Instances are
 * created by generated code and registered by name.
 */
public final class Interface {
    private static final Map<String, Interface> BY_NAME = new ConcurrentHashMap<>();

    private final String name;
    private final int version;
    private final Message[] requests;
    private final Message[] events;
    private final Dispatcher requestDispatcher;
    private final Dispatcher eventDispatcher;

    public Interface(String name, int version, Message[] requests, Message[] events,
                     Dispatcher requestDispatcher, Dispatcher eventDispatcher) {
        this.name = name;
        this.version = version;
        this.requests = requests;
        this.events = events;
        this.requestDispatcher = requestDispatcher;
        this.eventDispatcher = eventDispatcher;
        BY_NAME.put(name, this);
    }

    public String name() { return name; }
    public int version() { return version; }
    public Message[] requests() { return requests; }
    public Message[] events() { return events; }
    public Dispatcher requestDispatcher() { return requestDispatcher; }
    public Dispatcher eventDispatcher() { return eventDispatcher; }

    /** The interface with that name, if its generated class has been loaded. */
    public static Interface byName(String name) {
        return BY_NAME.get(name);
    }

    /** Decodes one message's arguments from the reader and calls the target's handler. */
    @FunctionalInterface
    public interface Dispatcher {
        void dispatch(WireObject target, int opcode, WireReader in);
    }

    @Override
    public String toString() {
        return name + " v" + version;
    }
}
