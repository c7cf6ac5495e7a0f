package io.capstan.server.acl;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Every API route and the access it needs, in one table: the first rule matching the method and path decides. What no
 * rule names is a read for GET (role read) and admin's for any other method, so a new write route is closed until it
 * is given its place here.
 */
public final class AccessRules {

    /** One row: a method ({@code *} for any), a path pattern, the access needed. */
    public record Rule(String method, Pattern path, Access access) {
        boolean matches(String m, String p) {
            return (method.equals("*") || method.equals(m)) && path.matcher(p).matches();
        }
    }

    private static final String SEG = "[^/]+";

    private static final List<Rule> RULES = List.of(
            rule("POST", "/v1/acl/bootstrap", Access.PUBLIC),
            rule("*", "/v1/acl/.*", Access.ADMIN),
            rule("GET", "/v1/audit", Access.ADMIN),
            rule("*", "/v1/internal/.*", Access.PEER),
            rule("POST", "/v1/cluster/snapshot", Access.ADMIN),
            rule("POST", "/v1/cluster/members", Access.ADMIN),
            rule("DELETE", "/v1/cluster/members/" + SEG, Access.ADMIN),
            // The node protocol (capstan-agent's HttpControlPlane).
            rule("POST", "/v1/nodes", Access.NODE),
            rule("POST", "/v1/nodes/" + SEG + "/(heartbeat|report)", Access.NODE),
            rule("POST", "/v1/nodes/" + SEG + "/commands/" + SEG + "/result", Access.NODE),
            rule("GET", "/v1/nodes/" + SEG + "/assignment", Access.NODE_READ),
            rule("GET", "/v1/packages/" + SEG, Access.NODE_READ),
            rule("GET", "/v1/apps/" + SEG + "/services/" + SEG + "/resolve", Access.NODE_READ),
            // Operators: workloads, nodes, health, upgrades.
            rule("POST", "/v1/nodes/" + SEG + "/(disable|enable|commands)", Access.OPERATE),
            rule("DELETE", "/v1/nodes/" + SEG, Access.OPERATE),
            rule("POST", "/v1/apptypes", Access.OPERATE),
            rule("DELETE", "/v1/apptypes/" + SEG + "/" + SEG, Access.OPERATE),
            rule("POST", "/v1/apps(/" + SEG + "/(services|upgrade(/resume|/rollback)?))?", Access.OPERATE),
            rule("PATCH", "/v1/apps/" + SEG + "/services/" + SEG, Access.OPERATE),
            rule("DELETE", "/v1/apps/" + SEG + "(/services/" + SEG + ")?", Access.OPERATE),
            rule("POST", "/v1/health/reports", Access.OPERATE),
            rule("GET", "/.*", Access.READ),
            rule("HEAD", "/.*", Access.READ),
            rule("*", "/.*", Access.ADMIN));

    private AccessRules() {
    }

    private static Rule rule(String method, String path, Access access) {
        return new Rule(method, Pattern.compile(path), access);
    }

    /** The access {@code method path} needs. */
    public static Access of(String method, String path) {
        for (Rule r : RULES) {
            if (r.matches(method, path)) {
                return r.access();
            }
        }
        return Access.ADMIN;
    }

    /** The table, for documentation and tests. */
    public static List<Rule> rules() {
        return RULES;
    }
}
