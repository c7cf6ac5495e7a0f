package io.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.ServiceKind;
import io.capstan.model.manifest.CodePackageManifest;
import io.capstan.model.manifest.EndpointManifest;
import io.capstan.model.manifest.FilesPackageManifest;
import io.capstan.model.manifest.ProcessSpec;
import io.capstan.model.manifest.ResourceRequest;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.manifest.ServiceTypeManifest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The update rules: in place, refresh, or restart, from manifests and folder contents. */
class ActivationChangeTest {

    private static ServicePackageManifest sp(String version, String args, String configVersion, List<EndpointManifest> endpoints,
                                             String... dataPackages) {
        CodePackageManifest code = new CodePackageManifest("Code", "1.0.0", new ProcessSpec("./run.sh", List.of(args), Map.of(), null),
                ResourceRequest.NONE);
        return new ServicePackageManifest("Pkg", version, List.of(new ServiceTypeManifest("T", ServiceKind.STATELESS, "Code")),
                List.of(code), endpoints, List.of(new FilesPackageManifest("Settings", configVersion)),
                java.util.Arrays.stream(dataPackages).map(n -> new FilesPackageManifest(n, "1.0.0")).toList());
    }

    private static PackageContents contents(String code, String config) {
        return new PackageContents(Map.of("Code", code), Map.of("Settings", config), Map.of());
    }

    @Test
    void decidesByContentNotByVersionsOfTheServicePackage() {
        ServicePackageManifest v1 = sp("1.0.0", "a", "1.0.0", List.of());
        assertThat(ActivationChange.between(v1, contents("c1", "s1"), sp("1.0.1", "a", "1.0.0", List.of()), contents("c1", "s1")))
                .isEqualTo(new ActivationChange.InPlace());
        assertThat(ActivationChange.between(v1, contents("c1", "s1"), v1, contents("c1", "s2")))
                .isEqualTo(new ActivationChange.Refresh(Set.of("Settings"), Set.of()));
        assertThat(ActivationChange.between(v1, contents("c1", "s1"), sp("1.0.0", "a", "2.0.0", List.of()), contents("c1", "s1")))
                .as("a new config version alone is a refresh too").isEqualTo(new ActivationChange.Refresh(Set.of("Settings"), Set.of()));
        assertThat(ActivationChange.between(v1, contents("c1", "s1"), v1, contents("c2", "s2")))
                .isInstanceOf(ActivationChange.Restart.class);
        assertThat(ActivationChange.between(v1, null, v1, contents("c1", "s1")))
                .as("the running content unknown").isInstanceOf(ActivationChange.Restart.class);
    }

    @Test
    void manifestChangesRestartWithoutLookingAtContent() {
        ServicePackageManifest v1 = sp("1.0.0", "a", "1.0.0", List.of());
        assertThat(ActivationChange.fromManifests(v1, sp("1.0.0", "b", "1.0.0", List.of()))).get()
                .extracting(ActivationChange.Restart::reason).isEqualTo("its code packages' manifests changed");
        assertThat(ActivationChange.fromManifests(v1, sp("1.0.0", "a", "1.0.0", List.of(new EndpointManifest("web", "http", null)))))
                .get().extracting(ActivationChange.Restart::reason).isEqualTo("its endpoints changed");
        assertThat(ActivationChange.fromManifests(v1, sp("1.0.0", "a", "1.0.0", List.of(), "Static"))).get()
                .extracting(ActivationChange.Restart::reason).isEqualTo("its set of data packages changed");
        assertThat(ActivationChange.fromManifests(v1, sp("9.9.9", "a", "3.0.0", List.of()))).isEmpty();
    }
}
