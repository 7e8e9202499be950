package dev.ferry.compositor.textinput;

import dev.ferry.protocol.interfaces.ZwpTextInputManagerV1;
import dev.ferry.protocol.interfaces.ZwpTextInputV1;
import dev.ferry.protocol.server.Display;
import dev.ferry.protocol.server.Resource;

/**
 * zwp_text_input_manager_v1, the first text-input protocol (weston-editor will not start
 * without it). Activation is answered with enter and deactivation with leave; with no input
 * method, text arrives as wl_keyboard keys.
 */
public final class TextInputV1Global implements ZwpTextInputManagerV1.Requests {
    public static final int VERSION = 1;

    public TextInputV1Global(Display display) {
        display.addGlobal(ZwpTextInputManagerV1.INTERFACE, VERSION,
                (client, version, id) -> client.createResource(id, ZwpTextInputManagerV1.INTERFACE, version, this));
    }

    @Override
    public void createTextInput(Resource self, int id) {
        self.client().createResource(id, ZwpTextInputV1.INTERFACE, self.version(), new TextInput());
    }

    private static final class TextInput implements ZwpTextInputV1.Requests {
        private boolean active;

        @Override
        public void activate(Resource self, Resource seat, Resource surface) {
            if (active) ZwpTextInputV1.sendLeave(self);
            active = true;
            ZwpTextInputV1.sendEnter(self, surface);
        }

        @Override
        public void deactivate(Resource self, Resource seat) {
            if (!active) return;
            active = false;
            ZwpTextInputV1.sendLeave(self);
        }

        @Override public void showInputPanel(Resource self) {}
        @Override public void hideInputPanel(Resource self) {}
        @Override public void reset(Resource self) {}
        @Override public void setSurroundingText(Resource self, String text, int cursor, int anchor) {}
        @Override public void setContentType(Resource self, int hint, int purpose) {}
        @Override public void setCursorRectangle(Resource self, int x, int y, int width, int height) {}
        @Override public void setPreferredLanguage(Resource self, String language) {}
        @Override public void commitState(Resource self, int serial) {}
        @Override public void invokeAction(Resource self, int button, int index) {}
    }
}
