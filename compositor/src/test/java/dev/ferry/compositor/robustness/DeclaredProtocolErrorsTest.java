package dev.ferry.compositor.robustness;

import dev.ferry.compositor.FerryServer;
import dev.ferry.protocol.interfaces.WlCompositor;
import dev.ferry.protocol.interfaces.WlDataDeviceManager;
import dev.ferry.protocol.interfaces.WlDataSource;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.interfaces.XdgPositioner;
import dev.ferry.protocol.interfaces.XdgSurface;
import dev.ferry.protocol.interfaces.XdgToplevel;
import dev.ferry.protocol.interfaces.XdgWmBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static dev.ferry.compositor.robustness.RawWaylandSocket.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The protocol errors our own XML declares, each raised by its own condition, beside a twin
 * request sequence that differs only in that condition and is accepted. From a raw socket, so
 * the bytes are exactly what a broken client would send.
 */
class DeclaredProtocolErrorsTest {
    private static FerryServer ferry;

    /** Builds a client's requests with ids handed out in order, as the protocol requires. */
    static final class Script {
        private final Map<String, Integer> globals;
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        private int next = 4; // registry 2, the globals' sync 3
        int compositor, wmBase, seat, surface, xdgSurface, toplevel;

        Script(Map<String, Integer> globals) {
            this.globals = globals;
        }

        int id() { return next++; }

        Script send(byte[] message) {
            out.writeBytes(message);
            return this;
        }

        int bind(String iface, int version) {
            int id = id();
            send(RawWaylandSocket.bind(globals, iface, version, id));
            return id;
        }

        int xdgSurface() {
            int s = id();
            send(message(compositor, WlCompositor.REQUEST_CREATE_SURFACE, -1, s));
            int x = id();
            send(message(wmBase, XdgWmBase.REQUEST_GET_XDG_SURFACE, -1, x, s));
            return x;
        }

        /** wl_compositor, xdg_wm_base, wl_seat bound; a toplevel on a wl_surface. */
        Script toplevel() {
            compositor = bind("wl_compositor", 4);
            wmBase = bind("xdg_wm_base", 1);
            seat = bind("wl_seat", 1);
            surface = id();
            send(message(compositor, WlCompositor.REQUEST_CREATE_SURFACE, -1, surface));
            xdgSurface = id();
            send(message(wmBase, XdgWmBase.REQUEST_GET_XDG_SURFACE, -1, xdgSurface, surface));
            toplevel = id();
            return send(message(xdgSurface, XdgSurface.REQUEST_GET_TOPLEVEL, -1, toplevel));
        }

        /** A positioner of size 10x10, with an anchor rectangle or without. */
        int positioner(boolean anchorRect) {
            int p = id();
            send(message(wmBase, XdgWmBase.REQUEST_CREATE_POSITIONER, -1, p));
            send(message(p, XdgPositioner.REQUEST_SET_SIZE, -1, 10, 10));
            if (anchorRect) send(message(p, XdgPositioner.REQUEST_SET_ANCHOR_RECT, -1, 0, 0, 5, 5));
            return p;
        }

        int popup(int xdg, int parentXdg, int positioner) {
            int id = id();
            send(message(xdg, XdgSurface.REQUEST_GET_POPUP, -1, id, parentXdg, positioner));
            return id;
        }

        int dataSource(int actions) {
            int manager = bind("wl_data_device_manager", 3);
            int source = id();
            send(message(manager, WlDataDeviceManager.REQUEST_CREATE_DATA_SOURCE, -1, source));
            send(message(source, WlDataSource.REQUEST_SET_ACTIONS, -1, actions));
            return source;
        }
    }

    /** One case: the requests, and the object the error must name (or -1: none expected). */
    interface Case {
        int build(Script s);
    }

    private static Arguments error(String what, int code, Case c) {
        return Arguments.of(what, c, code);
    }

    private static Arguments accepted(String what, Case c) {
        return Arguments.of(what, c, -1);
    }

    @BeforeAll
    static void start() throws Exception {
        ferry = new FerryServer("cpu");
    }

