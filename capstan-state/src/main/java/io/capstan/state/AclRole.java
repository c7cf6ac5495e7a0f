package io.capstan.state;

/**
 * What a token may do. {@code read} only reads; {@code operate} may also change the cluster's workloads and nodes;
 * {@code admin} may do everything, managing tokens and membership included; {@code agent} may use only the node
 * protocol (a node agent's token).
 */
public enum AclRole {
    read, operate, admin, agent
}
