package dev.ferry.posix;

import java.lang.foreign.MemorySegment;

/**
 * Loads every kind of heap memory segment, once, before Ferry's code is compiled. Until a second
 * MemorySegment implementation is loaded, the JIT's class-hierarchy analysis takes every segment
 * to be native and compiles segment access on that assumption; the first heap segment made later
 * (MemorySegment.ofArray, a segment's toArray: a test's raw client in the same JVM, a library, a
 * diagnostic) then marks every such compiled method for deoptimization at once, and the JIT
 * compiles them all again. In HostileClientsTest that was 700-800 ms of compiler CPU within one
 * second on two cores, the frame loop's and the windows' code among it, while ten healthy windows
 * waited for their frames (BENCHMARKS.md, eleventh session). Loaded up front, the kinds cost the
 * compiled code a type check where it had none, and nothing later can set such a storm off.
 */
final class SegmentKinds {
    private SegmentKinds() {}

    static void load() {
        MemorySegment.ofArray(new byte[1]);
        MemorySegment.ofArray(new short[1]);
        MemorySegment.ofArray(new char[1]);
        MemorySegment.ofArray(new int[1]);
        MemorySegment.ofArray(new long[1]);
        MemorySegment.ofArray(new float[1]);
        MemorySegment.ofArray(new double[1]);
    }
}
