package dev.ferry.compositor.crossdevice;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Every cross-device scenario again, with the Vulkan renderer composing (lavapipe in CI). */
class CrossDeviceOutputsVulkanTest extends CrossDeviceOutputsTest {
    @BeforeAll
    static void composeWithVulkan() {
        renderer = "vulkan";
    }

    @AfterAll
    static void back() {
        renderer = "auto";
    }
}
