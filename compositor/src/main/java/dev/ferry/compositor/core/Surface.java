package dev.ferry.compositor.core;

import dev.ferry.compositor.buffer.ClientBuffer;
import dev.ferry.compositor.output.Output;
import dev.ferry.protocol.ProtocolException;
import dev.ferry.protocol.interfaces.WlCallback;
import dev.ferry.protocol.server.ClientLimits;
import dev.ferry.protocol.interfaces.WlOutput;
import dev.ferry.protocol.interfaces.WlSurface;
import dev.ferry.protocol.server.Resource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A wl_surface: pending, cached and current state, the role, the subsurface stack, and the
 * frame callbacks and presentation feedback waiting for the next frame that shows it.
 */
public final class Surface implements WlSurface.Requests, Resource.DestroyListener {
    /** Rectangles of an opaque region kept as they are; more become its largest one. */
    static final int MAX_OPAQUE_RECTS = 64;
    /** A frame callback's implementation: gives its charge back when answered or destroyed. */
    private static final Resource.DestroyListener PENDING_CALLBACK =
            r -> r.client().release(ClientLimits.Kind.FRAME_CALLBACKS, 1);

    private final Resource resource;
    private final SurfaceEvents events;
    final SurfaceState pending = new SurfaceState();
    /** Made on first use: only a synchronized subsurface caches (a client's 32 768 idle surfaces stay smaller). */
    SurfaceState cached;
    final SurfaceState current = new SurfaceState();
    private boolean hasCached;
    private String roleName;
    private SurfaceRole role;
    private Subsurface asSubsurface;
    /** The parent's stack: this surface and its subsurfaces, bottom to top; pending and current. */
    final List<Surface> stackPending = new ArrayList<>(1);
    final List<Surface> stackCurrent = new ArrayList<>(1);
    // Capacity 0 on the lists most surfaces never fill: they share one empty array until the first add,
    // which keeps a client's 32 768 idle surfaces smaller for the collector to copy.
    private final List<Resource> framesWaiting = new ArrayList<>(0);
    private final List<PresentationListener> feedbackWaiting = new ArrayList<>(0);
    /** Callbacks and feedback of the content a frame now being drawn shows (see {@link #latchFrame}). */
    private final List<Resource> framesLatched = new ArrayList<>(0);
    private final List<PresentationListener> feedbackLatched = new ArrayList<>(0);
    private final List<Output> outputs = new ArrayList<>(0);
    private CommitValidator viewport;
    private boolean destroyed;
    private long commitCount;
    /** Surface-local damage accumulated since the last repaint took it. */
    private RectSet damageSinceRepaint = RectSet.EMPTY;
    /** wl_surface.offset (or attach x, y before v5) committed since the scene last moved the surface. */
    private int moveX, moveY;
    private RectSet textureDamage = RectSet.EMPTY;
    /** Subsurfaces moved, restacked, came or went: the whole tree needs repainting. */
    private boolean treeChanged;

    /** Whether the subsurface tree changed since the last call (the scene repaints the window). */
    public boolean takeTreeChanged() {
        boolean t = treeChanged;
        treeChanged = false;
        return t;
    }
    /** Commits held back until every part of them is ready, oldest first (see {@link Transaction}). */
    private ArrayDeque<Transaction> held; // null until a commit is held
    /**
     * While a parent applies a held commit: this synchronized subsurface's part of it, to take
     * effect when the parent's apply reaches this surface (in place of what is cached now, which
     * belongs to the parent's next commit).
     */
    private SurfaceState fromParent;

    /**
     * Content that may not be ready to show when committed: a dma-buf whose GPU write (implicit
     * fence) is still running. A commit attaching such a buffer is held whole, off to the side,
     * until the stage completes: true applies it as committed; false (the wait gave up) applies
     * it without its buffer, so the surface keeps showing the previous one and the client gets
     * the buffer released. Later commits queue behind it so commits still take effect in order
     * (frame callbacks and presentation feedback are answered in commit order). The wait runs on
     * the event loop; nothing here blocks, and no other surface is held up.
     */
    public interface ReadinessGate {
        /** Null when ready now; otherwise a stage completing on the event loop thread. */
        CompletionStage<Boolean> whenReady(Surface surface);
    }

