package dev.ferry.compositor.seat;

import dev.ferry.protocol.interfaces.WlPointer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code ferry ctl input} asks the seat to do, parsed once at the control edge:
 *
 * <pre>
 * move X Y                 pointer to layout position X,Y (the first output's top-left is 0,0)
 * click [left|right|middle] press and release a button
 * button NAME down|up      one button edge
 * scroll DY [DX]           wheel steps (positive: down / right), 15 px each
 * key NAME[+NAME...]       press the keys in order, release in reverse (ctrl+c, shift+tab, Return)
 * type TEXT                type the text on the us layout, Shift where needed
 * </pre>
 *
 * A bad command is refused whole, before any event is sent, with a one-line reason.
 */
public sealed interface InputCommand {
    /** Evdev button codes (linux/input-event-codes.h). */
    int BTN_LEFT = 0x110, BTN_RIGHT = 0x111, BTN_MIDDLE = 0x112;
    /** Pixels one wheel step scrolls, as libinput reports a mouse wheel click. */
    double SCROLL_STEP_PX = 15;

    record Move(double x, double y) implements InputCommand {}

    record Click(int button) implements InputCommand {}

    record Button(int button, boolean pressed) implements InputCommand {}

    record Scroll(int verticalSteps, int horizontalSteps) implements InputCommand {}

    record Keys(List<Integer> keys) implements InputCommand {}

    record Type(List<UsKeys.Stroke> strokes) implements InputCommand {}

    String USAGE = "move X Y | click [left|right|middle] | button NAME down|up | scroll DY [DX] | key NAME[+NAME...] | type TEXT";

    static InputCommand parse(String line) {
        String trimmed = line.strip();
        int sp = trimmed.indexOf(' ');
        String verb = (sp < 0 ? trimmed : trimmed.substring(0, sp)).toLowerCase(Locale.ROOT);
        String rest = sp < 0 ? "" : trimmed.substring(sp + 1);
        String[] args = rest.isBlank() ? new String[0] : rest.strip().split("\\s+");
        return switch (verb) {
            case "move" -> {
                need(args, 2, 2, "move X Y");
                yield new Move(number(args[0]), number(args[1]));
            }
            case "click" -> {
                need(args, 0, 1, "click [left|right|middle]");
                yield new Click(args.length == 0 ? BTN_LEFT : button(args[0]));
            }
            case "button" -> {
                need(args, 2, 2, "button NAME down|up");
                boolean down = switch (args[1].toLowerCase(Locale.ROOT)) {
                    case "down", "press" -> true;
                    case "up", "release" -> false;
                    default -> throw new IllegalArgumentException("button state '" + args[1] + "' is neither down nor up");
                };
                yield new Button(button(args[0]), down);
            }
            case "scroll" -> {
                need(args, 1, 2, "scroll DY [DX]");
                yield new Scroll(steps(args[0]), args.length > 1 ? steps(args[1]) : 0);
            }
            case "key" -> {
                need(args, 1, 1, "key NAME[+NAME...]");
                List<Integer> keys = new ArrayList<>();
                for (String name : args[0].split("\\+")) {
                    int k = UsKeys.forName(name);
                    if (k < 0) throw new IllegalArgumentException("no key named '" + name + "' (letters, digits, Return, BackSpace, Tab, Escape, ctrl, shift, alt, super, Left, F1 ...)");
                    keys.add(k);
                }
                yield new Keys(List.copyOf(keys));
            }
            case "type" -> {
                if (rest.isEmpty()) throw new IllegalArgumentException("type needs text");
                List<UsKeys.Stroke> strokes = new ArrayList<>(rest.length());
                for (int i = 0; i < rest.length(); i++) {
                    UsKeys.Stroke s = UsKeys.forChar(rest.charAt(i));
                    if (s == null) throw new IllegalArgumentException("the us layout has no key for '" + rest.charAt(i) + "' (character " + i + ")");
                    strokes.add(s);
                }
                yield new Type(List.copyOf(strokes));
            }
            default -> throw new IllegalArgumentException("unknown input command '" + verb + "' (" + USAGE + ")");
        };
    }

    /** Sends the command's events through the seat, on the event loop. */
    default void applyTo(Seat seat) {
        switch (this) {
            case Move m -> seat.pointerMoveTo(m.x(), m.y());
            case Click c -> {
                seat.pointerButton(c.button(), true);
                seat.pointerButton(c.button(), false);
            }
            case Button b -> seat.pointerButton(b.button(), b.pressed());
            case Scroll s -> {
                if (s.verticalSteps() != 0) {
                    seat.pointerAxis(WlPointer.AXIS_VERTICAL_SCROLL, s.verticalSteps() * SCROLL_STEP_PX, s.verticalSteps());
                }
                if (s.horizontalSteps() != 0) {
                    seat.pointerAxis(WlPointer.AXIS_HORIZONTAL_SCROLL, s.horizontalSteps() * SCROLL_STEP_PX, s.horizontalSteps());
                }
            }
            case Keys k -> {
                for (int key : k.keys()) seat.key(key, true);
                for (int i = k.keys().size() - 1; i >= 0; i--) seat.key(k.keys().get(i), false);
            }
            case Type t -> {
                for (UsKeys.Stroke s : t.strokes()) {
                    if (s.shift()) seat.key(UsKeys.KEY_LEFTSHIFT, true);
                    seat.key(s.key(), true);
                    seat.key(s.key(), false);
                    if (s.shift()) seat.key(UsKeys.KEY_LEFTSHIFT, false);
                }
            }
        }
    }

    private static void need(String[] args, int min, int max, String usage) {
        if (args.length < min || args.length > max) throw new IllegalArgumentException("usage: " + usage);
    }

    private static double number(String s) {
        try {
            double d = Double.parseDouble(s);
            if (!Double.isFinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number");
        }
    }

    private static int steps(String s) {
        try {
            int n = Integer.parseInt(s);
            if (Math.abs(n) > 1000) throw new IllegalArgumentException("scroll of " + n + " steps is too far (at most 1000)");
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a whole number of wheel steps");
        }
    }

    private static int button(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "left", "1" -> BTN_LEFT;
            case "right", "3" -> BTN_RIGHT;
            case "middle", "2" -> BTN_MIDDLE;
            default -> throw new IllegalArgumentException("no button named '" + name + "' (left, right, middle)");
        };
    }
}
