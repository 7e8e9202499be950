package dev.ferry.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Anonymous shared memory (memfd), file seals, sizes, mmap and pread: the calls shm pools and
 * fake dma-bufs are made of.
 */
public final class Memfd {
    private Memfd() {}

    public static final int MFD_CLOEXEC = 1;
    public static final int MFD_ALLOW_SEALING = 2;

    public static final int F_SEAL_SEAL = 1;
    public static final int F_SEAL_SHRINK = 2;
    public static final int F_SEAL_GROW = 4;
    public static final int F_SEAL_WRITE = 8;

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;

    /** Creates a sealable memfd of the given size. The name shows in /proc/PID/fd and fdinfo. */
    public static OwnedFd create(String name, long size) throws PosixException {
        OwnedFd fd;
        try (Arena arena = Arena.ofConfined()) {
            int n = (int) Libc.MEMFD_CREATE.invokeExact(Libc.errnoSegment(), arena.allocateFrom(name),
                    MFD_CLOEXEC | MFD_ALLOW_SEALING);
            if (n < 0) throw PosixException.last("memfd_create");
            fd = OwnedFd.adopt(n, "memfd:" + name);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        try {
            truncate(fd, size);
            return fd;
        } catch (PosixException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * A read-only file holding exactly these bytes, for many readers that must not change it (a
     * format table, a keymap): written once with pwrite, sealed against shrinking, growing and
     * writing, and reopened read-only through /proc, so that even a client that got the fd
     * cannot make it writable again. Every reader may be sent the same fd.
     */
    public static OwnedFd sealedReadOnly(String name, MemorySegment content) throws PosixException {
        try (OwnedFd rw = create(name, content.byteSize())) {
            if (content.byteSize() > 0) pwrite(rw.fd(), content, 0);
            addSeals(rw, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
            return Fds.open("/proc/self/fd/" + rw.fd(), Fds.O_RDONLY | Fds.O_CLOEXEC, 0);
        }
    }

    public static void truncate(OwnedFd fd, long size) throws PosixException {
        try {
            int rc = (int) Libc.FTRUNCATE.invokeExact(Libc.errnoSegment(), fd.fd(), size);
            if (rc < 0) throw PosixException.last("ftruncate");
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void addSeals(OwnedFd fd, int seals) throws PosixException {
        Fds.fcntl(fd.fd(), Fds.F_ADD_SEALS, seals, "fcntl(F_ADD_SEALS)");
    }

    /** The seals on the file; 0 for files that cannot be sealed (EINVAL). */
    public static int seals(OwnedFd fd) {
        try {
            int rc = (int) Libc.FCNTL_INT.invokeExact(Libc.errnoSegment(), fd.fd(), Fds.F_GET_SEALS, 0);
            return rc < 0 ? 0 : rc;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** st_size from fstat (x86-64 and aarch64 both keep it at offset 48). */
    public static long size(int fd) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(256, 8);
            int rc = (int) Libc.FSTAT.invokeExact(Libc.errnoSegment(), fd, st);
            if (rc < 0) throw PosixException.last("fstat");
            return st.get(JAVA_LONG, 48);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static long size(OwnedFd fd) throws PosixException {
        return size(fd.fd());
    }

    /** Maps [offset, offset+length) of the file; unmap with {@link #unmap}. */
    public static MemorySegment map(OwnedFd fd, long offset, long length, int prot) throws PosixException {
        if (length <= 0) throw new IllegalArgumentException("mapping of " + length + " bytes");
        try {
            MemorySegment addr = (MemorySegment) Libc.MMAP.invokeExact(Libc.errnoSegment(),
                    MemorySegment.NULL, length, prot, MAP_SHARED, fd.fd(), offset);
            if (addr.address() == -1L) throw PosixException.last("mmap");
            return addr.reinterpret(length);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void unmap(MemorySegment mapping) {
        try {
            int rc = (int) Libc.MUNMAP.invokeExact(Libc.errnoSegment(), mapping, mapping.byteSize());
            if (rc < 0) throw new IllegalStateException("munmap: errno " + Libc.errno());
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * Reads up to dst.byteSize() bytes at offset; returns how many arrived (short at end of
     * file). Unlike a mapping, a file shrunk behind our back makes this return short, never fault.
     */
    public static long pread(int fd, MemorySegment dst, long offset) throws PosixException {
        long done = 0;
        try {
            while (done < dst.byteSize()) {
                long n = (long) Libc.PREAD.invokeExact(Libc.errnoSegment(), fd, dst.asSlice(done),
                        dst.byteSize() - done, offset + done);
                if (n < 0) {
                    if (Libc.errno() == Errno.EINTR) continue;
                    throw PosixException.last("pread");
                }
                if (n == 0) break;
                done += n;
            }
            return done;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Writes src at offset of the file (no mapping needed). */
    public static void pwrite(int fd, MemorySegment src, long offset) throws PosixException {
        long done = 0;
        try {
            while (done < src.byteSize()) {
                long n = (long) Libc.PWRITE.invokeExact(Libc.errnoSegment(), fd, src.asSlice(done),
                        src.byteSize() - done, offset + done);
                if (n < 0) {
                    if (Libc.errno() == Errno.EINTR) continue;
                    throw PosixException.last("pwrite");
                }
                done += n;
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
