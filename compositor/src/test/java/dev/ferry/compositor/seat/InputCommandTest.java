package dev.ferry.compositor.seat;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `ferry ctl input` commands: each form parsed to its typed command, each bad one refused whole with its reason. */
class InputCommandTest {
    @Test
    void everyFormParsesToItsCommand() {
        assertEquals(new InputCommand.Move(10.5, 20), InputCommand.parse("move 10.5 20"));
        assertEquals(new InputCommand.Click(InputCommand.BTN_LEFT), InputCommand.parse("click"));
        assertEquals(new InputCommand.Click(InputCommand.BTN_RIGHT), InputCommand.parse(" click right "));
        assertEquals(new InputCommand.Button(InputCommand.BTN_MIDDLE, true), InputCommand.parse("button middle down"));
        assertEquals(new InputCommand.Scroll(-3, 0), InputCommand.parse("scroll -3"));
        assertEquals(new InputCommand.Keys(List.of(UsKeys.KEY_LEFTCTRL, UsKeys.KEY_LEFTSHIFT, 46)), InputCommand.parse("key ctrl+shift+c"));
        assertEquals(new InputCommand.Keys(List.of(UsKeys.KEY_ENTER)), InputCommand.parse("key Return"));
        // Text is taken as written, spaces included; Shift for capitals and shifted symbols.
        assertEquals(new InputCommand.Type(List.of(new UsKeys.Stroke(35, true), new UsKeys.Stroke(23, false),
                new UsKeys.Stroke(UsKeys.KEY_SPACE, false), new UsKeys.Stroke(2, true))), InputCommand.parse("type Hi !"));
    }

    @Test
    void badCommandsAreRefusedWithTheirReason() {
        assertTrue(refusal("move 1").contains("usage: move X Y"));
        assertTrue(refusal("move 1 north").contains("'north' is not a number"));
        assertTrue(refusal("move NaN 1").contains("not a number"));
        assertTrue(refusal("click fourth").contains("no button named 'fourth'"));
        assertTrue(refusal("button left sideways").contains("neither down nor up"));
        assertTrue(refusal("scroll 1.5").contains("not a whole number"));
        assertTrue(refusal("scroll 100000").contains("too far"));
        assertTrue(refusal("key ctrl+hyper").contains("no key named 'hyper'"));
        assertTrue(refusal("type caf\u00e9").contains("no key for '\u00e9' (character 3)"));
        assertTrue(refusal("type").contains("type needs text"));
        assertTrue(refusal("dance").contains("unknown input command 'dance'"));
    }

    private static String refusal(String command) {
        String msg = assertThrows(IllegalArgumentException.class, () -> InputCommand.parse(command)).getMessage();
        assertTrue(!msg.contains("\n"), "one line: " + msg);
        return msg;
    }
}
