package io.capstan.agent.cgroup;

/** Which cgroup hierarchy the agent drives: v1 (one tree per controller), v2 (unified), or none (limits not enforced). */
public enum CgroupMode {
    V1, V2, NONE
}
