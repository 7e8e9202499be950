package dev.ferry.drm;

/**
 * What is wrong with a buffer's layout (planes, strides, size, bounds), found by the same check
 * for an import and for ADDFB2, each of which names it with its own rejection.
 */
record LayoutProblem(Kind kind, String detail) {
    enum Kind {
        BAD_PLANES(ImportRejection.BAD_PLANES, AddFbRejection.BAD_PLANES),
        STRIDE(ImportRejection.STRIDE, AddFbRejection.PITCH),
        SIZE(ImportRejection.SIZE, AddFbRejection.SIZE),
        OUT_OF_BOUNDS(ImportRejection.OUT_OF_BOUNDS, AddFbRejection.OUT_OF_BOUNDS);

        private final ImportRejection importRejection;
        private final AddFbRejection addFbRejection;

        Kind(ImportRejection importRejection, AddFbRejection addFbRejection) {
            this.importRejection = importRejection;
            this.addFbRejection = addFbRejection;
        }

        ImportRejection importRejection() { return importRejection; }

        AddFbRejection addFbRejection() { return addFbRejection; }
    }
}
