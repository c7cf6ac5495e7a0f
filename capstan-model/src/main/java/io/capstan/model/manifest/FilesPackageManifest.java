package io.capstan.model.manifest;

import java.util.Locale;

/**
 * A config or data package (Service Fabric's ConfigPackage and DataPackage): a versioned folder of files named like the
 * package, inside its service package's folder beside the code packages. Code packages find it through
 * {@link Kind#directoryVariable(String)}.
 */
public record FilesPackageManifest(String name, String version) {

    /** Which of the two a files package is: where the manifest lists it and the variable that names its folder. */
    public enum Kind {
        CONFIG("configPackages", "config"),
        DATA("dataPackages", "data");

        private final String field;
        private final String word;

        Kind(String field, String word) {
            this.field = field;
            this.word = word;
        }

        /** The service package field listing packages of this kind. */
        public String field() {
            return field;
        }

        /** {@code config} or {@code data}: the word used in paths and messages. */
        public String word() {
            return word;
        }

        /** {@code CAPSTAN_CONFIG_<NAME>_DIR}, the name upper-cased with other characters as '_', as endpoint variables are. */
        public String directoryVariable(String packageName) {
            return "CAPSTAN_" + word.toUpperCase(Locale.ROOT) + "_"
                    + packageName.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_DIR";
        }
    }
}
