package dev.ferry.testclients.video;

import dev.ferry.client.DmabufWindow;
import dev.ferry.compositor.cli.Ferry;
import dev.ferry.compositor.cli.SizeArg;
import dev.ferry.drm.uapi.Modifiers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** `ferry client …`: sample clients, registered with the ferry command through ServiceLoader. */
@Command(name = "client", mixinStandardHelpOptions = true, description = "Sample Wayland clients.",
        subcommands = {ClientCommand.Video.class})
public final class ClientCommand {
    /** The ServiceLoader entry. */
    public static final class Subcommand implements Ferry.FerrySubcommand {
        @Override public String name() { return "client"; }
        @Override public Object command() { return new ClientCommand(); }
    }

    /** `ferry client video`. Exit status: 0, 1 on failure, 2 on a protocol error. */
    @Command(name = "video", mixinStandardHelpOptions = true,
            description = "Play a test video (frame number in the pixels); print a JSON summary at exit.")
    static final class Video implements Callable<Integer> {
        @Option(names = "--buffers", defaultValue = "dmabuf", description = "dmabuf or shm. Default: ${DEFAULT-VALUE}")
        String buffers;

        @Option(names = "--size", defaultValue = "640x360", converter = SizeArg.SizeConverter.class,
                description = "WxH (fullscreen: the output's size wins). Default: ${DEFAULT-VALUE}")
        SizeArg size;

        @Option(names = "--fps", defaultValue = "0", description = "Frames per second; 0 paces by frame callbacks. Default: ${DEFAULT-VALUE}")
        int fps;

        @Option(names = "--frames", defaultValue = "300", description = "Frames to play. Default: ${DEFAULT-VALUE}")
        int frames;

        @Option(names = "--fullscreen", description = "Ask to be fullscreen")
        boolean fullscreen;

        @Option(names = "--output", paramLabel = "NAME", description = "With --fullscreen: the output to fill (wl_output name, e.g. HDMI-A-1)")
        String output;

        @Option(names = "--modifier", description = "Force the first allocation's modifier (LINEAR, FAKE_TILED_4X4, FAKE_TILED_16X16_COLUMN, INVALID or a number)")
        String modifier;

        @Option(names = "--device", description = "Allocate on this device (card0, card1…) whatever the feedback says (PRIME offload)")
        String device;

        @Option(names = "--topology", description = "The fake-drm topology the compositor runs on. Default: $FERRY_TOPOLOGY, else hybrid-laptop")
        String topology;

        @Option(names = "--socket", description = "Wayland socket (default: $WAYLAND_DISPLAY)")
        String socket;

        @Option(names = "--create", defaultValue = "immed", description = "immed (create_immed) or async (create + created/failed). Default: ${DEFAULT-VALUE}")
        String create;

        @Option(names = "--hang-fence-at", defaultValue = "-1", description = "Misbehave: frame N's buffer gets a write fence that never signals, then the client stops drawing")
        long hangFenceAt;

        @Option(names = "--title", defaultValue = "video")
        String title;

        @Option(names = "--sync", defaultValue = "implicit",
                description = "implicit (dma-buf fences) or explicit (wp_linux_drm_syncobj_v1 acquire/release points). Default: ${DEFAULT-VALUE}")
        String sync;

        @Option(names = "--render-ms", defaultValue = "0", description = "Each dma-buf frame is a fake GPU job this long (0: none). Default: ${DEFAULT-VALUE}")
        double renderMs;

        @Option(names = "--boosted-ms", defaultValue = "-1",
                description = "How fast a job can go when the compositor's deadline hint hurries it (default: no faster)")
        double boostedMs;

        @Option(names = "--fifo", description = "wp_fifo_v1: every frame waits for the previous one to be shown once")
        boolean fifo;

        @Option(names = "--present-at", defaultValue = "0", paramLabel = "FPS",
                description = "wp_commit_timing_v1: frame n is not shown before start + n/FPS (the client commits as fast as buffers allow)")
        int presentAt;

        @Override
        public Integer call() throws Exception {
            int w = size.width(), h = size.height();
            DmabufWindow.Buffers b = switch (buffers) {
                case "dmabuf" -> DmabufWindow.Buffers.DMABUF;
                case "shm" -> DmabufWindow.Buffers.SHM;
                default -> throw new IllegalArgumentException("--buffers must be dmabuf or shm");
            };
            if (!create.equals("immed") && !create.equals("async")) throw new IllegalArgumentException("--create must be immed or async");
            VideoClient.Options o = VideoClient.Options.of(socket).buffers(b).size(w, h).fps(fps).frames(frames)
                    .fullscreen(fullscreen || output != null).output(output).modifier(modifier == null ? null : Modifiers.parse(modifier)).device(device)
                    .topology(topology).title(title).asyncCreate(create.equals("async")).hangFenceAt(hangFenceAt)
                    .pacing(pacing());
            VideoClient.Summary s = new VideoClient(o).run();
            System.out.println(s.toJson());
            if (s.protocolError() != null) return 2;
            return s.failure() != null ? 1 : 0;
        }

        private VideoClient.Pacing pacing() {
            DmabufWindow.Sync sy = switch (sync) {
                case "implicit" -> DmabufWindow.Sync.IMPLICIT;
                case "explicit" -> DmabufWindow.Sync.EXPLICIT;
                default -> throw new IllegalArgumentException("--sync must be implicit or explicit, not " + sync);
            };
            if (renderMs < 0) throw new IllegalArgumentException("--render-ms must not be negative: " + renderMs);
            if (presentAt < 0) throw new IllegalArgumentException("--present-at must not be negative: " + presentAt);
            long render = (long) (renderMs * 1e6);
            long fastest = boostedMs < 0 ? render : (long) (boostedMs * 1e6);
            return new VideoClient.Pacing(sy, render, fastest, fifo, presentAt);
        }
    }
}
