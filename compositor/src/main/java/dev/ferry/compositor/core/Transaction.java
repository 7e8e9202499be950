package dev.ferry.compositor.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * One commit as it takes effect: the committing surface's state, and the cached states of the
 * synchronized subsurfaces under it that this commit applies (wl_subsurface: a synchronized
 * child's commit is cached and applied with its parent's). A commit that cannot take effect at
 * once is held whole, on the committing surface, until every part can: each part's buffer (its
 * acquire point or implicit fence, all waited for side by side on the event loop, each bounded
 * by the same deadline as any surface's), each part's FIFO barrier and target time. So nothing
 * of a commit is shown before all of it can be, and a child's late buffer holds its parent's
 * commit, which is what Mutter, KWin and wlroots do with a transaction per commit.
 */
final class Transaction {
    /** One surface's state in the commit. */
    static final class Part {
        final Surface surface;
        final SurfaceState state = new SurfaceState();
        /** False once its buffer's wait gave up: the part takes effect without its buffer. */
        boolean ready = true;
        /** A wake-up for its target time is on its way. */
        boolean timerArmed;

        Part(Surface surface) {
            this.surface = surface;
        }
    }

    final Part root;
    /** The subsurfaces' parts, parents before their children; empty for a surface without cached children. */
    private List<Part> children = List.of();
    /** Buffer waits not yet answered. */
    private int waiting;

    Transaction(Surface committing) {
        root = new Part(committing);
    }

    List<Part> children() { return children; }

    Part addChild(Surface child) {
        if (children.isEmpty()) children = new ArrayList<>(2);
        Part p = new Part(child);
        children.add(p);
        return p;
    }

    boolean waiting() { return waiting > 0; }

    /**
     * The part waits for wait (its buffer's readiness); then resume runs (on the event loop).
     * A wait that has already finished is counted at once.
     */
    void await(Part part, CompletionStage<Boolean> wait, Runnable resume) {
        if (wait == null) return;
        waiting++;
        wait.whenComplete((ok, failure) -> {
            waiting--;
            part.ready = ok != null && ok;
            resume.run();
        });
    }
}