    /**
     * wp_fifo_v1: a commit with set_barrier was applied and its content not yet presented; while
     * set, a commit with wait_barrier is held. Cleared when a frame that latched that content is
     * presented, or at once for a surface that no output shows (so it never blocks forever).
     */
    private boolean barrier;
    private boolean barrierLatched;

    /** Where the compositor learns of commits and destruction (the scene). */
    public interface SurfaceEvents {
        void committed(Surface surface);

        void destroyed(Surface surface);
    }

    public Surface(Resource resource, SurfaceEvents events) {
        this.resource = resource;
        this.events = events;
        stackPending.add(this);
        stackCurrent.add(this);
    }

    public Resource resource() { return resource; }
    public SurfaceState state() { return current; }
    public ClientBuffer buffer() { return current.buffer; }
    public SurfaceRole role() { return role; }
    public String roleName() { return roleName; }
    public boolean destroyed() { return destroyed; }
    public long commitCount() { return commitCount; }
    public List<Surface> stack() { return stackCurrent; }
    public Subsurface asSubsurface() { return asSubsurface; }
    public List<Output> outputs() { return outputs; }
    public CommitValidator viewport() { return viewport; }

    /** Whether the pending state attaches a non-null buffer (shells check this before a configure). */
    public boolean pendingAttachesBuffer() {
        return (pending.committed & SurfaceState.BUFFER) != 0 && pending.buffer != null;
    }

    public void setViewport(CommitValidator v) { viewport = v; }

    /**
     * Explicit sync (wp_linux_drm_syncobj_surface_v1): checks each commit before anything of it
     * takes effect (its protocol errors are the commit's), and gives it its acquire and release
     * points with {@link #setPendingSyncPoints}.
     */
    public interface ExplicitSync {
        void beforeCommit(Surface surface);
    }

    private ExplicitSync explicitSync;
    /** The surface's wp_fifo_v1 and wp_commit_timer_v1 objects (at most one each), or null. */
    private Resource fifo, commitTimer;

    public Resource fifo() { return fifo; }
    public void setFifo(Resource r) { fifo = r; }
    public Resource commitTimer() { return commitTimer; }
    public void setCommitTimer(Resource r) { commitTimer = r; }

    public ExplicitSync explicitSync() { return explicitSync; }

    public void setExplicitSync(ExplicitSync e) { explicitSync = e; }

    /** The buffer the pending state attaches (null when none or when it detaches). */
    public ClientBuffer pendingBuffer() {
        return (pending.committed & SurfaceState.BUFFER) != 0 ? pending.buffer : null;
    }

    /**
     * The commit's explicit-sync points: the commit waits for acquire (instead of the buffer's
     * implicit fence) and its buffer signals release once the compositor is done with it.
     */
    /** wp_fifo_v1.set_barrier / wait_barrier for the next commit. */
    public void setPendingFifo(boolean setBarrier, boolean waitBarrier) {
        pending.fifoBarrier |= setBarrier;
        pending.fifoWait |= waitBarrier;
        pending.committed |= SurfaceState.FIFO;
    }

    /** wp_commit_timer_v1.set_timestamp: the next commit is not presented before targetNs. */
    public void setPendingTarget(long targetNs, PresentationTiming timing) {
        pending.targetNs = targetNs;
        pending.timing = timing;
        pending.committed |= SurfaceState.TARGET_TIME;
    }

    /** Whether the next commit already has a target time (wp_commit_timer_v1's timestamp_exists). */
    public boolean pendingHasTarget() {
        return (pending.committed & SurfaceState.TARGET_TIME) != 0;
    }

    /** Whether a commit must still wait for a FIFO barrier or its target time (then it is held). */
    private boolean paced(SurfaceState st) {
        return barrierHolds(st) || targetHolds(st);
    }

    /** A FIFO barrier holds st: set, its content not yet presented, and an output shows the surface. */
    private boolean barrierHolds(SurfaceState st) {
        return st.fifoWait && barrier && !outputs.isEmpty();
    }

    private boolean targetHolds(SurfaceState st) {
        if (st.targetNs == 0 || st.timing == null) return false;
        long next = st.timing.nextPresentationNs(this);
        return next != 0 && next < st.targetNs;
    }

    public void setPendingSyncPoints(ReadinessGate acquire, dev.ferry.compositor.buffer.ReleasePoint release) {
        pending.acquire = acquire;
        pending.release = release;
        pending.committed |= SurfaceState.SYNC_POINTS;
    }

