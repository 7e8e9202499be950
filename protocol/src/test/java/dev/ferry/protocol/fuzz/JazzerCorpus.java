package dev.ferry.protocol.fuzz;

import org.junit.jupiter.params.provider.Arguments;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A fuzz test's committed corpus as the arguments of a plain parameterized test, so every test
 * run replays it without Jazzer's agent (loaded, the agent instruments every class the JVM loads
 * after it, for all tests). Jazzer keeps a {@code @FuzzTest} method's inputs in the test class's
 * resources under {@code <TestClass>Inputs/<method>/}; each file is one input, named by its file
 * name, in name order, after the empty input. Shared by every module's fuzz tests (the
 * compositor's through this module's test-jar).
 */
public final class JazzerCorpus {
    private JazzerCorpus() {}

    /** (name, bytes) for each committed input of test's fuzz method, the empty input first. */
    public static Stream<Arguments> of(Class<?> test, String fuzzMethod) throws IOException, URISyntaxException {
        String dir = test.getSimpleName() + "Inputs/" + fuzzMethod;
        URL url = test.getResource(dir);
        if (url == null) throw new IllegalStateException("no corpus at " + dir + " beside " + test.getName());
        List<Arguments> out = new ArrayList<>();
        out.add(Arguments.of("(empty)", new byte[0]));
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) out.add(Arguments.of(f.getFileName().toString(), Files.readAllBytes(f)));
        }
        return out.stream();
    }
}
