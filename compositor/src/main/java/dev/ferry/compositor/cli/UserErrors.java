package dev.ferry.compositor.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Failures as a user reads them: one line that names the cause. Java's file exceptions carry
 * only the path as their message ({@code NoSuchFileException: /x}); here they say why.
 */
public final class UserErrors {
    private UserErrors() {}

    /** One line for a failure: what failed and why, with the causes it wraps. */
    public static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String part = single(t);
            if (part.isEmpty() || b.indexOf(part) >= 0) continue;
            if (!b.isEmpty()) b.append(": ");
            b.append(part);
            if (t.getCause() == t) break;
        }
        return b.isEmpty() ? e.getClass().getSimpleName() : b.toString();
    }

    private static String single(Throwable t) {
        if (t instanceof FileSystemException f) return file(f);
        if (t instanceof UncheckedIOException u && u.getCause() != null && u.getMessage().equals(u.getCause().toString())) return "";
        String m = t.getMessage();
        if (m == null) return t instanceof IOException || t instanceof RuntimeException ? t.getClass().getSimpleName() : t.toString();
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).strip();
    }

    /** A file system exception: the path, and why in words. */
    public static String file(FileSystemException f) {
        String path = f.getFile() == null ? "" : f.getFile();
        String why;
        if (f instanceof NoSuchFileException) why = "no such file or directory";
        else if (f instanceof AccessDeniedException) why = "permission denied";
        else if (f instanceof NotDirectoryException) why = "not a directory";
        else if (f instanceof FileAlreadyExistsException) why = "already exists";
        else why = f.getReason() != null ? f.getReason() : "failed";
        if (f.getOtherFile() != null) path += " -> " + f.getOtherFile();
        return path.isEmpty() ? why : path + ": " + why;
    }

    /**
     * Checks that a file can be written at path (its directory exists and is writable, and it is
     * not a directory itself), so a command fails before its work rather than after it.
     */
    public static void checkWritableFile(Path path, String what) throws IOException {
        Path abs = path.toAbsolutePath();
        if (Files.isDirectory(abs)) throw new IOException("cannot write " + what + " " + path + ": it is a directory");
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("cannot write " + what + " " + path + ": directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) throw new IOException("cannot write " + what + " " + path + ": directory " + dir + " is not writable");
    }

    /** Creates dir (and its parents) now, or says why it cannot be; it must end up writable. */
    public static Path makeWritableDirectory(Path dir, String what) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (FileSystemException e) {
            throw new IOException("cannot create " + what + " " + dir + ": " + file(e).replace(e.getFile() + ": ", ""));
        }
        if (!Files.isWritable(dir)) throw new IOException("cannot write into " + what + " " + dir + ": permission denied");
        return dir;
    }
}