    /** Checks the state a commit just made current (wp_viewport's source must fit the buffer). */
    public interface CommitValidator {
        void validate(Surface surface);
    }

    /** wp_presentation.feedback: told about the next commit's presentation. */
    public void addPendingFeedback(PresentationListener listener) {
        pending.feedbacks.add(listener);
        pending.committed |= SurfaceState.FEEDBACK;
    }

    /** Sets the pending viewport rectangles (wp_viewport). */
    public void setPendingViewport(double sx, double sy, double sw, double sh, int dw, int dh) {
        pending.srcX = sx;
        pending.srcY = sy;
        pending.srcW = sw;
        pending.srcH = sh;
        pending.dstW = dw;
        pending.dstH = dh;
        pending.committed |= SurfaceState.VIEWPORT;
    }

    /** Gives the surface a role, or throws the protocol error the caller names. */
    public void setRole(SurfaceRole newRole, Resource errorOn, int errorCode) {
        if (role != null || (roleName != null && !roleName.equals(newRole.roleName()))) {
            throw new ProtocolException(errorOn.id(), errorCode,
                    resource + " already has role " + roleName + ", cannot become " + newRole.roleName());
        }
        roleName = newRole.roleName();
        role = newRole;
        if (newRole instanceof Subsurface s) asSubsurface = s;
    }

    /** The role object went away; the surface keeps its role kind and shows nothing. */
    public void clearRole(SurfaceRole old) {
        if (role == old) {
            role = null;
            if (asSubsurface == old) asSubsurface = null;
        }
    }

    // ---- wl_surface requests ----

    @Override
    public void destroy(Resource self) {}

    @Override
    public void attach(Resource self, Resource buffer, int x, int y) {
        if (self.version() >= 5 && (x != 0 || y != 0)) {
            throw new ProtocolException(self.id(), WlSurface.ERROR_INVALID_OFFSET,
                    "attach with a non-zero offset is not allowed since version 5; use offset");
        }
        pending.buffer = buffer == null ? null : buffer.implementation(ClientBuffer.class);
        if (buffer != null && pending.buffer == null) {
            throw new ProtocolException(self.id(), WlSurface.ERROR_INVALID_OFFSET, buffer + " is not a usable buffer");
        }
        pending.committed |= SurfaceState.BUFFER;
        if (x != 0 || y != 0) {
            pending.dx = x;
            pending.dy = y;
            pending.committed |= SurfaceState.OFFSET;
        }
    }

    @Override
    public void damage(Resource self, int x, int y, int width, int height) {
        pending.surfaceDamage = pending.surfaceDamage.add(x, y, width, height).simplified();
        pending.committed |= SurfaceState.SURFACE_DAMAGE;
    }

    @Override
    public void frame(Resource self, int callback) {
        // Counted against the client's frame-callbacks limit until answered or destroyed.
        self.client().charge(ClientLimits.Kind.FRAME_CALLBACKS, 1);
        pending.frameCallbacks.add(self.client().createResource(callback, WlCallback.INTERFACE, 1, PENDING_CALLBACK));
        pending.committed |= SurfaceState.FRAME;
    }

    @Override
    public void setOpaqueRegion(Resource self, Resource region) {
        // Opaque is a hint read every frame (occlusion, scanout checks): a client's thousands of
        // rectangles there would cost each frame, so past a few only the largest is kept, which
        // is always safe (less opaque area only means less is skipped).
        pending.opaque = region == null ? RectSet.EMPTY : region.implementation(RegionResource.class).rects().atMost(MAX_OPAQUE_RECTS);
        pending.committed |= SurfaceState.OPAQUE;
    }

    @Override
    public void setInputRegion(Resource self, Resource region) {
        pending.input = region == null ? null : region.implementation(RegionResource.class).rects();
        pending.committed |= SurfaceState.INPUT;
    }

    @Override
    public void commit(Resource self) {
        if (explicitSync != null) explicitSync.beforeCommit(this);
        if (role != null) role.beforeCommit(this);
        if (asSubsurface != null && asSubsurface.effectivelySynchronized()) {
            pending.mergeInto(cached(), false);
            hasCached = true;
            return;
        }
        if (hasCached) {
            // Desynchronized with state still cached: the pending state joins it, applied as a whole.
            pending.mergeInto(cached(), false);
            commitCached();
        } else {
            take(pending, false);
        }
    }

