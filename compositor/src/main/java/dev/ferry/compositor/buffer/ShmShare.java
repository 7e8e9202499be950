package dev.ferry.compositor.buffer;

import dev.ferry.posix.OwnedFd;

/**
 * Where a wl_shm buffer's pixels are, for handing them on as they are (a nested Ferry gives
 * them to its host compositor in a host wl_shm pool over the same file: no copy).
 *
 * @param pool       the client's pool (identity only: buffers of one pool share one host pool)
 * @param fd         the pool's file, owned by the pool: borrow it (a request that sends it sends a duplicate)
 * @param poolSize   the pool's size now (it only grows)
 * @param wlShmFormat the wl_shm format code the client gave
 * @param sealed     whether the file is sealed against shrinking (else a reader of a mapping may fault)
 */
public record ShmShare(Object pool, OwnedFd fd, long poolSize, int offset, int width, int height, int stride, int wlShmFormat,
                       boolean sealed) {}
