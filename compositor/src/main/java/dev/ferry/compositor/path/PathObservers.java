package dev.ferry.compositor.path;

import dev.ferry.compositor.core.Surface;
import dev.ferry.compositor.output.Output;
import dev.ferry.kms.FallbackReason;
import dev.ferry.kms.PathKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Every registered {@link PathObserver}, told in registration order. */
public final class PathObservers implements PathObserver {
    private final List<PathObserver> observers = new ArrayList<>(2);

    public void add(PathObserver o) {
        observers.add(o);
    }

    @Override
    public void surfacePresented(Output output, Surface surface, PathKind path, Set<FallbackReason> reasons, long presentNs) {
        for (int i = 0; i < observers.size(); i++) observers.get(i).surfacePresented(output, surface, path, reasons, presentNs);
    }

    @Override
    public void surfacePresented(Output output, Surface surface, PathKind path, Set<FallbackReason> reasons,
                                 Output.ScanoutTarget overlay, long presentNs) {
        for (int i = 0; i < observers.size(); i++) observers.get(i).surfacePresented(output, surface, path, reasons, overlay, presentNs);
    }

    @Override
    public void outputPresented(Output output, PathKind framePath, String device, long presentNs) {
        for (int i = 0; i < observers.size(); i++) observers.get(i).outputPresented(output, framePath, device, presentNs);
    }
}
