package io.capstan.dist;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Safe by default (issue 12): a server whose API or Raft port can be reached from the network must not start
 * unauthenticated and in plain text by accident. Capstan has no TLS yet, so off loopback it starts only when the
 * operator says {@code --insecure} explicitly, and it warns loudly, more so without {@code --acl}.
 */
final class NetworkExposure {

    private NetworkExposure() {
    }

    /** The addresses among {@code hosts} that are not loopback (a wildcard such as 0.0.0.0 counts as exposed). */
    static List<String> exposed(List<String> hosts) {
        List<String> out = new ArrayList<>();
        for (String host : hosts) {
            try {
                InetAddress a = InetAddress.getByName(host);
                if (!a.isLoopbackAddress()) {
                    out.add(host);
                }
            } catch (UnknownHostException e) {
                out.add(host); // cannot tell, so not safe to assume loopback
            }
        }
        return out;
    }

    /** Why the server must not start as asked, or null when it may. */
    static String refusal(List<String> exposed, boolean insecure, boolean acl) {
        if (exposed.isEmpty() || insecure) {
            return null;
        }
        return "this server would listen on " + String.join(", ", exposed) + ", reachable from the network, without TLS"
                + (acl ? "" : " and without --acl") + ": anyone who reaches it could run any command on every node. Bind to"
                + " 127.0.0.1, or start it with --acl and --insecure to accept plain HTTP and Raft between machines";
    }

    /** The warning a server started with --insecure off loopback prints. */
    static String warning(List<String> exposed, boolean acl) {
        return "WARNING: --insecure: the API and Raft on " + String.join(", ", exposed) + " are plain text (no TLS)"
                + (acl ? "; tokens travel in the clear" : " and need no token (no --acl): anyone who reaches them controls"
                + " the cluster");
    }
}
