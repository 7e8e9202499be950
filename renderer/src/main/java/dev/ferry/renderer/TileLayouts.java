package dev.ferry.renderer;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hook through which tiled-modifier layouts reach the renderers: layouts found by
 * {@link ServiceLoader} (a {@code META-INF/services/dev.ferry.renderer.TileLayout} entry) plus
 * any {@link #register registered} at run time. Looked up once per import, never per pixel.
 */
public final class TileLayouts {
    private static final Map<Long, TileLayout> LAYOUTS = new ConcurrentHashMap<>();

    static {
        for (TileLayout layout : ServiceLoader.load(TileLayout.class)) {
            LAYOUTS.putIfAbsent(layout.modifier(), layout);
        }
    }

    private TileLayouts() {}

    public static void register(TileLayout layout) {
        LAYOUTS.put(layout.modifier(), layout);
    }

    public static void unregister(long modifier) {
        LAYOUTS.remove(modifier);
    }

    public static Optional<TileLayout> find(long modifier) {
        return Optional.ofNullable(LAYOUTS.get(modifier));
    }
}
