package dev.ferry.testclients.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * Which sample clients the demo runs and where it puts them: for every output a fullscreen or
 * windowed video, shm and dma-buf, and one client that allocates on the dGPU (PRIME offload).
 * On hybrid-laptop that exercises each step of the path chain: direct scanout (dma-buf
 * fullscreen, after feedback), GPU composition (windowed and shm), and the system-RAM copy
 * (vram the render device cannot reach).
 *
 * @param output   the output the demo moves the window to (null: where the compositor put it)
 * @param device   allocate on this device whatever the feedback says (null: follow feedback)
 * @param modifier the first allocation's modifier (null: follow feedback), to show recovery
 */
public record DemoPlan(String title, boolean dmabuf, boolean fullscreen, int width, int height, String output,
                       String device, String modifier) {

    public String buffers() { return dmabuf ? "dmabuf" : "shm"; }

    public String placement() { return fullscreen ? "fullscreen" : "windowed"; }

    /** The clients for a topology whose outputs are listed (first = primary, where fullscreen goes). */
    public static List<DemoPlan> forOutputs(List<String> outputs, List<String> renderDevices) {
        List<DemoPlan> plans = new ArrayList<>();
        if (outputs.isEmpty()) return plans;
        String primary = outputs.getFirst();
        // Starts with the implicit modifier, which the primary plane cannot scan out: feedback
        // then adds a scanout tranche and the client reallocates; the report shows how long that took.
        plans.add(new DemoPlan("video-" + primary + "-fullscreen-dmabuf", true, true, 0, 0, null, null, "INVALID"));
        // Windows go on the other outputs (the fullscreen video would cover them on the primary),
        // largest first: each maps above the one before and covers only part of it.
        for (String o : outputs.size() > 1 ? outputs.subList(1, outputs.size()) : outputs) {
            plans.add(new DemoPlan("video-" + o + "-windowed-dmabuf", true, false, 640, 360, o, null, null));
            plans.add(new DemoPlan("video-" + o + "-windowed-shm", false, false, 480, 270, o, null, null));
        }
        String offloadDevice = renderDevices.size() > 1 ? renderDevices.get(1) : null;
        if (offloadDevice != null) {
            plans.add(new DemoPlan("video-offload-" + offloadDevice, true, false, 320, 180,
                    outputs.size() > 1 ? outputs.get(1) : null, offloadDevice, null));
        }
        return plans;
    }
}
