package io.capstan.server.upgrade;

import io.capstan.model.cluster.NodeRecord;
import io.capstan.state.ClusterSnapshot;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The order an upgrade walks the cluster's upgrade domains in: every domain a node declares, sorted naturally
 * (UD2 before UD10), so the order is stable, shown before the walk starts and the same on every server.
 */
public final class UpgradeDomainOrder {

    private static final Pattern NUMBER = Pattern.compile("(\\d+)");

    /** Natural order: numbers inside names compare as numbers. */
    static final Comparator<String> NATURAL = (a, b) -> {
        Matcher ma = NUMBER.matcher(a);
        Matcher mb = NUMBER.matcher(b);
        int ia = 0;
        int ib = 0;
        while (ma.find(ia) && mb.find(ib) && a.substring(ia, ma.start()).equals(b.substring(ib, mb.start()))) {
            int byNumber = new java.math.BigInteger(ma.group()).compareTo(new java.math.BigInteger(mb.group()));
            if (byNumber != 0) {
                return byNumber;
            }
            ia = ma.end();
            ib = mb.end();
        }
        return a.substring(ia).compareTo(b.substring(ib));
    };

    private UpgradeDomainOrder() {
    }

    public static List<String> of(ClusterSnapshot state) {
        TreeSet<String> domains = new TreeSet<>(NATURAL);
        for (NodeRecord n : state.nodes().values()) {
            domains.add(n.description().upgradeDomain());
        }
        return List.copyOf(domains);
    }
}
