package dev.ferry.renderer;

/** The answer to an import: a texture, or a named rejection with a human-readable detail. */
public sealed interface ImportResult {
    record Imported(Texture texture) implements ImportResult {}

    record Rejected(ImportRejection reason, String detail) implements ImportResult {}

    static ImportResult rejected(ImportRejection reason, String detail) {
        return new Rejected(reason, detail);
    }

    default boolean isImported() {
        return this instanceof Imported;
    }

    /** The texture, or an exception naming the rejection (for callers that cannot go on without it). */
    default Texture textureOrThrow() {
        return switch (this) {
            case Imported i -> i.texture();
            case Rejected r -> throw new IllegalStateException("import rejected: " + r.reason() + ": " + r.detail());
        };
    }
}
