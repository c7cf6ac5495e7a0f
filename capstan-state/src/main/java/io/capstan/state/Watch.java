package io.capstan.state;

import io.capstan.model.ServiceName;

/**
 * Something a reader can block on: each has a modify index in the state (the log index of the last command
 * that changed it), so a blocking query wakes only when what it watches changed (Nomad's per-object indexes).
 */
public sealed interface Watch {

    /** The stable text under which the modify index is kept. */
    String key();

    /** What one node must run: its replicas, their roles and the activations hosting them. */
    record Assignment(String node) implements Watch {
        public String key() {
            return "assignment/" + node;
        }
    }

    /** One node's record, its deployed service packages and the health reports about it. */
    record Node(String name) implements Watch {
        public String key() {
            return "node/" + name;
        }
    }

    /** One service's record, its replicas (placement, role, status), their endpoints and health reports. */
    record Service(ServiceName name) implements Watch {
        public String key() {
            return "service/" + name.shortName();
        }
    }

    /**
     * What the placement of one service depends on, changed by anything but the plan applier: the placement loop
     * need not plan a service again only because its own plan was applied.
     */
    record ServiceInputs(ServiceName name) implements Watch {
        public String key() {
            return "service-inputs/" + name.shortName();
        }
    }

    /** One application's record, which services it has, and the health reports about it. */
    record Application(String name) implements Watch {
        public String key() {
            return "app/" + name;
        }
    }

    /** Any change to one table. */
    record Table(StateTable table) implements Watch {
        public String key() {
            return "table/" + table.name();
        }
    }

    /** The tables of the state, for {@link Table} watches. */
    enum StateTable { NODES, APPLICATION_TYPES, APPLICATIONS, SERVICES, REPLICAS, DEPLOYED, HEALTH, EVENTS, SERVERS, ACL, AUDIT }
}
