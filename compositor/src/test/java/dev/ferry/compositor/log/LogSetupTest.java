package dev.ferry.compositor.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogSetupTest {
    /** logback finds LogSetup by ServiceLoader (there is no logback.xml): the root logs to stderr, the start-up lines at INFO. */
    @Test
    void logbackIsConfiguredInCode() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertNotNull(root.getAppender("STDERR"), "LogSetup's appender");
        assertEquals(LogSetup.rootLevel(System.getenv("FERRY_LOG")), root.getLevel());
        if (root.getLevel().isGreaterOrEqual(Level.INFO)) {
            assertEquals(Level.INFO, context.getLogger("dev.ferry.compositor.Compositor").getEffectiveLevel());
            assertEquals(Level.INFO, context.getLogger("dev.ferry.renderer.Renderers").getEffectiveLevel());
        }
    }

    @Test
    void ferryLogSetsTheRootLevelAndAnythingElseMeansWarn() {
        assertEquals(Level.WARN, LogSetup.rootLevel(null));
        assertEquals(Level.WARN, LogSetup.rootLevel(""));
        assertEquals(Level.DEBUG, LogSetup.rootLevel("debug"));
        assertEquals(Level.INFO, LogSetup.rootLevel(" INFO "));
        assertEquals(Level.WARN, LogSetup.rootLevel("loud"));
    }

    /** The line PatternLayout's "%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n" wrote, and a throwable's trace after it. */
    @Test
    void aLineIsTimeLevelSimpleLoggerNameAndMessage() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        LogLine layout = new LogLine();
        layout.setContext(context);
        layout.start();
        LoggingEvent event = new LoggingEvent("x", context.getLogger("dev.ferry.compositor.Compositor"), Level.INFO,
                "serving on {}", null, new Object[] {"wayland-1"});
        event.setTimeStamp(java.time.LocalDate.of(2026, 12, 2).atTime(7, 5, 9, 42_000_000)
                .atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli());
        assertEquals("07:05:09.042 INFO  Compositor: serving on wayland-1" + System.lineSeparator(), layout.doLayout(event));

        LoggingEvent failed = new LoggingEvent("x", context.getLogger("Top"), Level.WARN, "no renderer", new IllegalStateException("gone"), null);
        String text = layout.doLayout(failed);
        assertTrue(text.matches("(?s)\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  Top: no renderer\\R"
                + "java\\.lang\\.IllegalStateException: gone\\R\\s+at .*"), text);
    }
}
