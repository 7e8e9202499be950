package dev.ferry.compositor.textinput;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.seat.Seat;
import dev.ferry.protocol.interfaces.ZwpTextInputManagerV3;
import dev.ferry.protocol.interfaces.ZwpTextInputV3;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

import java.util.ArrayList;
import java.util.List;

/**
 * zwp_text_input_manager_v3: text inputs follow keyboard focus (enter and leave with the
 * focused surface). Ferry runs no input method, so nothing is ever composed: typed text
 * reaches clients as keys through wl_keyboard, which is what they fall back to.
 */
public final class TextInputV3Global implements ZwpTextInputManagerV3.Requests, Seat.FocusListener {
    public static final int VERSION = 1;

    private final List<Resource> inputs = new ArrayList<>();
    private final Seat seat;

    public TextInputV3Global(Display display, Seat seat) {
        this.seat = seat;
        seat.addFocusListener(this);
        display.addGlobal(ZwpTextInputManagerV3.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, ZwpTextInputManagerV3.INTERFACE, version, this));
    }

    @Override
    public void destroy(Resource self) {}

    @Override
    public void getTextInput(Resource self, int id, Resource seatRes) {
        Resource r = self.client().createResource(id, ZwpTextInputV3.INTERFACE, self.version(), new TextInput());
        inputs.add(r);
        Surface f = seat.keyboardFocus();
        if (f != null && f.resource().client() == r.client()) ZwpTextInputV3.sendEnter(r, f.resource());
    }

    @Override
    public void keyboardFocus(Surface old, Surface now) {
        for (Resource r : List.copyOf(inputs)) {
            if (old != null && !old.destroyed() && r.client() == old.resource().client()) ZwpTextInputV3.sendLeave(r, old.resource());
            if (now != null && r.client() == now.resource().client()) ZwpTextInputV3.sendEnter(r, now.resource());
        }
    }

    /** One client's text input; its state is accepted and, with no input method, has no effect. */
    private final class TextInput implements ZwpTextInputV3.Requests, Resource.DestroyListener {
        @Override public void destroy(Resource self) {}
        @Override public void enable(Resource self) {}
        @Override public void disable(Resource self) {}
        @Override public void setSurroundingText(Resource self, String text, int cursor, int anchor) {}
        @Override public void setTextChangeCause(Resource self, int cause) {}
        @Override public void setContentType(Resource self, int hint, int purpose) {}
        @Override public void setCursorRectangle(Resource self, int x, int y, int width, int height) {}

        // An input method would answer a commit with its changes and done(number of commits);
        // with none there is nothing to answer.
        @Override public void commit(Resource self) {}

        @Override public void destroyed(Resource r) { inputs.remove(r); }
    }
}
