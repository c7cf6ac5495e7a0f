package io.capstan.model.manifest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Application parameters: an application type declares parameters with default values, an application
 * overrides some of them, and {@code [Name]} in a process's command, args, env values and workingDir (and a
 * container's image, args and env values, an exec probe's command and an http probe's path) is replaced by the
 * effective value.
 *
 * <p>Substitution is a single pass: a substituted value is not scanned again, so a value may itself contain
 * brackets. {@code [Name]} where Name is a valid name ({@link io.capstan.model.Names}) is always a reference;
 * text in brackets that is not a valid name (e.g. {@code [1,2]}) is left alone.
 */
public final class ParameterSubstitution {

    /** {@code [Name]}; group 1 is the name. */
    public static final Pattern REFERENCE = Pattern.compile("\\[([A-Za-z][A-Za-z0-9_.-]{0,62})\\]");

    private ParameterSubstitution() {
    }

    /**
     * The values to substitute: {@code defaults} overridden by {@code overrides}, in the defaults' order.
     *
     * @throws IllegalArgumentException when an override names a parameter the defaults do not declare
     */
    public static Map<String, String> effective(Map<String, String> defaults, Map<String, String> overrides) {
        return effective(defaults, overrides, "the application type");
    }

    /** Like {@link #effective(Map, Map)}, naming the application type and version in errors. */
    public static Map<String, String> effective(ApplicationTypeManifest type, Map<String, String> overrides) {
        return effective(type.parameters(), overrides, type.applicationType() + " " + type.version());
    }

    private static Map<String, String> effective(Map<String, String> defaults, Map<String, String> overrides, String owner) {
        Map<String, String> result = new LinkedHashMap<>(defaults);
        if (overrides == null || overrides.isEmpty()) {
            return Collections.unmodifiableMap(result);
        }
        List<String> unknown = new ArrayList<>(new TreeSet<>(overrides.keySet()));
        unknown.removeAll(defaults.keySet());
        if (!unknown.isEmpty()) {
            String declared = defaults.isEmpty() ? "none" : String.join(", ", new TreeSet<>(defaults.keySet()));
            StringBuilder msg = new StringBuilder();
            if (unknown.size() == 1) {
                msg.append("parameter '").append(unknown.get(0)).append("' is not declared by ");
            } else {
                msg.append("parameters '").append(String.join("', '", unknown)).append("' are not declared by ");
            }
            msg.append(owner).append("; declared: ").append(declared);
            String guess = unknown.size() == 1 ? Suggestions.closest(unknown.get(0), defaults.keySet()) : null;
            if (guess != null) {
                msg.append(" (did you mean '").append(guess).append("'?)");
            }
            throw new IllegalArgumentException(msg.toString());
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' has no value; give it one, or leave it out to use the default '"
                        + defaults.get(e.getKey()) + "'");
            }
            result.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(result);
    }

    /** {@code pkg} with every {@code [Name]} in its processes, containers and probes replaced by {@code values}. */
    public static ServicePackageManifest resolve(ServicePackageManifest pkg, Map<String, String> values) {
        List<CodePackageManifest> codes = new ArrayList<>();
        for (CodePackageManifest c : pkg.codePackages()) {
            RunSpec run = switch (c.run()) {
                case ProcessSpec p -> new ProcessSpec(substitute(p.command(), values),
                        p.args().stream().map(a -> substitute(a, values)).toList(), substitute(p.env(), values),
                        substitute(p.workingDir(), values));
                case ContainerSpec k -> new ContainerSpec(substitute(k.image(), values),
                        k.args().stream().map(a -> substitute(a, values)).toList(), substitute(k.env(), values), k.network(), k.userNamespace());
            };
            CodePackageProbes probes = new CodePackageProbes(substitute(c.probes().startup(), values),
                    substitute(c.probes().liveness(), values), substitute(c.probes().readiness(), values));
            codes.add(new CodePackageManifest(c.name(), c.version(), run, c.resources(), probes, c.restartPolicy(),
                    c.drainTimeout(), c.onConfigChange()));
        }
        return new ServicePackageManifest(pkg.name(), pkg.version(), pkg.serviceTypes(), codes, pkg.endpoints(),
                pkg.configPackages(), pkg.dataPackages());
    }

    /** Every service package of {@code type}, resolved with its defaults overridden by {@code overrides}. */
    public static List<ServicePackageManifest> resolveAll(ApplicationTypeManifest type, Map<String, String> overrides) {
        Map<String, String> values = effective(type, overrides);
        return type.servicePackages().stream().map(p -> resolve(p, values)).toList();
    }

    /**
     * {@code text} with every {@code [Name]} replaced by its value (null stays null).
     *
     * @throws IllegalArgumentException when a referenced parameter has no value in {@code values}
     */
    public static String substitute(String text, Map<String, String> values) {
        if (text == null || text.indexOf('[') < 0) {
            return text;
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("'" + text + "' refers to parameter [" + m.group(1)
                        + "], which has no value; known: " + (values.isEmpty() ? "none" : String.join(", ", new TreeSet<>(values.keySet()))));
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static ProbeSpec substitute(ProbeSpec p, Map<String, String> values) {
        if (p == null) {
            return null;
        }
        return new ProbeSpec(p.kind(), p.endpoint(), substitute(p.path(), values),
                p.expectedStatus(), p.command().stream().map(a -> substitute(a, values)).toList(), p.initialDelay(), p.period(),
                p.timeout(), p.failureThreshold(), p.successThreshold());
    }

    private static Map<String, String> substitute(Map<String, String> env, Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((k, v) -> out.put(k, substitute(v, values)));
        return out;
    }
}
