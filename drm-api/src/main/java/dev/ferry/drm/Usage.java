package dev.ferry.drm;

/** Allocation usage flags, GBM style: what the buffer will be used for. Combine with |. */
public final class Usage {
    private Usage() {}

    /** Will be put on a KMS plane of the allocating device: placed where its display can scan out. */
    public static final int SCANOUT = 1;
    /** Will be rendered to by the allocating device. */
    public static final int RENDERING = 2;
    /** Must be LINEAR (for sharing with devices that agree on nothing else). */
    public static final int LINEAR = 4;
    /** Will be mapped and written by the CPU. */
    public static final int CPU = 8;
    /** Protected content: no device other than the exporter may attach it, the CPU may not map it. */
    public static final int PROTECTED = 16;

    public static String describe(int usage) {
        StringBuilder sb = new StringBuilder();
        if ((usage & SCANOUT) != 0) sb.append("scanout|");
        if ((usage & RENDERING) != 0) sb.append("rendering|");
        if ((usage & LINEAR) != 0) sb.append("linear|");
        if ((usage & CPU) != 0) sb.append("cpu|");
        if ((usage & PROTECTED) != 0) sb.append("protected|");
        return sb.isEmpty() ? "none" : sb.substring(0, sb.length() - 1);
    }
}
