package dev.ferry.testclients.scenarios;

import dev.ferry.client.WaylandClient;
import dev.ferry.compositor.Compositor;
import dev.ferry.compositor.backend.kms.KmsBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A kms Ferry must advertise zwp_linux_dmabuf_v1 v5. Fails today: Compositor.build() creates the
 * global only when backend.devices() is present, and the kms backend opens its kernel in start(),
 * which build() calls after that check. (The scenario tests work around it in KmsFerry.)
 */
@Timeout(30)
class LinuxDmabufAdvertisedTest {
    @Test
    void kmsFerryAdvertisesLinuxDmabuf() throws Exception {
        Path dir = Files.createTempDirectory("ferry-adv-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Compositor c = Compositor.create(Compositor.Options.kms(dir, "wayland-adv", KmsBackend.Config.of("laptop-igpu")))) {
            c.startThread();
            try (WaylandClient client = WaylandClient.connect(dir.resolve("wayland-adv").toString())) {
                assertNotNull(client.global("zwp_linux_dmabuf_v1"), "globals: " + client.globals());
            }
        }
    }
}
