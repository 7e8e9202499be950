package dev.ferry.compositor.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SizeArgTest {
    @Test
    void modesAndSizes() {
        assertEquals(new SizeArg(1920, 1080, 60), SizeArg.parse("1920x1080"));
        assertEquals(new SizeArg(3840, 2160, 59.94), SizeArg.parse("3840X2160@59.94"));
        assertEquals(59940, SizeArg.parse("3840x2160@59.94").refreshMilliHz());
        assertEquals(new SizeArg(640, 360, 60), SizeArg.parse("640x360", false));
    }

    @Test
    void badValuesAreNamedUsageErrors() {
        for (String bad : new String[] {"", "1920", "1920x", "x1080", "0x10", "16385x10", "1920x1080@0", "1920x1080@2000",
                "-1x10", "1920x1080@", "99999999999x1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SizeArg.parse(bad), bad);
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> SizeArg.parse("640x360@30", false), "a size takes no rate");
        CommandLine.TypeConversionException e = assertThrows(CommandLine.TypeConversionException.class,
                () -> new SizeArg.ModeConverter().convert("big"));
        assertTrue(e.getMessage().contains("'big'"), e.getMessage());
    }
}
