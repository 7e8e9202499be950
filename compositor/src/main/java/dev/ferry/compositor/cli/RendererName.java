package dev.ferry.compositor.cli;

/**
 * The renderers a user may pick on the command line (`ferry run`, `ferry demo`): the renderer
 * module's dummy, for tests, is not one. The names are those Renderers.create takes.
 */
public enum RendererName { gles, vulkan, cpu, auto }
