package dev.ferry.compositor.core;

/**
 * What a surface is for (xdg_toplevel, xdg_popup, subsurface). A surface gets at most one role
 * kind for its whole life; the role object may be destroyed and a new one of the same kind made.
 */
public interface SurfaceRole {
    /** The role kind, e.g. "xdg_toplevel", compared when a surface is given a role. */
    String roleName();

    /** Before pending state is applied; may reject the commit with a ProtocolException. */
    default void beforeCommit(Surface surface) {}

    /** After the state is applied and the surface is current. */
    default void afterCommit(Surface surface) {}

    /** The wl_surface is being destroyed. */
    default void surfaceDestroyed(Surface surface) {}
}
