package io.capstan.server;

import io.capstan.state.ClusterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the control-plane servers' APIs listen, from the replicated state (each server announces its own on start,
 * {@link ServerAnnouncer}) and Ratis's view of who leads: the leader to send agents to, the peers to copy packages to
 * and from.
 */
public final class ServerDirectory {

    private final ClusterStore store;

    public ServerDirectory(ClusterStore store) {
        this.store = store;
    }

    /** The leader as Ratis names it (it may not be ready yet), with its API URL once it has announced it. */
    public Optional<Member> leader() {
        return members().stream().filter(Member::leader).findFirst();
    }

    /** The other servers of the group whose API URL is known. */
    public List<Member> peers() {
        return members().stream().filter(m -> !m.self() && m.apiUrl() != null).toList();
    }

    /** How many servers make a majority of the group. */
    public int majority() {
        return store.members().size() / 2 + 1;
    }

    private List<Member> members() {
        Map<String, String> apis = store.snapshot().serverApis();
        List<Member> out = new ArrayList<>();
        for (ClusterStore.ServerMember m : store.members()) {
            out.add(new Member(m.id(), apis.get(m.id()), m.leader(), m.self()));
        }
        return out;
    }

    /** One server: its id, its API URL (null until it announced it), and its role as this server sees it. */
    public record Member(String id, String apiUrl, boolean leader, boolean self) {
    }
}
