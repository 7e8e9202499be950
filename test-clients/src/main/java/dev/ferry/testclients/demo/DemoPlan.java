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
                       String device, String modifier, double startFraction) {

    /** Starting with the run. */
    public DemoPlan(String title, boolean dmabuf, boolean fullscreen, int width, int height, String output, String device, String modifier) {
        this(title, dmabuf, fullscreen, width, height, output, device, modifier, 0);
    }

    /** The same client, started no earlier than that far into the run (0: at once, 0.5: halfway). */
    DemoPlan startingAt(double fraction) {
        return new DemoPlan(title, dmabuf, fullscreen, width, height, output, device, modifier, fraction);
    }

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
        // largest first: each maps above the one before and covers only part of it. With one
        // output they start halfway, once the fullscreen video, alone on the screen, has reached
        // direct scanout (at the latest at 80 % of the run); then they map over it.
        boolean single = outputs.size() == 1;
        for (String o : single ? outputs : outputs.subList(1, outputs.size())) {
            DemoPlan dmabuf = new DemoPlan("video-" + o + "-windowed-dmabuf", true, false, 640, 360, o, null, null);
            DemoPlan shm = new DemoPlan("video-" + o + "-windowed-shm", false, false, 480, 270, o, null, null);
            plans.add(single ? dmabuf.startingAt(0.5) : dmabuf);
            plans.add(single ? shm.startingAt(0.5) : shm);
        }
        String offloadDevice = renderDevices.size() > 1 ? renderDevices.get(1) : null;
        if (offloadDevice != null) {
            DemoPlan offload = new DemoPlan("video-offload-" + offloadDevice, true, false, 320, 180,
                    outputs.size() > 1 ? outputs.get(1) : null, offloadDevice, null);
            plans.add(single ? offload.startingAt(0.5) : offload);
        }
        return plans;
    }

    /**
     * PRIME offload alone: every client allocates on the second render device, fullscreen on
     * the primary output, windowed on each output.
     */
    public static List<DemoPlan> offload(List<String> outputs, List<String> renderDevices) {
        List<DemoPlan> plans = new ArrayList<>();
        if (outputs.isEmpty() || renderDevices.size() < 2) return plans;
        String dgpu = renderDevices.get(1);
        plans.add(new DemoPlan("offload-" + dgpu + "-fullscreen-" + outputs.getFirst(), true, true, 0, 0, null, dgpu, null));
        for (String o : outputs.size() > 1 ? outputs.subList(1, outputs.size()) : outputs) {
            DemoPlan w = new DemoPlan("offload-" + dgpu + "-windowed-" + o, true, false, 640, 360, o, dgpu, null);
            plans.add(outputs.size() == 1 ? w.startingAt(0.5) : w);
        }
        return plans;
    }
}
