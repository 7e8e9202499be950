package dev.ferry.compositor.socket;

import dev.ferry.posix.Fds;
import dev.ferry.posix.OwnedFd;
import dev.ferry.posix.UnixSockets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * The listening socket in $XDG_RUNTIME_DIR, claimed the way libwayland does: a lock file
 * {@code NAME.lock} held with flock for the compositor's life, so a socket file left behind by
 * a dead compositor (its lock released) is stale and removed, while a live one is never taken.
 */
public final class WaylandSocket implements AutoCloseable {
    private static final int MAX_AUTO = 32;

    private final String name;
    private final Path path;
    private final Path lockPath;
    private final OwnedFd lock;
    private final OwnedFd listener;

    private WaylandSocket(String name, Path path, Path lockPath, OwnedFd lock, OwnedFd listener) {
        this.name = name;
        this.path = path;
        this.lockPath = lockPath;
        this.lock = lock;
        this.listener = listener;
    }

    public String name() { return name; }
    public Path path() { return path; }
    public OwnedFd listener() { return listener; }

    /** The runtime directory, refused unless it exists, is ours and is private (no group/other access). */
    public static Path runtimeDir() throws IOException {
        String dir = System.getenv("XDG_RUNTIME_DIR");
        if (dir == null || dir.isEmpty()) {
            throw new IOException("XDG_RUNTIME_DIR is not set; set it to a private directory (mode 0700) owned by you");
        }
        return checkRuntimeDir(Path.of(dir));
    }

    /** Refuses a runtime directory that does not exist, is not ours or is not private. */
    public static Path checkRuntimeDir(Path p) throws IOException {
        String dir = p.toString();
        if (!Files.isDirectory(p)) throw new IOException("XDG_RUNTIME_DIR " + dir + " is not a directory");
        PosixFileAttributes attrs = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> perms = attrs.permissions();
        for (PosixFilePermission bad : new PosixFilePermission[] {
                PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE}) {
            if (perms.contains(bad)) {
                throw new IOException("XDG_RUNTIME_DIR " + dir + " is not private (mode "
                        + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "); it must be 0700");
            }
        }
        Object uid = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (uid instanceof Integer u && u != Fds.getuid()) {
            throw new IOException("XDG_RUNTIME_DIR " + dir + " belongs to uid " + u + ", not to us (" + Fds.getuid() + ")");
        }
        return p;
    }

    /** Binds the named socket, or the first free wayland-N when name is null. */
    public static WaylandSocket open(Path runtimeDir, String name) throws IOException {
        Path dir = checkRuntimeDir(runtimeDir);
        if (name != null) {
            WaylandSocket s = tryClaim(dir, name);
            if (s == null) throw new IOException("socket " + dir.resolve(name) + " is in use by another compositor");
            return s;
        }
        for (int n = 0; n < MAX_AUTO; n++) {
            WaylandSocket s = tryClaim(dir, "wayland-" + n);
            if (s != null) return s;
        }
        throw new IOException("no free wayland-N socket name in " + dir + " (tried 0.." + (MAX_AUTO - 1) + ")");
    }

    private static WaylandSocket tryClaim(Path dir, String name) throws IOException {
        if (name.contains("/")) throw new IOException("socket name " + name + " must not contain '/'");
        Path path = dir.resolve(name);
        Path lockPath = dir.resolve(name + ".lock");
        OwnedFd lock = Fds.open(lockPath.toString(), Fds.O_RDWR | Fds.O_CREAT, 0660);
        try {
            if (!Fds.tryLockExclusive(lock)) {
                lock.close();
                return null;
            }
            // We hold the lock, so a socket file here was left by a compositor that died.
            Files.deleteIfExists(path);
            OwnedFd listener = UnixSockets.listen(path.toString(), 128);
            return new WaylandSocket(name, path, lockPath, lock, listener);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    @Override
    public void close() {
        listener.close();
        try {
            Files.deleteIfExists(path);
            Files.deleteIfExists(lockPath);
        } catch (IOException ignored) {
            // Best effort: the lock below is what protects the next compositor.
        }
        lock.close();
    }

}
