package dev.ferry.drm.topology;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

/**
 * What is wrong with a topology file, and where, in one line: the field path
 * ({@code devices[0].connectors[1].modes[0]}), the line and column, and the cause in words
 * (a record's own check, such as "mode 0x0", rather than Jackson's wrapper around it).
 */
final class TopologyError {
    private TopologyError() {}

    static String describe(JsonProcessingException e) {
        StringBuilder b = new StringBuilder();
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            b.append("at ").append(path(m)).append(' ');
        }
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) b.append("(line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr()).append(')');
        if (!b.isEmpty()) b.append(": ");
        b.append(cause(e));
        return b.toString().strip();
    }

    private static String cause(JsonProcessingException e) {
        if (e instanceof ValueInstantiationException v && v.getCause() != null && v.getCause().getMessage() != null) {
            return v.getCause().getMessage();
        }
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field \"" + u.getPropertyName() + "\" (known: " + u.getKnownPropertyIds() + ")";
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            String message = firstLine(m.getOriginalMessage());
            if (message.startsWith("No content") || message.contains("end-of-input")) return "the file ends too early (truncated JSON?)";
            return "expected " + kind(m.getTargetType()) + " here";
        }
        String message = firstLine(e.getOriginalMessage());
        if (message.contains("end-of-input")) return "the file ends too early (truncated JSON?)";
        return message;
    }

    private static String kind(Class<?> type) {
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) return "a list";
        if (type == String.class) return "a string";
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) return "a whole number";
        if (type == boolean.class || type == Boolean.class) return "true or false";
        return "an object (" + type.getSimpleName() + ")";
    }

    private static String path(JsonMappingException m) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                if (!b.isEmpty()) b.append('.');
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String firstLine(String s) {
        if (s == null) return "malformed";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
