package dev.ferry.testclients.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.compositor.cli.UserErrors;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a saved `ferry ctl stats` (or `ferry demo`) file for the report, refusing what is not one
 * with a line that says why: no such file, a directory, not JSON (and where), or JSON that is not
 * Ferry's stats (an empty report with exit 0 would look like a run with no frames).
 */
final class StatsFile {
    private StatsFile() {}

    static JsonNode read(Path file) throws IOException {
        if (Files.isDirectory(file)) throw new IOException(file + " is a directory, not a stats JSON file");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (FileSystemException e) {
            throw new IOException("cannot read " + UserErrors.file(e));
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new IOException(file + " is not JSON" + where + ": " + firstLine(e.getOriginalMessage()));
        }
        String problem = problem(root);
        if (problem != null) {
            throw new IOException(file + " is not Ferry stats (`ferry ctl stats` or a demo's stats.json): " + problem);
        }
        return root;
    }

    /** What makes a JSON tree not Ferry's stats, or null when it is. */
    static String problem(JsonNode root) {
        if (root == null || root.isMissingNode()) return "the file is empty";
        if (!root.isObject()) return "expected an object, found " + kind(root);
        if (!root.path("outputs").isArray()) return "\"outputs\" should be a list, found " + kind(root.path("outputs"));
        if (!root.path("backend").isTextual()) return "no \"backend\" name";
        for (JsonNode o : root.path("outputs")) {
            if (!o.isObject() || !o.path("name").isTextual()) return "an entry of \"outputs\" has no \"name\"";
        }
        JsonNode surfaces = root.path("surface_paths");
        if (!surfaces.isMissingNode() && !surfaces.isArray()) return "\"surface_paths\" should be a list, found " + kind(surfaces);
        return null;
    }

    private static String kind(JsonNode n) {
        if (n.isMissingNode()) return "nothing";
        if (n.isArray()) return "a list";
        if (n.isObject()) return "an object";
        if (n.isNumber()) return "a number (" + n.asText() + ")";
        if (n.isTextual()) return "a string";
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String firstLine(String s) {
        if (s == null) return "malformed";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
