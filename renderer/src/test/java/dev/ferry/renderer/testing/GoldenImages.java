package dev.ferry.renderer.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.ferry.drm.uapi.Fourcc;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Golden PNGs under src/test/resources/golden. A missing golden is written and the test fails
 * (look at it, then commit it); {@code -Dferry.golden.regenerate=true} rewrites them all.
 * Pixels are stored as they are in the frame: ARGB frames keep their premultiplied values
 * in the PNG's (straight) alpha channel, which is lossless for comparison.
 */
public final class GoldenImages {
    private GoldenImages() {}

    public static final Path DIR = Path.of("src", "test", "resources", "golden");

    public static boolean regenerating() {
        return Boolean.getBoolean("ferry.golden.regenerate");
    }

    /** Loads the golden as frame memory, writing it from {@code frame} first when regenerating or missing. */
    public static MemorySegment load(String name, MemorySegment frame, int w, int h, int fourcc, Arena arena) {
        Path file = DIR.resolve(name + ".png");
        try {
            if (regenerating() || !Files.exists(file)) {
                Files.createDirectories(DIR);
                ImageIO.write(toImage(frame, w, h, fourcc), "png", file.toFile());
                if (!regenerating()) fail("golden " + file + " did not exist; written from this run — review it and commit it");
            }
            BufferedImage image = ImageIO.read(file.toFile());
            if (image.getWidth() != w || image.getHeight() != h) fail("golden " + file + " is " + image.getWidth() + "x" + image.getHeight());
            MemorySegment m = arena.allocate(4L * w * h);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) m.set(TestPixels.INT_LE, 4L * (y * w + x), image.getRGB(x, y));
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BufferedImage toImage(MemorySegment frame, int w, int h, int fourcc) {
        boolean alpha = fourcc == Fourcc.ARGB8888;
        BufferedImage image = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = frame.get(TestPixels.INT_LE, 4L * (y * w + x));
                image.setRGB(x, y, alpha ? v : v | 0xff000000);
            }
        }
        return image;
    }
}