    private SurfaceState cached() {
        if (cached == null) cached = new SurfaceState();
        return cached;
    }

    /** What is cached takes effect as if committed now (a commit, or leaving synchronized mode). */
    void commitCached() {
        if (!hasCached) return;
        hasCached = false;
        take(cached, true);
    }

    /**
     * source is this surface's commit: applied at once when nothing of it has to wait, otherwise
     * held as one {@link Transaction} with the cached states of the synchronized subsurfaces it applies.
     */
    private void take(SurfaceState source, boolean sourceHoldsLock) {
        CompletionStage<Boolean> wait = startWait(source);
        if (wait == null && !holding() && !paced(source) && !cachedBelow()) {
            apply(source, sourceHoldsLock);
            return;
        }
        Transaction t = new Transaction(this);
        source.mergeInto(t.root.state, sourceHoldsLock);
        t.await(t.root, wait, this::applyHeld);
        gatherCachedBelow(t, this);
        if (held == null) held = new ArrayDeque<>(2);
        held.addLast(t);
        applyHeld();
    }

    /** Starts the wait for the buffer st attaches, if it is not ready: its acquire point, else its implicit fence. */
    private CompletionStage<Boolean> startWait(SurfaceState st) {
        if ((st.committed & SurfaceState.BUFFER) == 0) return null;
        // An acquire point replaces the implicit fence: explicit sync ignores the latter.
        ReadinessGate gate = st.acquire != null ? st.acquire : st.buffer instanceof ReadinessGate g ? g : null;
        return gate == null ? null : gate.whenReady(this);
    }

    /** Whether a synchronized subsurface under this one has a cached commit (this surface's commit applies it). */
    private boolean cachedBelow() {
        for (int i = 0; i < stackPending.size(); i++) {
            Surface child = stackPending.get(i);
            if (child == this || child.asSubsurface == null) continue;
            if (child.hasCached || (child.asSubsurface.effectivelySynchronized() && child.cachedBelow())) return true;
        }
        return false;
    }

    /**
     * Moves the cached state of every synchronized subsurface under this one into t, starting its
     * buffer's wait; what they commit from now on is cached for the next commit.
     */
    private void gatherCachedBelow(Transaction t, Surface committing) {
        for (int i = 0; i < stackPending.size(); i++) {
            Surface child = stackPending.get(i);
            if (child == this || child.asSubsurface == null) continue;
            if (child.hasCached) {
                child.hasCached = false;
                Transaction.Part p = t.addChild(child);
                child.cached.mergeInto(p.state, true);
                t.await(p, child.startWait(p.state), committing::applyHeld);
            }
            if (child.asSubsurface.effectivelySynchronized()) child.gatherCachedBelow(t, committing);
        }
    }

    /** Whether part p of a held commit must still wait for its FIFO barrier or target time; arms the wake-up for the latter. */
    private boolean holds(Transaction.Part p) {
        Surface s = p.surface;
        SurfaceState st = p.state;
        if (s.barrierHolds(st)) return true; // the barrier's presentation resumes
        if (!s.targetHolds(st)) return false;
        if (!p.timerArmed) {
            p.timerArmed = true;
            st.timing.whenPresentable(s, st.targetNs, () -> {
                p.timerArmed = false;
                applyHeld();
            });
        }
        return true;
    }

    /**
     * Applies held commits from the oldest until one must still wait: for a buffer, for a FIFO
     * barrier to be presented, or for the frame that can present it at its target time.
     */
    private void applyHeld() {
        while (!destroyed && holding() && !held.peekFirst().waiting()) {
            Transaction head = held.peekFirst();
            // Every part is looked at, so each one's target-time wake-up is armed.
            boolean wait = holds(head.root);
            for (Transaction.Part p : head.children()) wait |= !p.surface.destroyed && holds(p);
            if (wait) return;
            Transaction t = held.removeFirst();
            if (!t.root.ready) withoutBuffer(t.root.state);
            for (Transaction.Part p : t.children()) {
                if (!p.ready) withoutBuffer(p.state);
                p.surface.fromParent = p.state;
            }
            try {
                apply(t.root.state, true);
            } catch (ProtocolException e) {
                // Outside request dispatch, so report it as dispatch would have.
                Resource on = resource.client().resource(e.objectId());
                resource.client().postError(on != null ? on : resource, e.code(), e.getMessage());
                return;
            } finally {
                // A part the apply did not reach: its surface left this tree (or went) meanwhile.
                for (Transaction.Part p : t.children()) {
                    if (p.surface.fromParent == p.state) {
                        p.surface.fromParent = null;
                        p.surface.unreached(p.state);
                    }
                }
            }
        }
    }

