package dev.ferry.compositor.core;

import java.util.List;

/** List moves done on every commit and every frame. */
final class Lists {
    private Lists() {}

    /**
     * Appends every element of from to to, then empties from. Not {@code addAll}: that copies
     * the source into a new array first, and these lists (a surface's frame callbacks and
     * presentation feedbacks, one or two each) change hands on every commit.
     */
    static <T> void moveAll(List<? extends T> from, List<T> to) {
        for (int i = 0, n = from.size(); i < n; i++) to.add(from.get(i));
        from.clear();
    }
}
