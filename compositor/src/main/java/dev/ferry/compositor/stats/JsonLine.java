package dev.ferry.compositor.stats;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes a stats tree (maps, lists, strings, numbers, booleans, nulls: what {@link StatsReport}
 * builds) as one line of JSON, for the watch stream `ferry top` reads once a second.
 *
 * <p>Why not Jackson, which writes the full `ctl stats`: a line a second never runs often enough
 * for the JIT to compile Jackson's general serializer chain, so each line ran mostly interpreted,
 * 0.2-0.3 ms on the watch thread (bench/top-cost: the largest part of what an attached `ferry
 * top` cost the compositor), and its compilation came back as JIT time for minutes. This is one
 * small recursive method over the few types the tree holds, so it runs little code interpreted and
 * has little to compile. A value of another type is an error naming it (the tree is ours).
 */
public final class JsonLine {
    private JsonLine() {}

    /** The tree as UTF-8 JSON with no newline in it. */
    public static byte[] write(Object tree) {
        StringBuilder sb = new StringBuilder(4096);
        value(sb, tree);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void value(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b.booleanValue());
            case Integer i -> sb.append(i.intValue());
            case Long l -> sb.append(l.longValue());
            case Double d -> number(sb, d);
            case Float f -> number(sb, f.doubleValue());
            case Number n -> sb.append(n.longValue());
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) sb.append(',');
                    first = false;
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(':');
                    value(sb, e.getValue());
                }
                sb.append('}');
            }
            case Iterable<?> list -> {
                sb.append('[');
                boolean first = true;
                for (Object o : list) {
                    if (!first) sb.append(',');
                    first = false;
                    value(sb, o);
                }
                sb.append(']');
            }
            case long[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) (i == 0 ? sb : sb.append(',')).append(a[i]);
                sb.append(']');
            }
            case int[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) (i == 0 ? sb : sb.append(',')).append(a[i]);
                sb.append(']');
            }
            case Object[] a -> value(sb, java.util.Arrays.asList(a));
            case Enum<?> e -> string(sb, e.name());
            default -> throw new IllegalArgumentException("a stats tree holds no " + v.getClass().getName());
        }
    }

    /** As Jackson writes them: finite doubles as Java prints them, the others as strings. */
    private static void number(StringBuilder sb, double d) {
        if (Double.isFinite(d)) sb.append(d);
        else sb.append('"').append(d).append('"');
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
