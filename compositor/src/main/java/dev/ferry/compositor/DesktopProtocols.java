package dev.ferry.compositor;

import dev.ferry.compositor.activation.ActivationGlobal;
import dev.ferry.compositor.cursorshape.CursorShapeGlobal;
import dev.ferry.compositor.datadevice.DataDeviceGlobal;
import dev.ferry.compositor.decoration.DecorationGlobal;
import dev.ferry.compositor.fractionalscale.FractionalScaleGlobal;
import dev.ferry.compositor.pointerconstraints.PointerConstraintsGlobal;
import dev.ferry.compositor.primaryselection.PrimarySelectionGlobal;
import dev.ferry.compositor.relativepointer.RelativePointerGlobal;
import dev.ferry.compositor.scene.Scene;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.compositor.seat.SeatGlobal;
import dev.ferry.compositor.singlepixel.SinglePixelBufferGlobal;
import dev.ferry.compositor.textinput.TextInputV1Global;
import dev.ferry.compositor.textinput.TextInputV3Global;
import dev.ferry.compositor.xdgoutput.XdgOutputGlobal;
import dev.ferry.protocol.server.Display;

/**
 * The globals desktop toolkits look for beyond the core (foot, GTK, Qt and weston-editor warn
 * or stop without them), each in its own package, all on seat0. Relative motion is registered
 * before the constraints, so it sees the motion a lock then holds back.
 */
final class DesktopProtocols {
    private DesktopProtocols() {}

    record Installed(DataDeviceGlobal dataDevice, PrimarySelectionGlobal primarySelection) {}

    static Installed install(Display display, Scene scene, Seat seat) {
        new SeatGlobal(display, seat);
        DataDeviceGlobal dataDevice = new DataDeviceGlobal(display, seat);
        PrimarySelectionGlobal primary = new PrimarySelectionGlobal(display, seat);
        new DecorationGlobal(display);
        new XdgOutputGlobal(display);
        new ActivationGlobal(display, scene, seat);
        new TextInputV3Global(display, seat);
        new TextInputV1Global(display);
        new CursorShapeGlobal(display, seat);
        new SinglePixelBufferGlobal(display);
        new FractionalScaleGlobal(display, scene);
        new RelativePointerGlobal(display, seat);
        new PointerConstraintsGlobal(display, seat);
        return new Installed(dataDevice, primary);
    }
}
