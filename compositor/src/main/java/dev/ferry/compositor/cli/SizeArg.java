package dev.ferry.compositor.cli;

import picocli.CommandLine;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size on the command line, {@code WxH} or a mode {@code WxH@Hz}: `ferry run --mode`,
 * `ferry client video --size`. One parser and one range for every command; a bad value is a
 * usage error naming the value, before anything starts.
 */
public record SizeArg(int width, int height, double refreshHz) {
    /** The largest width or height accepted (the fake devices' and the renderers' limit). */
    public static final int MAX = 16384;
    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,9})x(\\d{1,9})(?:@(\\d{1,4}(?:\\.\\d{1,3})?))?");

    public SizeArg {
        if (width <= 0 || height <= 0 || width > MAX || height > MAX) {
            throw new IllegalArgumentException("size " + width + "x" + height + " out of range (1.." + MAX + ")");
        }
        if (refreshHz <= 0 || refreshHz > 1000) throw new IllegalArgumentException("refresh " + refreshHz + " Hz out of range (0..1000]");
    }

    /** Parses a mode, {@code WxH} or {@code WxH@Hz}; without a rate the refresh is 60 Hz. */
    public static SizeArg parse(String text) {
        return parse(text, true);
    }

    /** Parses {@code WxH}, or with rateAllowed also {@code WxH@Hz}. */
    public static SizeArg parse(String text, boolean rateAllowed) {
        Matcher m = SYNTAX.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || (!rateAllowed && m.group(3) != null)) {
            throw new IllegalArgumentException("'" + text + "' is not WxH" + (rateAllowed ? " or WxH@Hz" : ""));
        }
        return new SizeArg(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 60 : Double.parseDouble(m.group(3)));
    }

    public int refreshMilliHz() {
        return (int) Math.round(refreshHz * 1000);
    }

    @Override
    public String toString() {
        return width + "x" + height + "@" + refreshHz;
    }

    /** For {@code @Option(converter = SizeArg.ModeConverter.class)}: WxH or WxH@Hz. */
    public static final class ModeConverter implements CommandLine.ITypeConverter<SizeArg> {
        @Override
        public SizeArg convert(String value) {
            return converted(value, true);
        }
    }

    /** For {@code @Option(converter = SizeArg.SizeConverter.class)}: WxH only. */
    public static final class SizeConverter implements CommandLine.ITypeConverter<SizeArg> {
        @Override
        public SizeArg convert(String value) {
            return converted(value, false);
        }
    }

    /** picocli reports a TypeConversionException's message as a usage error. */
    private static SizeArg converted(String value, boolean rateAllowed) {
        try {
            return parse(value, rateAllowed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
