package dev.ferry.compositor.backend.nested;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Ferry's serials map back to the host event whose forwarding sent them. */
class HostSerialsTest {
    @Test
    void eachFerrySerialMapsToTheHostEventThatCausedIt() {
        HostSerials s = new HostSerials();
        assertEquals(HostSerials.UNKNOWN, s.hostSerialFor(5), "before any host input there is nothing to quote");
        s.forwarded(100, 10, 12); // a host enter: Ferry sent serials 11 and 12
        s.forwarded(101, 12, 12); // a host key with nobody focused inside: no Ferry serial
        s.forwarded(102, 12, 13); // a host button: Ferry serial 13
        assertEquals(100, s.hostSerialOf(11));
        assertEquals(100, s.hostSerialOf(12));
        assertEquals(102, s.hostSerialOf(13));
        assertEquals(HostSerials.UNKNOWN, s.hostSerialOf(10), "a serial from before the host's input");
        assertEquals(HostSerials.UNKNOWN, s.hostSerialOf(14), "a serial Ferry made on its own since");
        assertEquals(102, s.hostSerialFor(14), "one Ferry made on its own quotes the latest host input's");
    }

    @Test
    void serialsWrapAroundAsTheProtocolsCountersDo() {
        HostSerials s = new HostSerials();
        s.forwarded(7, Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1);
        assertEquals(7, s.hostSerialOf(Integer.MAX_VALUE));
        assertEquals(7, s.hostSerialOf(Integer.MIN_VALUE));
        assertEquals(7, s.hostSerialOf(Integer.MIN_VALUE + 1));
        assertEquals(HostSerials.UNKNOWN, s.hostSerialOf(Integer.MIN_VALUE + 2));
    }

    @Test
    void onlyTheLastHostEventsAreKept() {
        HostSerials s = new HostSerials();
        for (int i = 0; i < HostSerials.CAPACITY + 1; i++) s.forwarded(1000 + i, i, i + 1);
        assertEquals(HostSerials.UNKNOWN, s.hostSerialOf(1), "the oldest fell out of the ring");
        assertEquals(1001, s.hostSerialOf(2));
        assertEquals(1000 + HostSerials.CAPACITY, s.hostSerialOf(HostSerials.CAPACITY + 1));
    }
}
