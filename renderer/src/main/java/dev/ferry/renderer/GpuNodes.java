package dev.ferry.renderer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The device nodes through which a GPU driver reaches hardware: DRM render and card nodes
 * (Mesa, and the kernel drivers Vulkan ICDs open) and NVIDIA's proprietary nodes. With none of
 * them, every EGL or Vulkan implementation that can start is a software rasterizer.
 */
final class GpuNodes {
    private GpuNodes() {}

    /** The GPU nodes under dev ("/dev"), in name order; empty where there are none or dev cannot be read. */
    static List<Path> in(Path dev) {
        List<Path> nodes = new ArrayList<>();
        try (Stream<Path> dri = Files.list(dev.resolve("dri"))) {
            dri.filter(p -> p.getFileName().toString().matches("renderD\\d+|card\\d+")).forEach(nodes::add);
        } catch (IOException noDri) {
            // No /dev/dri: no DRM driver is loaded.
        }
        try (Stream<Path> all = Files.list(dev)) {
            all.filter(p -> p.getFileName().toString().matches("nvidia\\d+")).forEach(nodes::add);
        } catch (IOException unreadable) {
            // Treated as none: auto then takes the CPU renderer, --renderer still forces the others.
        }
        nodes.sort(null);
        return nodes;
    }
}