    /**
     * A commit whose buffer was never ready: it takes effect without it, so the surface keeps
     * its previous buffer; unlocking releases this one to the client, and its presentation
     * feedback is discarded (its content never reaches the screen). Its damage described that
     * buffer, so it goes too: the commit has nothing new to show, and an output's repaint must not
     * treat it as new content (which starts a frame at once rather than at the repaint deadline).
     */
    private static void withoutBuffer(SurfaceState st) {
        if ((st.committed & SurfaceState.BUFFER) == 0) return;
        if (st.buffer != null) st.buffer.unlock();
        st.buffer = null;
        st.committed &= ~(SurfaceState.BUFFER | SurfaceState.SURFACE_DAMAGE | SurfaceState.BUFFER_DAMAGE);
        st.surfaceDamage = RectSet.EMPTY;
        st.bufferDamage = RectSet.EMPTY;
        signalUnusedRelease(st);
        for (Object f : st.feedbacks) ((PresentationListener) f).discarded();
        st.feedbacks.clear();
        st.committed &= ~SurfaceState.FEEDBACK;
    }

    /**
     * This surface's part of its parent's commit, not reached when that commit took effect: the
     * subsurface was detached meanwhile. A live surface keeps it cached under what it cached
     * since (its next commit applies both); a destroyed one lets it go.
     */
    private void unreached(SurfaceState part) {
        if (destroyed) {
            discard(part);
            return;
        }
        cached().mergeInto(part, true);
        part.mergeInto(cached, true);
        hasCached = true;
    }

    /** A state that will never take effect: its buffer released, callbacks gone, feedback discarded. */
    private static void discard(SurfaceState st) {
        signalUnusedRelease(st);
        if (st.buffer != null) st.buffer.unlock();
        st.buffer = null;
        for (Resource cb : st.frameCallbacks) cb.destroy();
        st.frameCallbacks.clear();
        for (Object l : st.feedbacks) ((PresentationListener) l).discarded();
        st.feedbacks.clear();
        st.committed = 0;
    }

    @Override
    public void setBufferTransform(Resource self, int transform) {
        if (transform < 0 || transform > WlOutput.TRANSFORM_FLIPPED_270) {
            throw new ProtocolException(self.id(), WlSurface.ERROR_INVALID_TRANSFORM, "buffer transform " + transform);
        }
        pending.transform = transform;
        pending.committed |= SurfaceState.TRANSFORM;
    }

    @Override
    public void setBufferScale(Resource self, int scale) {
        if (scale < 1) throw new ProtocolException(self.id(), WlSurface.ERROR_INVALID_SCALE, "buffer scale " + scale);
        pending.scale = scale;
        pending.committed |= SurfaceState.SCALE;
    }

    @Override
    public void damageBuffer(Resource self, int x, int y, int width, int height) {
        pending.bufferDamage = pending.bufferDamage.add(x, y, width, height).simplified();
        pending.committed |= SurfaceState.BUFFER_DAMAGE;
    }

    @Override
    public void offset(Resource self, int x, int y) {
        pending.dx = x;
        pending.dy = y;
        pending.committed |= SurfaceState.OFFSET;
    }

    // ---- state application ----

    /**
     * The parent's commit takes effect: this subsurface's part of it (see {@link Transaction}) takes
     * effect with it; without one, the positions and order of the subsurfaces under this one.
     */
    void applyFromParent() {
        SurfaceState part = fromParent;
        if (part != null) {
            fromParent = null;
            apply(part, true);
        } else {
            applySubsurfaceOrder();
        }
    }

