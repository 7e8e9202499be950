package dev.ferry.compositor.backend.nested;

import dev.ferry.compositor.output.Output;
import dev.ferry.compositor.seat.Keymap;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.posix.OwnedFd;
import dev.ferry.protocol.client.Proxy;
import dev.ferry.protocol.interfaces.WlKeyboard;
import dev.ferry.protocol.interfaces.WlPointer;
import dev.ferry.protocol.interfaces.WlSeat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.util.function.Function;

/**
 * The host's seat driving Ferry's seat0: pointer events on an output's window become pointer
 * events at that output's place in Ferry's layout (the window shows the output 1:1), buttons,
 * wheel steps and keys go through as they are, and the host's keymap fd and modifier state are
 * passed on, so Ferry's clients decode keys exactly as the host would. Ferry's seat gives its
 * own serials to its clients; which host serial each of them stands for is kept in
 * {@link HostSerials}, for inner requests that must reach the host (a selection), and the host's
 * last enter serial for the host cursor. Keyboard focus inside Ferry follows Ferry's clicks, not
 * the host's focus of the window; the host's focus leaving the window ends inner popup grabs.
 */
final class HostSeat {
    private static final Logger LOG = LoggerFactory.getLogger(HostSeat.class);

    private final Seat seat;
    private final Proxy hostSeat;
    private final HostSerials serials = new HostSerials();
    private final Function<Proxy, Output> outputOfSurface;
    private Proxy pointer;
    private Proxy keyboard;
    /** The output whose window has the host pointer, or null. */
    private Output under;
    private int hostEnterSerial;
    private int pendingSteps;
    private long keysForwarded;

    HostSeat(Proxy hostSeat, Seat seat, Function<Proxy, Output> outputOfSurface) {
        this.seat = seat;
        this.hostSeat = hostSeat;
        this.outputOfSurface = outputOfSurface;
        hostSeat.listen(new WlSeat.Listener() {
            @Override
            public void capabilities(Proxy self, int caps) {
                if ((caps & WlSeat.CAPABILITY_POINTER) != 0 && pointer == null) {
                    pointer = WlSeat.getPointer(self);
                    pointer.listen(pointerListener);
                }
                if ((caps & WlSeat.CAPABILITY_KEYBOARD) != 0 && keyboard == null) {
                    keyboard = WlSeat.getKeyboard(self);
                    keyboard.listen(keyboardListener);
                }
            }
        });
    }

    /** The host's wl_seat. */
    Proxy proxy() { return hostSeat; }

    /** Which host serial each Ferry serial sent for a host event stands for. */
    HostSerials serials() { return serials; }

    /** The host serial of the last pointer enter (what a host wl_pointer.set_cursor must quote). */
    int hostEnterSerial() { return hostEnterSerial; }

    /** The output whose window has the host pointer, or null. */
    Output under() { return under; }

    /** The host's wl_pointer, or null while the host seat has none. */
    Proxy pointer() { return pointer; }

    private Runnable onEnter = () -> {};

    /** Runs after each host pointer enter (a host cursor is set anew with the enter's serial). */
    void onEnter(Runnable r) { onEnter = r; }

    long keysForwarded() { return keysForwarded; }

    private void moveTo(double sx, double sy) {
        if (under != null) seat.pointerMoveTo(under.x() + sx, under.y() + sy);
    }

    private final WlPointer.Listener pointerListener = new WlPointer.Listener() {
        @Override
        public void enter(Proxy self, int serial, Proxy surface, double sx, double sy) {
            int before = seat.lastSerial();
            hostEnterSerial = serial;
            under = surface == null ? null : outputOfSurface.apply(surface);
            moveTo(sx, sy);
            onEnter.run();
            serials.forwarded(serial, before, seat.lastSerial());
        }

        @Override
        public void leave(Proxy self, int serial, Proxy surface) {
            int before = seat.lastSerial();
            under = null;
            seat.pointerLeave();
            serials.forwarded(serial, before, seat.lastSerial());
        }

        @Override
        public void motion(Proxy self, int time, double sx, double sy) {
            moveTo(sx, sy);
        }

        @Override
        public void button(Proxy self, int serial, int time, int button, int state) {
            int before = seat.lastSerial();
            if (under != null) seat.pointerButton(button, state == WlPointer.BUTTON_STATE_PRESSED);
            serials.forwarded(serial, before, seat.lastSerial());
        }

        @Override
        public void axisDiscrete(Proxy self, int axis, int discrete) {
            pendingSteps = discrete;
        }

        @Override
        public void axisValue120(Proxy self, int axis, int value120) {
            pendingSteps = value120 / 120;
        }

        @Override
        public void axis(Proxy self, int time, int axis, double value) {
            if (under != null) seat.pointerAxis(axis, value, pendingSteps);
            pendingSteps = 0;
        }
    };

    private final WlKeyboard.Listener keyboardListener = new WlKeyboard.Listener() {
        @Override
        public void keymap(Proxy self, int format, OwnedFd fd, int size) {
            if (format != WlKeyboard.KEYMAP_FORMAT_XKB_V1) {
                LOG.info("host keymap format {} is not XKB v1: keeping Ferry's", format);
                fd.close();
                return;
            }
            seat.setKeymap(Keymap.adopt(fd, size, "the host compositor's"));
        }

        @Override
        public void enter(Proxy self, int serial, Proxy surface, MemorySegment keys) {
            // Nothing for Ferry's seat, but a serial of the host's input all the same.
            serials.forwarded(serial, seat.lastSerial(), seat.lastSerial());
        }

        @Override
        public void leave(Proxy self, int serial, Proxy surface) {
            // The host's focus went elsewhere (a click on another host window): an inner popup
            // grab ends, as it would for a click outside its client inside.
            serials.forwarded(serial, seat.lastSerial(), seat.lastSerial());
            seat.dismissPopups();
        }

        @Override
        public void key(Proxy self, int serial, int time, int key, int state) {
            int before = seat.lastSerial();
            keysForwarded++;
            seat.key(key, state == WlKeyboard.KEY_STATE_PRESSED);
            serials.forwarded(serial, before, seat.lastSerial());
        }

        @Override
        public void modifiers(Proxy self, int serial, int depressed, int latched, int locked, int group) {
            int before = seat.lastSerial();
            seat.setModifiers(depressed, latched, locked, group);
            serials.forwarded(serial, before, seat.lastSerial());
        }

        @Override
        public void repeatInfo(Proxy self, int rate, int delay) {
            seat.setRepeatInfo(rate, delay);
        }
    };
}
