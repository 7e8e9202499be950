package dev.ferry.compositor.cursorshape;

/**
 * Ferry's own cursor pictures, for a machine with no cursor theme: drawn from the small maps
 * below ('#' outline, '.' fill, anything else clear), black outline on white as the usual
 * themes draw them, so they show on any background. The hotspot is the '@' cell (outline
 * colour). Shapes without a map of their own show the arrow.
 */
final class BuiltInCursors {
    private static final int OUTLINE = 0xff000000, FILL = 0xffffffff;

    private static final String[] ARROW = {
        "@          ",
        "##         ",
        "#.#        ",
        "#..#       ",
        "#...#      ",
        "#....#     ",
        "#.....#    ",
        "#......#   ",
        "#.......#  ",
        "#........# ",
        "#.....#####",
        "#..#..#    ",
        "#.# #..#   ",
        "##  #..#   ",
        "#    #..#  ",
        "     #..#  ",
        "      ##   "};

    private static final String[] IBEAM = {
        "###.###",
        "#..#..#",
        "###.###",
        "  #.#  ",
        "  #.#  ",
        "  #.#  ",
        "  #.#  ",
        "  #@#  ",
        "  #.#  ",
        "  #.#  ",
        "  #.#  ",
        "  #.#  ",
        "###.###",
        "#..#..#",
        "###.###"};

    private static final String[] CROSSHAIR = {
        "      ###      ",
        "      #.#      ",
        "      #.#      ",
        "      #.#      ",
        "      #.#      ",
        "      #.#      ",
        "#######.#######",
        "#......@......#",
        "#######.#######",
        "      #.#      ",
        "      #.#      ",
        "      #.#      ",
        "      #.#      ",
        "      #.#      ",
        "      ###      "};

    private BuiltInCursors() {}

    static CursorImage image(String shapeName) {
        return switch (shapeName) {
            case "text", "vertical-text" -> draw(shapeName, IBEAM);
            case "crosshair", "cell" -> draw(shapeName, CROSSHAIR);
            default -> draw(shapeName, ARROW);
        };
    }

    private static CursorImage draw(String name, String[] map) {
        int h = map.length, w = 0;
        for (String row : map) w = Math.max(w, row.length());
        int[] px = new int[w * h];
        int hx = 0, hy = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < map[y].length(); x++) {
                char c = map[y].charAt(x);
                if (c == '@') {
                    hx = x;
                    hy = y;
                }
                px[y * w + x] = c == '#' || c == '@' ? OUTLINE : c == '.' ? FILL : 0;
            }
        }
        return new CursorImage(name, w, h, hx, hy, px);
    }
}
