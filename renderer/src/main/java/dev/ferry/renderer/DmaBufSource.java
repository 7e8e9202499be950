package dev.ferry.renderer;

import java.util.List;

/**
 * A dma-buf as zwp_linux_buffer_params_v1 describes it. The fds are borrowed: the caller
 * owns them and keeps them open for the duration of the import call; a renderer that needs
 * them longer duplicates them.
 */
public record DmaBufSource(int width, int height, int fourcc, long modifier, List<Plane> planes) {
    public record Plane(int fd, int offset, int stride) {}

    public DmaBufSource {
        planes = List.copyOf(planes);
    }
}
