package dev.ferry.protocol;

/**
 * The signature of one request or event: what the validator walks before a message is
 * dispatched and what the tracer prints. Generated code builds one per message.
 *
 * @param name wire name, e.g. "attach"
 * @param since the first interface version that has it
 * @param types one {@link ArgType} per argument; an untyped new_id counts as one argument here
 * @param argNames argument names, for traces
 * @param nullable whether each string/object/new_id argument may be null
 * @param interfaces for object and new_id arguments, the interface name they must have (null if any)
 * @param destructor whether the request destroys its object
 */
public record Message(String name, int since, byte[] types, String[] argNames, boolean[] nullable,
                      String[] interfaces, boolean destructor) {

    public int fdCount() {
        int n = 0;
        for (byte t : types) if (t == ArgType.FD) n++;
        return n;
    }
}
