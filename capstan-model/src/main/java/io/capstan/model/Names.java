package io.capstan.model;

import java.util.regex.Pattern;

/** The rules every user-chosen name follows, so names are safe in URLs, paths and env vars. */
public final class Names {

    private static final Pattern VALID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,62}");

    private Names() {
    }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /** Why {@code name} is not a valid name, or null when it is. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "is missing";
        }
        if (!isValid(name)) {
            return "'" + name + "' is not a valid name: start with a letter, then up to 62 letters, digits, '_', '.' or '-'";
        }
        return null;
    }

    public static void requireValid(String what, String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException(what + " name " + problem);
        }
    }

    /** Strips the {@code capstan:/} scheme from an application name. */
    public static String applicationName(String text) {
        String t = text.startsWith(ServiceName.SCHEME) ? text.substring(ServiceName.SCHEME.length()) : text;
        requireValid("application", t);
        return t;
    }
}
