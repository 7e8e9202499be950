package dev.ferry.compositor.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
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
}
