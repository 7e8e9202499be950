package dev.ferry.drm;

import dev.ferry.posix.OwnedFd;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Fails a test that leaves more fds open than it found. */
public final class NoFdLeaks implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoFdLeaks.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("start", OwnedFd.liveCount());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        int start = context.getStore(NS).get("start", Integer.class);
        assertEquals(start, OwnedFd.liveCount(), () -> "fds leaked: " + OwnedFd.liveFds());
    }
}
