/**
 * Ferry's renderers: composition of client buffers into a scanout buffer, on the GPU
 * ({@link dev.ferry.renderer.gles.GlesRenderer}) or the CPU ({@link dev.ferry.renderer.cpu.CpuRenderer}),
 * behind small capability interfaces ({@link dev.ferry.renderer.MemoryImporter},
 * {@link dev.ferry.renderer.DmaBufImporter}, {@link dev.ferry.renderer.Composer}) that
 * {@link dev.ferry.renderer.Renderer} bundles. {@link dev.ferry.renderer.Renderers#create} picks one.
 *
 * <h2>Rules, written once</h2>
 * <ul>
 *   <li>Nothing blocks the caller on the GPU: imports and frames answer through futures, which a
 *       GPU renderer completes on its render thread (chain with {@code *Async} onto your own executor).</li>
 *   <li>A bad buffer is a value, not an exception: {@link dev.ferry.renderer.ImportResult.Rejected}
 *       with an {@link dev.ferry.renderer.ImportRejection} and a detail a person can read.</li>
 *   <li>A failed frame ({@link dev.ferry.renderer.FrameResult.Failed}) leaves the target untouched:
 *       everything is checked (CPU) or drawn offscreen and checked (GPU) before the first target byte is written.</li>
 *   <li>The caller owns client memory and target memory, and keeps both valid until the future that
 *       reads them completes; a texture borrows its source memory until the texture is closed.</li>
 *   <li>The importer owns a texture and closes it once; a renderer frees the GPU objects and any
 *       de-tiled shadow copy it made. Closing a renderer invalidates its textures.</li>
 *   <li>Coordinates: destinations, damage and opaque regions in output pixels (opaque regions
 *       relative to the destination); crops as wp_viewport gives them; buffer damage in buffer pixels.</li>
 * </ul>
 *
 * <p>{@code dev.ferry.renderer.core} holds what both renderers share (the buffer mapping, the
 * occlusion rule, source validation, BT.709 constants); it is not API.
 */
package dev.ferry.renderer;
