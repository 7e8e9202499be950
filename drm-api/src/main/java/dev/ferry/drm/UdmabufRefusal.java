package dev.ferry.drm;

/**
 * Why /dev/udmabuf refused to wrap a memfd range (the kernel answers EINVAL or E2BIG and says no
 * more; fake-drm names the rule). Each has exactly one condition; they are checked in the order
 * declared, so the first failing rule names the refusal.
 */
public enum UdmabufRefusal {
    NOT_A_MEMFD("the fd is not a memfd (udmabuf wraps shmem pages only)"),
    NOT_SHRINK_SEALED("the memfd is not sealed with F_SEAL_SHRINK: its pages could vanish under a device"),
    WRITE_SEALED("the memfd is sealed with F_SEAL_WRITE: a dma-buf over it could be written through"),
    EMPTY("the range is empty"),
    OFFSET_UNALIGNED("the offset is not a multiple of the page size"),
    SIZE_UNALIGNED("the size is not a multiple of the page size"),
    OUT_OF_BOUNDS("a page of the range starts at or past the end of the memfd"),
    TOO_LARGE("the size is over udmabuf's size_limit_mb (64 MiB by default)");

    private final String reason;

    UdmabufRefusal(String reason) {
        this.reason = reason;
    }

    /** A sentence for logs and fallback reports. */
    public String reason() { return reason; }
}
