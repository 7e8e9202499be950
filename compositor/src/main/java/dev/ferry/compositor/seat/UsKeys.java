package dev.ferry.compositor.seat;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which evdev key (and whether Shift) produces a character or a named key on the us layout,
 * so that {@code ferry ctl input type|key} can press real keys and the client's own keymap
 * turns them back into keysyms, as it would for a physical keyboard.
 */
public final class UsKeys {
    /** An evdev key code (linux/input-event-codes.h) and whether Shift must be held for it. */
    public record Stroke(int key, boolean shift) {}

    public static final int KEY_ESC = 1, KEY_BACKSPACE = 14, KEY_TAB = 15, KEY_ENTER = 28, KEY_LEFTCTRL = 29,
            KEY_LEFTSHIFT = 42, KEY_LEFTALT = 56, KEY_SPACE = 57, KEY_CAPSLOCK = 58, KEY_LEFTMETA = 125;

    /** Modifier bits as the compiled keymap numbers its real modifiers (Shift, Lock, Control, Mod1 .. Mod5). */
    public static final int MOD_SHIFT = 1, MOD_CONTROL = 1 << 2, MOD_ALT = 1 << 3, MOD_SUPER = 1 << 6;

    private static final Map<Character, Stroke> CHARS = new HashMap<>();
    private static final Map<String, Integer> NAMES = new HashMap<>();

    private static void row(int firstKey, String plain, String shifted) {
        for (int i = 0; i < plain.length(); i++) {
            CHARS.put(plain.charAt(i), new Stroke(firstKey + i, false));
            CHARS.put(shifted.charAt(i), new Stroke(firstKey + i, true));
        }
    }

    static {
        row(2, "1234567890-=", "!@#$%^&*()_+");
        row(16, "qwertyuiop[]", "QWERTYUIOP{}");
        row(30, "asdfghjkl;'`", "ASDFGHJKL:\"~");
        row(43, "\\zxcvbnm,./", "|ZXCVBNM<>?");
        CHARS.put(' ', new Stroke(KEY_SPACE, false));
        CHARS.put('\n', new Stroke(KEY_ENTER, false));
        CHARS.put('\t', new Stroke(KEY_TAB, false));
        for (Map.Entry<Character, Stroke> e : CHARS.entrySet()) {
            if (!e.getValue().shift() && Character.isLetterOrDigit(e.getKey())) NAMES.put(String.valueOf(e.getKey()), e.getValue().key());
        }
        Object[] named = {"escape", KEY_ESC, "esc", KEY_ESC, "backspace", KEY_BACKSPACE, "tab", KEY_TAB, "return", KEY_ENTER,
                "enter", KEY_ENTER, "space", KEY_SPACE, "ctrl", KEY_LEFTCTRL, "control", KEY_LEFTCTRL, "shift", KEY_LEFTSHIFT,
                "alt", KEY_LEFTALT, "super", KEY_LEFTMETA, "capslock", KEY_CAPSLOCK, "home", 102, "up", 103, "pageup", 104,
                "left", 105, "right", 106, "end", 107, "down", 108, "pagedown", 109, "insert", 110, "delete", 111,
                "minus", 12, "equal", 13, "comma", 51, "period", 52, "slash", 53};
        for (int i = 0; i < named.length; i += 2) NAMES.put((String) named[i], (Integer) named[i + 1]);
        for (int f = 1; f <= 10; f++) NAMES.put("f" + f, 58 + f);
        NAMES.put("f11", 87);
        NAMES.put("f12", 88);
    }

    private UsKeys() {}

    /** The stroke that types c, or null when the us layout has no key for it. */
    public static Stroke forChar(char c) {
        return CHARS.get(c);
    }

    /** The key code of a key name (a letter, a digit, "return", "ctrl", "f5" ...), or -1. */
    public static int forName(String name) {
        Integer k = NAMES.get(name.toLowerCase(Locale.ROOT));
        return k == null ? -1 : k;
    }

    /** The modifier bit a key sets while held, or 0. */
    public static int modifierOf(int key) {
        return switch (key) {
            case KEY_LEFTSHIFT, 54 -> MOD_SHIFT;
            case KEY_LEFTCTRL, 97 -> MOD_CONTROL;
            case KEY_LEFTALT, 100 -> MOD_ALT;
            case KEY_LEFTMETA, 126 -> MOD_SUPER;
            default -> 0;
        };
    }
}
