package dev.ferry.drm;

import dev.ferry.drm.topology.Topologies;
import dev.ferry.drm.topology.Topology;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Topologies kept under src/test/resources. */
final class TestTopologies {
    private TestTopologies() {}

    static Topology load(String name) {
        try (InputStream in = TestTopologies.class.getResourceAsStream("/" + name + ".json")) {
            return Topologies.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