    @AfterAll
    static void stop() throws Exception {
        ferry.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // xdg_wm_base.defunct_surfaces: destroyed while one of its xdg_surfaces lives.
                error("xdg_wm_base destroyed with a live xdg_surface", XdgWmBase.ERROR_DEFUNCT_SURFACES, s -> {
                    s.toplevel().send(message(s.wmBase, XdgWmBase.REQUEST_DESTROY, -1));
                    return s.wmBase;
                }),
                accepted("xdg_wm_base destroyed after its xdg_surface", s -> {
                    s.toplevel().send(message(s.toplevel, XdgToplevel.REQUEST_DESTROY, -1))
                            .send(message(s.xdgSurface, XdgSurface.REQUEST_DESTROY, -1))
                            .send(message(s.wmBase, XdgWmBase.REQUEST_DESTROY, -1));
                    return 0;
                }),
                // xdg_toplevel.invalid_resize_edge: 3 is top and bottom at once.
                error("resize by edges 3", XdgToplevel.ERROR_INVALID_RESIZE_EDGE, s -> {
                    s.toplevel().send(message(s.toplevel, XdgToplevel.REQUEST_RESIZE, -1, s.seat, 0, 3));
                    return s.toplevel;
                }),
                accepted("resize by bottom_right", s -> {
                    s.toplevel().send(message(s.toplevel, XdgToplevel.REQUEST_RESIZE, -1, s.seat, 0, XdgToplevel.RESIZE_EDGE_BOTTOM_RIGHT));
                    return 0;
                }),
                // xdg_toplevel.invalid_size: min larger than max, when committed.
                error("min size above max size", XdgToplevel.ERROR_INVALID_SIZE, s -> {
                    s.toplevel().send(message(s.toplevel, XdgToplevel.REQUEST_SET_MIN_SIZE, -1, 200, 200))
                            .send(message(s.toplevel, XdgToplevel.REQUEST_SET_MAX_SIZE, -1, 100, 100))
                            .send(message(s.surface, WlSurface.REQUEST_COMMIT, -1));
                    return s.toplevel;
                }),
                accepted("max lowered before min, then committed", s -> {
                    s.toplevel().send(message(s.toplevel, XdgToplevel.REQUEST_SET_MIN_SIZE, -1, 200, 200))
                            .send(message(s.toplevel, XdgToplevel.REQUEST_SET_MAX_SIZE, -1, 100, 100))
                            .send(message(s.toplevel, XdgToplevel.REQUEST_SET_MIN_SIZE, -1, 50, 50))
                            .send(message(s.surface, WlSurface.REQUEST_COMMIT, -1));
                    return 0;
                }),
                // xdg_wm_base.invalid_positioner: no anchor rectangle.
                error("popup from a positioner without an anchor rectangle", XdgWmBase.ERROR_INVALID_POSITIONER, s -> {
                    s.toplevel();
                    int p = s.positioner(false);
                    s.popup(s.xdgSurface(), s.xdgSurface, p);
                    return s.wmBase;
                }),
                accepted("popup from a complete positioner", s -> {
                    s.toplevel();
                    int p = s.positioner(true);
                    s.popup(s.xdgSurface(), s.xdgSurface, p);
                    return 0;
                }),
                // xdg_wm_base.invalid_popup_parent: itself; or a parent with no role yet (two popups parenting each other).
                error("popup that is its own parent", XdgWmBase.ERROR_INVALID_POPUP_PARENT, s -> {
                    s.toplevel();
                    int p = s.positioner(true);
                    int x = s.xdgSurface();
                    s.popup(x, x, p);
                    return s.wmBase;
                }),
                error("two popups parenting each other", XdgWmBase.ERROR_INVALID_POPUP_PARENT, s -> {
                    s.toplevel();
                    int p = s.positioner(true);
                    int a = s.xdgSurface(), b = s.xdgSurface();
                    s.popup(a, b, p);
                    s.popup(b, a, p);
                    return s.wmBase;
                }),
                accepted("popup of a popup of a toplevel", s -> {
                    s.toplevel();
                    int p = s.positioner(true);
                    int a = s.xdgSurface(), b = s.xdgSurface();
                    s.popup(a, s.xdgSurface, p);
                    s.popup(b, a, p);
                    return 0;
                }),
                // wl_data_source.invalid_action_mask: a bit that is no action.
                error("data source actions 0x8", WlDataSource.ERROR_INVALID_ACTION_MASK, s -> s.dataSource(0x8)),
                accepted("data source actions copy and move", s -> {
                    s.dataSource(WlDataDeviceManager.DND_ACTION_COPY | WlDataDeviceManager.DND_ACTION_MOVE);
                    return 0;
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void raisedByItsConditionAloneAndOnlyThen(String what, Case requests, int code) throws Exception {
        try (RawWaylandSocket c = new RawWaylandSocket(ferry.runtimeDir().resolve(ferry.socketName()))) {
            Script script = new Script(c.globals());
            int object = requests.build(script);
            c.send(script.out.toByteArray());
            byte[] answer = c.roundtrip(script.id());
            RawWaylandSocket.DisplayError error = RawWaylandSocket.findError(answer);
            if (code < 0) {
                assertNull(error, what + ": " + (error == null ? "" : error.message()));
            } else {
                assertNotNull(error, what + ": accepted");
                assertEquals(code, error.code(), what + ": " + error.message());
                assertEquals(object, error.objectId(), what + ": the error names another object: " + error.message());
            }
        }
    }
}
