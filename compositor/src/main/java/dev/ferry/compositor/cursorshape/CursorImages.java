package dev.ferry.compositor.cursorshape;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The pictures of wp_cursor_shape's shapes, for backends that draw the cursor themselves
 * (headless, kms). From an XCursor theme when one is installed ($XCURSOR_THEME, else the
 * system's default theme and what it inherits, else Adwaita; looked for in $XCURSOR_PATH or
 * ~/.icons and /usr/share/icons, as libXcursor does; Debian's adwaita-icon-theme puts Adwaita
 * there), else Ferry's own small set ({@link BuiltInCursors}: an arrow, an I-beam, a crosshair;
 * every other shape shows the arrow). Each picture is loaded once.
 */
public final class CursorImages {
    private static final Logger LOG = LoggerFactory.getLogger(CursorImages.class);
    /** The nominal size asked of a theme (XCURSOR_SIZE's usual default). */
    static final int SIZE = 24;

    /** The shape names of wp_cursor_shape_device_v1 (value 1 first), which are the themes' file names. */
    private static final String[] NAMES = {
        "default", "context-menu", "help", "pointer", "progress", "wait", "cell", "crosshair", "text", "vertical-text",
        "alias", "copy", "move", "no-drop", "not-allowed", "grab", "grabbing", "e-resize", "n-resize", "ne-resize",
        "nw-resize", "s-resize", "se-resize", "sw-resize", "w-resize", "ew-resize", "ns-resize", "nesw-resize",
        "nwse-resize", "col-resize", "row-resize", "all-scroll", "zoom-in", "zoom-out"};

    private final List<Path> themeDirs;
    private final CursorImage[] loaded = new CursorImage[NAMES.length + 1];

    /** From the cursor directories found on this machine (none: the built-in set). */
    public static CursorImages system() {
        return new CursorImages(findThemeDirs());
    }

    /** Ferry's own pictures only (tests that must not depend on the machine's theme). */
    public static CursorImages builtIn() {
        return new CursorImages(List.of());
    }

    CursorImages(List<Path> themeDirs) {
        this.themeDirs = themeDirs;
    }

    /** Where the pictures come from, in words. */
    public String source() {
        return themeDirs.isEmpty() ? "Ferry's built-in cursors" : "the cursor theme at " + themeDirs.getFirst();
    }

    /** The shape's name, as the protocol and the themes spell it. */
    public static String name(int shape) {
        if (shape < 1 || shape > NAMES.length) throw new IllegalArgumentException("no cursor shape " + shape);
        return NAMES[shape - 1];
    }

    /** The picture of a wp_cursor_shape shape (1..34). */
    public CursorImage image(int shape) {
        String name = name(shape);
        if (loaded[shape] == null) loaded[shape] = load(name);
        return loaded[shape];
    }

    private CursorImage load(String name) {
        for (Path dir : themeDirs) {
            Path file = dir.resolve(name);
            if (!Files.isReadable(file)) continue;
            try {
                return XcursorFile.read(file.toString(), Files.readAllBytes(file), SIZE);
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("cursor {} from {} unusable ({}): drawing Ferry's own", name, file, e.getMessage());
            }
        }
        return BuiltInCursors.image(name);
    }

    /** The cursors directories of the theme in use and the themes it inherits, first match first. */
    private static List<Path> findThemeDirs() {
        List<Path> roots = new ArrayList<>();
        String path = System.getenv("XCURSOR_PATH");
        if (path != null && !path.isBlank()) {
            for (String p : path.split(":")) if (!p.isBlank()) roots.add(Path.of(p.replaceFirst("^~", System.getProperty("user.home"))));
        } else {
            roots.add(Path.of(System.getProperty("user.home"), ".icons"));
            roots.add(Path.of("/usr/share/icons"));
        }
        String theme = System.getenv("XCURSOR_THEME");
        List<String> themes = new ArrayList<>();
        if (theme != null && !theme.isBlank()) themes.add(theme);
        themes.add("default");
        themes.add("Adwaita");
        List<Path> dirs = new ArrayList<>();
        // A theme names what it inherits in index.theme ("Inherits=Adwaita"): follow a few steps.
        for (int i = 0; i < themes.size() && i < 8; i++) {
            for (Path root : roots) {
                Path t = root.resolve(themes.get(i));
                if (Files.isDirectory(t.resolve("cursors")) && !dirs.contains(t.resolve("cursors"))) dirs.add(t.resolve("cursors"));
                for (String inherited : inherits(t.resolve("index.theme"))) if (!themes.contains(inherited)) themes.add(inherited);
            }
        }
        return dirs;
    }

    private static List<String> inherits(Path indexTheme) {
        if (!Files.isReadable(indexTheme)) return List.of();
        try {
            for (String line : Files.readAllLines(indexTheme)) {
                if (line.startsWith("Inherits=")) {
                    List<String> out = new ArrayList<>();
                    for (String s : line.substring("Inherits=".length()).split("[,;]")) if (!s.isBlank()) out.add(s.trim());
                    return out;
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return List.of();
    }
}
