package io.capstan.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.wire.AssignedReplica;
import java.util.List;

/**
 * Whether this node's Primaries are fenced (its lease is lost), and what a process then reads in its replicas file:
 * each replica it hosts as Primary shows {@code "role": "ActiveSecondary"} with {@code "fenced": true}, so a process
 * that only looks at {@code role} stops acting as Primary, and one that looks further knows why (the cluster's
 * assignment may still name it Primary until it decides otherwise). Other replicas are written as assigned.
 */
final class NodeFence {

    private volatile boolean fenced;

    boolean fenced() {
        return fenced;
    }

    void set(boolean fenced) {
        this.fenced = fenced;
    }

    /** The replicas file's content for these assigned replicas, now. */
    byte[] replicasFile(List<AssignedReplica> replicas, ObjectMapper json) throws java.io.IOException {
        ArrayNode out = json.valueToTree(replicas);
        if (fenced) {
            for (int i = 0; i < replicas.size(); i++) {
                if (replicas.get(i).role() == ReplicaRole.Primary) {
                    ((ObjectNode) out.get(i)).put("role", ReplicaRole.ActiveSecondary.name()).put("fenced", true);
                }
            }
        }
        return json.writeValueAsBytes(out);
    }
}
