package dev.ferry.compositor;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.ferry.compositor.backend.kms.KmsBackend;
import dev.ferry.compositor.devices.FakeDevices;
import dev.ferry.drm.DrmDevice;
import dev.ferry.drm.FakeDevice;
import dev.ferry.kms.KmsPipe;
import dev.ferry.renderer.Renderer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seam to the hardware: compositor, kms-backend and renderer know devices only through
 * drm-api. fake-drm and drm-api share package names (dev.ferry.drm...), so a class is told apart
 * by where it was loaded from: fake-drm's classes directory or jar. Only the composition root may
 * name fake-drm: {@link FakeDevices} and the rest of its package (builds the devices from a
 * topology, a clock and a fault plan, behind a {@code DeviceSource}) and the command line (topology
 * presets, fault plans). The kms backend itself takes a {@code DeviceSource} and names no fake-drm
 * class, so a real DRM implementation could stand in.
 * kms-backend and renderer do not even have fake-drm on their compile class path; this test also
 * holds the compositor to it.
 */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.ferry.compositor", "dev.ferry.kms", "dev.ferry.renderer", "dev.ferry.drm");

    private static final Set<Path> ORIGINS = Set.of(location(KmsBackend.class), location(KmsPipe.class), location(Renderer.class));

    private static final DescribedPredicate<JavaClass> IN_FAKE_DRM = from(location(FakeDevice.class), "classes of fake-drm");

    private static final DescribedPredicate<JavaClass> IN_COMPOSITION_ROOT = new DescribedPredicate<>("the composition root") {
        @Override
        public boolean test(JavaClass c) {
            return c.getPackageName().equals("dev.ferry.compositor.devices") || c.getPackageName().equals("dev.ferry.compositor.cli");
        }
    };

    private static final DescribedPredicate<JavaClass> COMPOSITOR_SIDE = new DescribedPredicate<>("compositor, kms-backend or renderer") {
        @Override
        public boolean test(JavaClass c) {
            return ORIGINS.stream().anyMatch(o -> from(o, "").test(c));
        }
    };

    @Test
    void onlyTheCompositionRootNamesFakeDrm() {
        ArchRule rule = noClasses().that(COMPOSITOR_SIDE).and(DescribedPredicate.not(IN_COMPOSITION_ROOT))
                .should().dependOnClassesThat(IN_FAKE_DRM)
                .because("the compositor programs against drm-api; a real /dev/dri device must be able to stand in for fake-drm");
        rule.check(CLASSES);
    }

    /** The rule above would pass vacuously if the classes were not read or not told apart. */
    @Test
    void theRuleSeesBothSides() {
        assertTrue(IN_FAKE_DRM.test(CLASSES.get(FakeDevice.class)), "FakeDevice is fake-drm's");
        assertFalse(IN_FAKE_DRM.test(CLASSES.get(DrmDevice.class)), "DrmDevice is drm-api's");
        assertTrue(COMPOSITOR_SIDE.test(CLASSES.get(KmsBackend.class)));
        assertTrue(COMPOSITOR_SIDE.test(CLASSES.get(KmsPipe.class)));
        assertTrue(CLASSES.get(FakeDevices.class).getDirectDependenciesFromSelf().stream()
                .anyMatch(d -> IN_FAKE_DRM.test(d.getTargetClass())), "the composition root is seen naming fake-drm");
    }

    /** The classes directory or jar a class was loaded from. */
    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Classes read from under a location (a class file in a directory, or an entry of a jar). */
    private static DescribedPredicate<JavaClass> from(Path location, String name) {
        return new DescribedPredicate<>(name) {
            @Override
            public boolean test(JavaClass c) {
                return c.getSource().map(s -> {
                    URI uri = s.getUri();
                    if (uri.getScheme().equals("jar")) {
                        String spec = uri.getSchemeSpecificPart();
                        uri = URI.create(spec.substring(0, spec.indexOf("!/")));
                    }
                    return Path.of(uri).startsWith(location);
                }).orElse(false);
            }
        };
    }
}
