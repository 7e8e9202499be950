package dev.ferry.compositor.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * One log line, {@code HH:mm:ss.SSS LEVEL Logger: message}, then the stack trace of a throwable
 * if there is one: what the pattern {@code %d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n} wrote,
 * without logback's PatternLayout, whose class initialiser registers some seventy converters as
 * method references. Each is a lambda class spun at run time (JDK 25's AOT cache cannot hold
 * them under ZGC), and the pattern is parsed by a small interpreter of its own: tens of
 * milliseconds of every compositor's start-up for a format that never changes.
 */
final class LogLine extends LayoutBase<ILoggingEvent> {
    private final ZoneId zone = ZoneId.systemDefault();

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder s = new StringBuilder(128);
        LocalTime t = LocalTime.ofInstant(Instant.ofEpochMilli(event.getTimeStamp()), zone);
        pad(s, t.getHour(), 2).append(':');
        pad(s, t.getMinute(), 2).append(':');
        pad(s, t.getSecond(), 2).append('.');
        pad(s, t.getNano() / 1_000_000, 3).append(' ');
        String level = event.getLevel().toString();
        s.append(level).repeat(' ', Math.max(0, 5 - level.length())).append(' ');
        String logger = event.getLoggerName();
        s.append(logger, logger.lastIndexOf('.') + 1, logger.length()).append(": ");
        s.append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) s.append(ThrowableProxyUtil.asString(thrown)).append(CoreConstants.LINE_SEPARATOR);
        return s.toString();
    }

    private static StringBuilder pad(StringBuilder s, int value, int digits) {
        String v = Integer.toString(value);
        return s.repeat('0', digits - v.length()).append(v);
    }
}