    private void apply(SurfaceState source, boolean sourceHoldsLock) {
        int changed = source.committed;
        ClientBuffer before = current.buffer;
        int widthBefore = width(), heightBefore = height();
        int dxBefore = current.dx, dyBefore = current.dy;
        // Content replaced before it was shown: its feedback will never be presented.
        if ((changed & SurfaceState.BUFFER) != 0 && !feedbackWaiting.isEmpty()) {
            for (PresentationListener l : feedbackWaiting) l.discarded();
            feedbackWaiting.clear();
        }
        source.mergeInto(current, sourceHoldsLock);
        if (current.fifoBarrier) {
            barrier = true;
            barrierLatched = false;
        }
        current.fifoBarrier = current.fifoWait = false;
        current.targetNs = 0;
        current.timing = null;
        current.acquire = null;
        if (current.release != null) {
            // The buffer signals it when its last reader lets go (at once if it is gone).
            if (current.buffer != null) current.buffer.addReleasePoint(current.release);
            else current.release.signal();
            current.release = null;
        }
        if (viewport != null) viewport.validate(this);
        commitCount++;
        Lists.moveAll(current.frameCallbacks, framesWaiting);
        for (Object f : current.feedbacks) feedbackWaiting.add((PresentationListener) f);
        current.feedbacks.clear();
        ClientBuffer now = current.buffer;
        if ((changed & SurfaceState.BUFFER) != 0 && now != null) now.refresh();
        if ((changed & (SurfaceState.BUFFER | SurfaceState.SURFACE_DAMAGE | SurfaceState.BUFFER_DAMAGE)) != 0) {
            boolean whole = now != before || !current.bufferDamage.isEmpty() || (changed & (SurfaceState.SCALE
                    | SurfaceState.TRANSFORM | SurfaceState.VIEWPORT)) != 0;
            damageSinceRepaint = damageSinceRepaint.add(whole ? RectSet.of(0, 0, width(), height()) : current.surfaceDamage).simplified();
            if (now != null) {
                textureDamage = textureDamage.add(!current.surfaceDamage.isEmpty() || now != before
                        ? RectSet.of(0, 0, now.width(), now.height()) : current.bufferDamage).simplified();
            }
        } else if ((changed & (SurfaceState.SCALE | SurfaceState.TRANSFORM | SurfaceState.VIEWPORT | SurfaceState.OFFSET)) != 0) {
            damageSinceRepaint = RectSet.of(0, 0, width(), height());
        }
        // A surface that shrank must repaint what it no longer covers (the scene places the damage).
        if (width() != widthBefore || height() != heightBefore) {
            damageSinceRepaint = damageSinceRepaint.add(RectSet.of(0, 0, Math.max(width(), widthBefore),
                    Math.max(height(), heightBefore))).simplified();
        }
        moveX += current.dx - dxBefore;
        moveY += current.dy - dyBefore;
        current.surfaceDamage = RectSet.EMPTY;
        current.bufferDamage = RectSet.EMPTY;
        current.committed = 0;
        applySubsurfaceOrder();
        if (role != null) role.afterCommit(this);
        events.committed(this);
    }

    private void applySubsurfaceOrder() {
        for (Surface child : stackPending) {
            if (child != this && child.asSubsurface != null && child.asSubsurface.applyPendingPosition()) treeChanged = true;
        }
        if (!stackCurrent.equals(stackPending)) {
            stackCurrent.clear();
            stackCurrent.addAll(stackPending);
            treeChanged = true;
        }
        for (Surface child : stackCurrent) {
            if (child != this && child.asSubsurface != null) child.applyFromParent();
        }
    }

    // ---- geometry ----

    /** Width in surface coordinates (after transform, scale and viewport); 0 without a buffer. */
    public int width() {
        ClientBuffer b = current.buffer;
        if (b == null) return 0;
        if (current.dstW > 0) return current.dstW;
        if (current.hasSource()) return (int) Math.round(current.srcW);
        boolean swap = (current.transform & 1) != 0;
        return (swap ? b.height() : b.width()) / current.scale;
    }

    public int height() {
        ClientBuffer b = current.buffer;
        if (b == null) return 0;
        if (current.dstH > 0) return current.dstH;
        if (current.hasSource()) return (int) Math.round(current.srcH);
        boolean swap = (current.transform & 1) != 0;
        return (swap ? b.width() : b.height()) / current.scale;
    }

    public boolean mapped() {
        return current.buffer != null && !destroyed;
    }

    /** Takes the damage (surface coordinates) accumulated since the last call. */
    public RectSet takeDamage() {
        RectSet d = damageSinceRepaint;
        damageSinceRepaint = RectSet.EMPTY;
        return d;
    }

