package io.capstan.server.api;

import io.capstan.model.Names;
import io.capstan.model.cluster.ActivationKey;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.CodePackageUsage;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.wire.NodeReport;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The measured cpu and memory use that agents send with their reports, kept in this server's memory like heartbeats
 * and never in the Raft log (it changes with every report; committing it would turn every report into an entry).
 * Checked in full before anything is kept: each entry names a code package of an activation in the same report, once,
 * with a finite, non-negative use below a bound no machine reaches.
 */
final class MeasuredUsage {

    /** More cores than any one machine has: a bigger figure is a broken agent. */
    static final double MAX_CPU = 65_536;
    /** 1 EiB in MiB. */
    static final double MAX_MEMORY_MIB = 1024.0 * 1024 * 1024 * 1024;

    /** One node's latest measurements and when they arrived. */
    record NodeMeasurement(Instant at, List<CodePackageUsage> usage) {

        /** The sum over the node's code packages, per metric ("cpu", "memoryMiB"). */
        Map<String, Double> totals() {
            double cpu = 0;
            double memory = 0;
            for (CodePackageUsage u : usage) {
                cpu += u.cpu();
                memory += u.memoryMiB();
            }
            return Map.of("cpu", Math.round(cpu * 1000) / 1000.0, "memoryMiB", Math.round(memory * 10) / 10.0);
        }
    }

    private final Map<String, NodeMeasurement> byNode = new ConcurrentHashMap<>();

    /** What is wrong with the report's measurements, as {@code usage[i].field: problem}, or null. */
    static String problem(NodeReport report) {
        Map<ActivationKey, Set<String>> codePackages = new HashMap<>();
        for (DeployedServicePackage d : report.deployed()) {
            if (d != null) {
                Set<String> names = new HashSet<>();
                for (CodePackageStatus cp : d.codePackages()) {
                    if (cp != null) {
                        names.add(cp.name());
                    }
                }
                codePackages.put(d.key(), names);
            }
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < report.usage().size(); i++) {
            CodePackageUsage u = report.usage().get(i);
            String at = "usage[" + i + "]";
            if (Names.problem(u.application()) != null || Names.problem(u.servicePackage()) != null
                    || Names.problem(u.codePackage()) != null) {
                return at + ": needs the application, servicePackage and codePackage names of a code package in this report";
            }
            Set<String> names = codePackages.get(u.key());
            if (names == null || !names.contains(u.codePackage())) {
                return at + ": " + u.application() + "/" + u.servicePackage() + "/" + u.codePackage()
                        + " (activation '" + (u.activationId() == null ? "" : u.activationId())
                        + "') is not a code package the report's deployed list holds; measure only what is deployed";
            }
            if (!seen.add(u.key() + "/" + u.codePackage())) {
                return at + ": " + u.codePackage() + " of " + u.application() + "/" + u.servicePackage()
                        + " is measured twice; send one entry per code package";
            }
            if (!Double.isFinite(u.cpu()) || u.cpu() < 0 || u.cpu() > MAX_CPU) {
                return at + ".cpu: " + u.cpu() + " is not a number of cores from 0 to " + (long) MAX_CPU;
            }
            if (!Double.isFinite(u.memoryMiB()) || u.memoryMiB() < 0 || u.memoryMiB() > MAX_MEMORY_MIB) {
                return at + ".memoryMiB: " + u.memoryMiB() + " is not a number of MiB from 0 to " + (long) MAX_MEMORY_MIB;
            }
        }
        return null;
    }

    /** Keeps the report's measurements as the node's latest (a report without any keeps none). */
    void record(NodeReport report, Instant at) {
        byNode.put(report.node(), new NodeMeasurement(at, report.usage()));
    }

    Optional<NodeMeasurement> of(String node) {
        return Optional.ofNullable(byNode.get(node));
    }

    /** A removed node's measurements go with it. */
    void forget(String node) {
        byNode.remove(node);
    }
}
