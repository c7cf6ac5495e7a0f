package io.capstan.server.control;

import io.capstan.model.ActivationMode;
import io.capstan.model.ServiceName;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.state.ClusterCommand;
import io.capstan.state.ClusterSnapshot;
import io.capstan.state.ServiceLoads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parts of placement plans submitted but not yet applied. The placement loop plans the next services while
 * they commit, so it must neither plan their services again nor offer the room they are about to take: what
 * they place counts as used on its nodes ({@link #loadByNode}) until the part is answered. The plan applier
 * still re-checks every placement, so an estimate that is off can only cost a refusal and a second plan, never
 * an over-committed node. Thread-safe: the loop adds parts, the thread that submits them removes them.
 */
final class PlacementsInFlight {

    /** What one placement of a part adds to its node: the load of the activation it starts, if it starts one. */
    private record NodeLoad(String node, ActivationKey sharedActivation, Map<String, Double> load) {
    }

    private final Map<ServiceName, Integer> partsByService = new HashMap<>();
    private final Map<ClusterCommand.ApplyPlacement, List<NodeLoad>> loadsByPart = new IdentityHashMap<>();
    private final Map<String, Map<String, Double>> pendingLoad = new HashMap<>();
    private final Map<String, Map<ActivationKey, Integer>> sharedByNode = new HashMap<>();
    private final Map<String, Integer> placementsByNode = new HashMap<>();

    /** Records a part about to be submitted; its load is reckoned against {@code state}, the one it was planned on. */
    synchronized void add(ClusterCommand.ApplyPlacement part, ClusterSnapshot state) {
        for (ServiceName s : servicesOf(part)) {
            partsByService.merge(s, 1, Integer::sum);
        }
        Map<ServiceName, Map<String, Double>> loads = new HashMap<>();
        List<NodeLoad> added = new ArrayList<>();
        for (ClusterCommand.NewReplica p : part.placements()) {
            ServiceRecord s = state.services().get(p.service());
            if (s == null) {
                continue;
            }
            Map<String, Double> load = loads.computeIfAbsent(s.name(), k -> ServiceLoads.of(state, s));
            if (s.spec().activation() == ActivationMode.EXCLUSIVE_PROCESS) {
                added.add(new NodeLoad(p.node(), null, load));
                continue;
            }
            ActivationKey key = new ActivationKey(p.service().application(), s.servicePackage(), p.activationId());
            Map<ActivationKey, Integer> shared = sharedByNode.computeIfAbsent(p.node(), k -> new HashMap<>());
            // A shared activation costs its node once: not at all where it runs already or is on its way.
            boolean starts = !state.usageOn(p.node()).hosts(key) && !shared.containsKey(key);
            shared.merge(key, 1, Integer::sum);
            added.add(new NodeLoad(p.node(), key, starts ? load : Map.of()));
        }
        added.forEach(l -> addLoad(l.node(), l.load(), 1));
        loadsByPart.put(part, added);
    }

    /** Forgets a part once it is answered (applied, refused or failed) or will never be sent; again is harmless. */
    synchronized void done(ClusterCommand.ApplyPlacement part) {
        List<NodeLoad> added = loadsByPart.remove(part);
        if (added != null) {
            for (ServiceName s : servicesOf(part)) {
                partsByService.computeIfPresent(s, (k, n) -> n == 1 ? null : n - 1);
            }
            for (NodeLoad l : added) {
                addLoad(l.node(), l.load(), -1);
                if (l.sharedActivation() != null) {
                    Map<ActivationKey, Integer> shared = sharedByNode.get(l.node());
                    shared.computeIfPresent(l.sharedActivation(), (k, n) -> n == 1 ? null : n - 1);
                    if (shared.isEmpty()) {
                        sharedByNode.remove(l.node());
                    }
                }
            }
        }
        notifyAll();
    }

    private void addLoad(String node, Map<String, Double> load, int sign) {
        if (placementsByNode.merge(node, sign, Integer::sum) == 0) {
            placementsByNode.remove(node);
            pendingLoad.remove(node); // nothing left on its way there: no rounding residue either
            return;
        }
        if (!load.isEmpty()) {
            Map<String, Double> on = pendingLoad.computeIfAbsent(node, k -> new HashMap<>());
            load.forEach((metric, value) -> on.merge(metric, sign * value, Double::sum));
        }
    }

    synchronized boolean isEmpty() {
        return loadsByPart.isEmpty();
    }

    synchronized int parts() {
        return loadsByPart.size();
    }

    /** Waits until fewer than {@code parts} parts are in flight, or {@code wait} elapses. */
    synchronized void awaitFewerThan(int parts, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        for (long left = wait.toMillis(); loadsByPart.size() >= parts && left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
            wait(left);
        }
    }

    synchronized boolean holds(ServiceName service) {
        return partsByService.containsKey(service);
    }

    /** What the placements in flight will use once applied, per node and metric. */
    synchronized Map<String, Map<String, Double>> loadByNode() {
        Map<String, Map<String, Double>> out = new HashMap<>();
        pendingLoad.forEach((node, load) -> out.put(node, Map.copyOf(load)));
        return out;
    }

    static Set<ServiceName> servicesOf(ClusterCommand.ApplyPlacement part) {
        Set<ServiceName> out = new HashSet<>();
        part.placements().forEach(p -> out.add(p.service()));
        part.problems().keySet().forEach(out::add);
        return out;
    }
}