    /** Takes what changed in the buffer since the renderer last saw it (buffer coordinates). */
    public RectSet takeTextureDamage() {
        RectSet d = textureDamage;
        textureDamage = RectSet.EMPTY;
        return d;
    }

    /**
     * The renderer's copy of the buffer is to be refreshed whole: the buffer's changes went
     * elsewhere meanwhile (to the host compositor, for a nested passthrough) without it.
     */
    public void damageWholeTexture() {
        ClientBuffer b = current.buffer;
        if (b != null) textureDamage = RectSet.of(0, 0, b.width(), b.height());
    }

    /**
     * Takes the offset committed since the last call (surface coordinates): how far the
     * surface's origin moves relative to where it was, {x, y}; null when it does not move.
     */
    public int[] takeMove() {
        if (moveX == 0 && moveY == 0) return null;
        int[] m = {moveX, moveY};
        moveX = moveY = 0;
        return m;
    }

    public boolean hasFrameCallbacks() {
        return !framesWaiting.isEmpty() || !feedbackWaiting.isEmpty() || !framesLatched.isEmpty() || !feedbackLatched.isEmpty();
    }

    /**
     * A frame showing the current content is being drawn: what waits for that content now rides
     * with that frame. Commits made while it is drawn wait for the next one, so a callback never
     * fires for a frame that does not show its commit.
     */
    public void latchFrame() {
        if (barrier) barrierLatched = true;
        Lists.moveAll(framesWaiting, framesLatched);
        Lists.moveAll(feedbackWaiting, feedbackLatched);
    }

    /** The frame that latched this surface's content reached the screen: callbacks done, feedback presented. */
    public void presented(Output output, long timeNs, long refreshNs, long sequence, int flags) {
        answer(framesLatched, timeNs);
        framesLatched.clear();
        for (PresentationListener l : feedbackLatched) l.presented(output, timeNs, refreshNs, sequence, flags);
        feedbackLatched.clear();
        if (barrierLatched) clearBarrier();
    }

    /**
     * What {@link #latchFrame} latched, taken away for a presenter that follows frames of its own
     * (nested passthrough hears "done" and "presented" from its host at different times, and may
     * latch the next frame in between): answered through {@link #framesDone}, {@link #presented(Latched, Output, long, long, long, int)}
     * and {@link #frameDropped(Latched, long)}.
     */
    public record Latched(List<Resource> frames, List<PresentationListener> feedback, boolean barrier) {}

    public Latched takeLatched() {
        Latched l = new Latched(List.copyOf(framesLatched), List.copyOf(feedbackLatched), barrierLatched);
        framesLatched.clear();
        feedbackLatched.clear();
        barrierLatched = false;
        return l;
    }

    /** The latched frame is far enough along that the client should draw its next: callbacks answered. */
    public void framesDone(Latched l, long timeNs) {
        answer(l.frames(), timeNs);
    }

    /** The latched frame reached the screen: its feedback presented, its FIFO barrier lifted. */
    public void presented(Latched l, Output output, long timeNs, long refreshNs, long sequence, int flags) {
        for (PresentationListener f : l.feedback()) f.presented(output, timeNs, refreshNs, sequence, flags);
        if (l.barrier() && barrier) clearBarrier();
    }

    /** The latched frame will never reach the screen: its feedback discarded, its barrier lifted. */
    public void frameDropped(Latched l, long timeNs) {
        for (PresentationListener f : l.feedback()) f.discarded();
        if (l.barrier() && barrier) clearBarrier();
    }

    /** Answers frame callbacks with done at timeNs; each callback object ends with its answer. */
    private static void answer(List<Resource> callbacks, long timeNs) {
        int ms = (int) (timeNs / 1_000_000L);
        for (Resource cb : callbacks) {
            WlCallback.sendDone(cb, ms);
            cb.destroy();
        }
    }

    /** The FIFO barrier's content was presented (or nothing shows the surface): held commits may go on. */
    private void clearBarrier() {
        barrier = barrierLatched = false;
        resumeHeld();
    }

    /** Whether a commit is held back (see {@link #take}). */
    private boolean holding() {
        return held != null && !held.isEmpty();
    }

    /**
     * Something a held commit may wait for changed on this surface: its own held commits, and
     * those of the ancestors whose commits carry this synchronized subsurface's state, are looked at.
     */
    private void resumeHeld() {
        for (Surface s = this; s != null; s = s.asSubsurface == null ? null : s.asSubsurface.parent()) {
            if (s.holding()) s.applyHeld();
        }
    }

