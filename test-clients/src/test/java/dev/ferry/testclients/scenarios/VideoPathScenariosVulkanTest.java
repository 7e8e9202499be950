package dev.ferry.testclients.scenarios;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The path chain's kms scenarios again, with the Vulkan renderer composing (lavapipe in CI). */
class VideoPathScenariosVulkanTest extends VideoPathScenariosTest {
    @BeforeAll
    static void composeWithVulkan() {
        KmsFerry.renderer = "vulkan";
    }

    @AfterAll
    static void back() {
        KmsFerry.renderer = "gles";
    }
}
