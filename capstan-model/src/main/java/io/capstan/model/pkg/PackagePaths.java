package io.capstan.model.pkg;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** Path rules shared by archive reading, extraction and layout checks: all lexical, no file system access. */
final class PackagePaths {

    /** How many symbolic links one lookup may follow before it is called a loop (Linux's limit). */
    static final int MAX_LINK_HOPS = 40;

    private PackagePaths() {
    }

    /**
     * The normalized relative form of an archive entry name: leading "./" and trailing "/" dropped, "." and
     * empty segments removed; "" for the root itself.
     *
     * @throws PackageException for absolute names, '..' segments, backslashes or control characters
     */
    static String normalize(String raw) {
        if (raw == null) {
            throw new PackageException("an entry has no name");
        }
        if (raw.startsWith("/")) {
            throw new PackageException("entry '" + raw + "' has an absolute path; package entries must be relative to the package root");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' || c < 0x20) {
                throw new PackageException("entry '" + printable(raw) + "' contains " + (c == '\\' ? "a backslash" : "a control character")
                        + "; package paths use '/' between plain names");
            }
        }
        List<String> parts = new ArrayList<>();
        for (String seg : raw.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                throw new PackageException("entry '" + raw + "' contains '..'; package entries must stay inside the package");
            }
            parts.add(seg);
        }
        return String.join("/", parts);
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    /**
     * Checks a symbolic link's target by its text alone: relative, and not climbing above the package root
     * from the link's folder.
     */
    static void checkLinkTarget(String linkPath, String target) {
        if (target == null || target.isEmpty()) {
            throw new PackageException("symbolic link '" + linkPath + "' has no target");
        }
        if (target.startsWith("/")) {
            throw new PackageException("symbolic link '" + linkPath + "' points to the absolute path '" + target
                    + "'; links must point inside the package, with a relative path");
        }
        int depth = parent(linkPath).isEmpty() ? 0 : parent(linkPath).split("/").length;
        for (String seg : target.split("/")) {
            if (seg.equals("..")) {
                depth--;
                if (depth < 0) {
                    throw new PackageException("symbolic link '" + linkPath + "' points to '" + target
                            + "', outside the package; links must point inside the package");
                }
            } else if (!seg.isEmpty() && !seg.equals(".")) {
                depth++;
            }
        }
    }

    /** What a path names in a package tree: a type and, for links, the target. */
    record Node(PackageEntry.Type type, String linkTarget, boolean executable) {
    }

    /** The outcome of following a path through a package tree. */
    record Resolution(String path, Node node, String failure) {
        boolean ok() {
            return failure == null;
        }
    }

    /**
     * Follows {@code path} through {@code tree} (package path to node; "" is the root folder) as the kernel
     * would, symbolic links included, without ever leaving the tree.
     */
    static Resolution resolve(Map<String, Node> tree, String path) {
        Deque<String> todo = new ArrayDeque<>();
        for (String seg : path.split("/")) {
            if (!seg.isEmpty()) {
                todo.add(seg);
            }
        }
        List<String> done = new ArrayList<>();
        int hops = 0;
        Node node = tree.get("");
        while (!todo.isEmpty()) {
            String seg = todo.poll();
            if (seg.equals(".") || seg.isEmpty()) {
                continue;
            }
            if (node.type() != PackageEntry.Type.DIRECTORY) {
                return new Resolution(path, null, "'" + String.join("/", done) + "' is not a folder");
            }
            if (seg.equals("..")) {
                if (done.isEmpty()) {
                    return new Resolution(path, null, "it leads outside the package");
                }
                done.remove(done.size() - 1);
                node = tree.get(String.join("/", done));
                continue;
            }
            String candidate = String.join("/", done.isEmpty() ? List.of(seg) : concat(done, seg));
            Node next = tree.get(candidate);
            if (next == null) {
                return new Resolution(path, null, "'" + candidate + "' does not exist");
            }
            if (next.type() == PackageEntry.Type.SYMLINK) {
                if (++hops > MAX_LINK_HOPS) {
                    return new Resolution(path, null, "it follows more than " + MAX_LINK_HOPS + " symbolic links (a loop?)");
                }
                if (next.linkTarget().startsWith("/")) {
                    return new Resolution(path, null, "'" + candidate + "' points to an absolute path");
                }
                List<String> targetSegs = new ArrayList<>(List.of(next.linkTarget().split("/")));
                for (int i = targetSegs.size() - 1; i >= 0; i--) {
                    todo.addFirst(targetSegs.get(i));
                }
                continue;
            }
            done.add(seg);
            node = next;
        }
        return new Resolution(String.join("/", done), node, null);
    }

    private static List<String> concat(List<String> list, String last) {
        List<String> out = new ArrayList<>(list);
        out.add(last);
        return out;
    }

    /** Every link in {@code tree} must lead to something that exists inside it. */
    static void checkLinks(Map<String, Node> tree) {
        for (Map.Entry<String, Node> e : tree.entrySet()) {
            if (e.getValue().type() == PackageEntry.Type.SYMLINK) {
                checkLinkTarget(e.getKey(), e.getValue().linkTarget());
                Resolution r = resolve(tree, e.getKey());
                if (!r.ok()) {
                    throw new PackageException("symbolic link '" + e.getKey() + "' -> '" + e.getValue().linkTarget()
                            + "' cannot be used: " + r.failure() + "; links must lead to a file or folder inside the package");
                }
            }
        }
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c < 0x20 ? "\\x" + String.format("%02x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }
}
