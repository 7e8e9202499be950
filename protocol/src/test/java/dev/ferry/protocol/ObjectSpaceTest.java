package dev.ferry.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The id table across its page boundaries, as a client that walks its ids up uses it. */
class ObjectSpaceTest {
    private record Obj(int id) implements WireObject {
        @Override public Interface iface() { return null; }
        @Override public int version() { return 1; }
    }

    @Test
    void aClientWalkingItsIdsUpIsServedPageByPage() {
        ObjectSpace<Obj> space = new ObjectSpace<>();
        // A never-reader's pattern: each sync's callback made at the next id and destroyed at once.
        for (int id = 1; id <= 200_000; id++) {
            assertNull(space.checkNewClientId(id), "id " + id);
            Obj o = new Obj(id);
            space.put(o);
            assertSame(o, space.get(id));
            space.remove(id);
            assertNull(space.get(id));
        }
        assertEquals(0, space.size());
        assertEquals("new id 200002 skips ahead (next is 200001)", space.checkNewClientId(200_002));
        assertNull(space.get(200_001), "past the highest id used");
        assertNull(space.get(-5), "an id with the top bit set is unknown, not out of bounds");
        assertEquals(1, space.nextClientId(), "the lowest freed id");
    }

    @Test
    void idsAroundAPageBoundaryKeepTheirObjects() {
        ObjectSpace<Obj> space = new ObjectSpace<>();
        for (int id = 1; id <= 2050; id++) space.put(new Obj(id));
        for (int id : new int[] {1, 1023, 1024, 1025, 2047, 2048, 2049, 2050}) assertEquals(id, space.get(id).id());
        assertEquals("new id 1024 is already in use", space.checkNewClientId(1024));
        space.remove(1024);
        assertNull(space.checkNewClientId(1024));
        assertEquals(2049, space.size());
        var all = space.snapshot();
        assertEquals(2049, all.size());
        assertEquals(2050, all.get(0).id(), "highest id first");
        assertEquals(1, all.get(all.size() - 1).id());
        assertNull(space.get(ObjectSpace.MAX_IDS - 1), "an id far past any page made");
    }
}
