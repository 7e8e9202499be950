/**
 * Topology files: the devices of a machine, their memory, formats and KMS objects, and the p2p
 * matrix. Records map one-to-one onto the JSON; {@link dev.ferry.drm.topology.Topologies} lists
 * and loads the presets and prints any topology back as JSON.
 */
package dev.ferry.drm.topology;