    /**
     * The frame that latched this surface's content will never reach the screen (its flip was
     * refused or never completed): its callbacks are answered all the same, so the client keeps
     * drawing, and its presentation feedback is discarded, which is the truth.
     */
    public void frameDropped(long timeNs) {
        answer(framesLatched, timeNs);
        framesLatched.clear();
        for (PresentationListener l : feedbackLatched) l.discarded();
        feedbackLatched.clear();
    }

    /**
     * Frame callbacks of a surface no output shows: answered at the next repaint so clients keep
     * going. Only what waits is answered; what a frame in flight latched stays with that frame,
     * so a client never hears "done" while the buffer it would draw into next is still in use.
     */
    public void throttledDone(long timeNs) {
        answer(framesWaiting, timeNs);
        framesWaiting.clear();
        for (PresentationListener l : feedbackWaiting) l.discarded();
        feedbackWaiting.clear();
        if (barrier) clearBarrier();
    }

    /** The surface is now shown on o (wl_surface.enter, once). */
    public void enterOutput(Output o) {
        if (outputs.contains(o)) return;
        for (Resource r : o.resourcesOf(resource.client())) WlSurface.sendEnter(resource, r);
        outputs.add(o);
    }

    /** The surface is no longer shown on o (wl_surface.leave, once). */
    public void leaveOutput(Output o) {
        if (!outputs.remove(o)) return;
        if (!destroyed) for (Resource r : o.resourcesOf(resource.client())) WlSurface.sendLeave(resource, r);
        // No output shows it now: a FIFO barrier no longer holds its commits.
        if (outputs.isEmpty()) resumeHeld();
    }

    void addSubsurface(Surface child) {
        stackPending.add(child);
    }

    void removeSubsurface(Surface child) {
        stackPending.remove(child);
        stackCurrent.remove(child);
        treeChanged = true;
        // The child leaves the picture now: the scene repaints where it was shown.
        if (!destroyed && !child.destroyed) events.committed(child);
    }

    /** place_above / place_below: moves child next to sibling in the pending stack. */
    boolean restack(Surface child, Surface sibling, boolean above) {
        int si = stackPending.indexOf(sibling);
        if (si < 0) return false;
        stackPending.remove(child);
        si = stackPending.indexOf(sibling);
        stackPending.add(above ? si + 1 : si, child);
        return true;
    }

    @Override
    public void destroyed(Resource r) {
        destroyed = true;
        if (role != null) role.surfaceDestroyed(this);
        for (Surface child : List.copyOf(stackPending)) {
            if (child != this && child.asSubsurface != null) child.asSubsurface.parentDestroyed();
        }
        if (pending.buffer != null) pending.buffer = null;
        signalUnusedRelease(pending);
        if (cached != null) signalUnusedRelease(cached);
        if (held != null) {
            for (Transaction t : held) {
                discard(t.root.state);
                // The subsurfaces' parts stay theirs: cached again (or let go with a destroyed one).
                for (Transaction.Part p : t.children()) p.surface.unreached(p.state);
            }
            held.clear();
        }
        if (fromParent != null) discard(fromParent);
        fromParent = null;
        if (cached != null && cached.buffer != null) {
            cached.buffer.unlock();
            cached.buffer = null;
        }
        if (current.buffer != null) {
            current.buffer.unlock();
            current.buffer = null;
        }
        for (Resource cb : pending.frameCallbacks) cb.destroy();
        if (cached != null) for (Resource cb : cached.frameCallbacks) cb.destroy();
        latchFrame();
        for (Resource cb : framesLatched) cb.destroy();
        framesLatched.clear();
        for (PresentationListener l : feedbackLatched) l.discarded();
        feedbackLatched.clear();
        for (Object l : pending.feedbacks) ((PresentationListener) l).discarded();
        if (cached != null) for (Object l : cached.feedbacks) ((PresentationListener) l).discarded();
        events.destroyed(this);
    }

    /** A commit's buffer will never be read: its release point is signalled now. */
    private static void signalUnusedRelease(SurfaceState st) {
        if (st.release != null) st.release.signal();
        st.release = null;
        st.acquire = null;
    }

    @Override
    public String toString() {
        return resource.toString();
    }
}
