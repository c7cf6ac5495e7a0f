package io.capstan.agent;

import io.capstan.agent.cgroup.CgroupMode;

/**
 * A node agent's own state for operators: lifecycle, whether the servers know it, the assignment it converged
 * to, and whether resource limits are enforced (and if not, why).
 */
public record AgentStatus(
        String node,
        LifeCycle.State state,
        boolean registered,
        long assignmentIndex,
        CgroupMode cgroups,
        boolean limitsEnforced,
        String limitsProblem,
        int activations) {
}
