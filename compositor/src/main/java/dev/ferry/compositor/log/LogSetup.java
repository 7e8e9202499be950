package dev.ferry.compositor.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * The log, set up in code: quiet by default (warnings, the one start-up line and which renderer
 * "auto" chose), {@code FERRY_LOG=info|debug|trace} says more. Found by logback through
 * ServiceLoader; a logback.xml would cost a compositor a third of a second of start-up
 * (an XML parser and logback's configuration model, loaded and run before the first frame).
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    /** The level of every logger not named below, from FERRY_LOG (WARN when unset or unknown). */
    static Level rootLevel(String ferryLog) {
        return ferryLog == null || ferryLog.isBlank() ? Level.WARN : Level.toLevel(ferryLog.trim(), Level.WARN);
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        LogLine line = new LogLine();
        line.setContext(context);
        line.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(line);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Level root = rootLevel(System.getenv("FERRY_LOG"));
        ch.qos.logback.classic.Logger rootLogger = context.getLogger(Logger.ROOT_LOGGER_NAME);
        rootLogger.setLevel(root);
        rootLogger.addAppender(stderr);
        // The start-up lines say where Ferry serves and which renderer it took, whatever the level.
        for (String name : new String[] {"dev.ferry.compositor.Compositor", "dev.ferry.renderer.Renderers"}) {
            context.getLogger(name).setLevel(root.isGreaterOrEqual(Level.INFO) ? Level.INFO : root);
        }
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
